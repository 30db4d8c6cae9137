"""Clock offsets as users type and read them: ``+02:00`` (a time zone), ``+01:03:27`` (a camera clock
that is also 3 min 27 s fast), and ``CAMERA=OFFSET`` overrides naming a camera by the words of its
make, model or serial number."""

from __future__ import annotations

import datetime as dt
import re

from geor.engine.errors import BadOption

_OFFSET = re.compile(r"([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?")


class ClockOffsetError(BadOption):
    """An offset or override that cannot be read; the message names the option."""


def parse_utc_offset(text: str | None, what: str = "time zone") -> dt.timedelta | None:
    """"+02:00", "-0500", "+9" -> the offset; None or "" -> None; anything else names ``what``."""
    if text is None or not text.strip():
        return None
    match = _OFFSET.fullmatch(text.strip())
    if not match or match.group(4) is not None or int(match.group(2)) > 14 or int(match.group(3) or 0) >= 60:
        raise ClockOffsetError(f"{what} {text!r}: expected an offset like +02:00 or -0500")
    sign = -1 if match.group(1) == "-" else 1
    return sign * dt.timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))


def parse_clock_offset(text: str, what: str = "clock offset") -> dt.timedelta:
    """How far a camera's clock is ahead of UTC: ``+01:03:27``, ``-05:00``, ``+2``, ``+0:00:45``."""
    match = _OFFSET.fullmatch(text.strip())
    if not match or int(match.group(2)) > 26 or int(match.group(3) or 0) >= 60 or int(match.group(4) or 0) >= 60:
        raise ClockOffsetError(f"{what} {text!r}: expected an offset from UTC like +01:03:27 or -05:00")
    sign = -1 if match.group(1) == "-" else 1
    return sign * dt.timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0), seconds=int(match.group(4) or 0))


def parse_clock_overrides(items: list[str]) -> dict[str, str]:
    """``["NIKON Z 6=+01:03:27", ...]`` -> {camera words: offset text}, each offset checked."""
    found: dict[str, str] = {}
    for item in items:
        camera, sep, offset = item.rpartition("=")
        if not sep or not camera.strip():
            raise ClockOffsetError(f"--clock {item!r}: expected CAMERA=OFFSET, e.g. \"NIKON Z 6=+01:03:27\"")
        parse_clock_offset(offset, f"--clock {camera.strip()!r}")
        found[" ".join(camera.split())] = offset.strip()
    return found


def format_offset(seconds: float) -> str:
    """+1:03:27, -5:00, +0:00:45: hours and minutes, and seconds when there are any."""
    total = round(seconds)
    sign = "-" if total < 0 else "+"
    hours, rest = divmod(abs(total), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def names_camera(words: str, camera: str) -> bool:
    """Whether the user's ``words`` name ``camera`` (make + model + serial): the same words in the
    same order, whole words only, case-insensitive ("NIKON Z 6" names "NIKON CORPORATION NIKON Z 6
    3012345", not "NIKON Z 6_2")."""
    pattern = r"(?:^|\s)" + r"\s+".join(map(re.escape, words.split())) + r"(?:\s|$)"
    return re.search(pattern, camera, re.IGNORECASE) is not None


def format_spread(seconds: float) -> str:
    """How far a clock may be off, as people say it: "+- 40 s", "+- 4 min"."""
    return f"+- {seconds:.0f} s" if seconds < 90 else f"+- {seconds / 60:.0f} min"
