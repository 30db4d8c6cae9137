"""Times as track files write them: ISO 8601 (a zone, Z, or none = UTC), or seconds or
milliseconds since the epoch."""

from __future__ import annotations

import datetime as dt


def parse_time(value: object) -> dt.datetime:
    """A UTC-aware datetime; ValueError naming the value when it is no time."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value) / 1000 if abs(value) > 1e11 else float(value)  # milliseconds or seconds since 1970
        return dt.datetime.fromtimestamp(seconds, dt.UTC)
    text = str(value).strip()
    if text.lstrip("-").replace(".", "", 1).isdigit():
        return parse_time(float(text))
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace(" UTC", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not a time (ISO 8601 or seconds since 1970)") from None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)
