"""Google location history (the json module; Google publishes no schema, these follow the files):

- Takeout's legacy ``Records.json``: ``locations`` with ``latitudeE7``/``longitudeE7``, a
  ``timestamp`` (or ``timestampMs``) and ``accuracy`` in metres;
- Takeout's monthly ``Semantic Location History`` files: ``timelineObjects`` of place visits and
  activity segments (start, end and simplified path points);
- the on-device Timeline export (Android ``Timeline.json``): ``semanticSegments`` with
  ``timelinePath`` points, visits and activities, and ``rawSignals`` positions;
- the iOS Timeline export: a list of segments whose places are ``geo:lat,lon`` strings.

A visit gives its place at its start and its end (the policy's "same place" rule then covers the
time between); activities give their two ends.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from .timestamps import parse_time
from .track import Fix, TrackError, checked_fix, gather_fixes

_LATLNG = re.compile(r"^\s*(?:geo:)?\s*(-?\d+(?:\.\d+)?)\s*°?\s*,\s*(-?\d+(?:\.\d+)?)\s*°?\s*$")


def looks_like_takeout(data: object) -> bool:
    if isinstance(data, dict):
        return any(k in data for k in ("locations", "timelineObjects", "semanticSegments", "rawSignals"))
    return isinstance(data, list) and bool(data) and isinstance(data[0], dict) and ("startTime" in data[0] or "endTime" in data[0])


def read_takeout(path: Path, data: object) -> tuple[list[Fix], list[str]]:
    return gather_fixes(path, ((label, partial(_fix, when, lat, lon, accuracy, path.name)) for label, when, lat, lon, accuracy in _records(data)))


def _fix(when: Any, lat: Any, lon: Any, accuracy: Any, source: str) -> list[Fix | None]:
    return [checked_fix(parse_time(when), float(lat), float(lon), None, float(accuracy) if accuracy is not None else None, source)]


def load_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise TrackError(f"{path}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except UnicodeDecodeError:
        raise TrackError(f"{path}: not a text file") from None


# (where in the file, time, lat, lon, accuracy): JSON values as found; float() and parse_time() check them and
# raise TypeError or ValueError, reported per record
Record = tuple[str, Any, Any, Any, Any]


def _records(data: object) -> Iterator[Record]:
    if isinstance(data, dict) and "locations" in data:
        for i, item in enumerate(data["locations"], start=1):
            when = item.get("timestamp") or (int(item["timestampMs"]) if "timestampMs" in item else None)
            yield f"location {i}", when, _e7(item.get("latitudeE7")), _e7(item.get("longitudeE7")), item.get("accuracy")
    if isinstance(data, dict) and "timelineObjects" in data:
        for i, item in enumerate(data["timelineObjects"], start=1):
            yield from _semantic_object(f"timeline object {i}", item)
    if isinstance(data, dict):
        for i, segment in enumerate(data.get("semanticSegments", []), start=1):
            yield from _segment(f"semantic segment {i}", segment)
        for i, signal in enumerate(data.get("rawSignals", []), start=1):
            position = signal.get("position") if isinstance(signal, dict) else None
            if position:
                lat, lon = _latlng(position.get("LatLng") or position.get("latLng"))
                yield f"raw signal {i}", position.get("timestamp"), lat, lon, position.get("accuracyMeters")
    if isinstance(data, list):
        for i, segment in enumerate(data, start=1):
            yield from _segment(f"segment {i}", segment)


def _semantic_object(label: str, item: dict[str, Any]) -> Iterator[Record]:
    visit, activity = item.get("placeVisit"), item.get("activitySegment")
    if visit:
        location, duration = visit.get("location", {}), visit.get("duration", {})
        for key in ("startTimestamp", "endTimestamp"):
            yield f"{label} (place visit)", duration.get(key), _e7(location.get("latitudeE7")), _e7(location.get("longitudeE7")), None
    if activity:
        duration = activity.get("duration", {})
        for end, key in (("startLocation", "startTimestamp"), ("endLocation", "endTimestamp")):
            location = activity.get(end, {})
            yield f"{label} (activity)", duration.get(key), _e7(location.get("latitudeE7")), _e7(location.get("longitudeE7")), None
        for point in (activity.get("simplifiedRawPath") or {}).get("points", []):
            yield f"{label} (path point)", point.get("timestamp"), _e7(point.get("latE7")), _e7(point.get("lngE7")), point.get(
                "accuracyMeters")


def _segment(label: str, segment: dict[str, Any]) -> Iterator[Record]:
    start, end = segment.get("startTime"), segment.get("endTime")
    visit, activity = segment.get("visit"), segment.get("activity")
    if visit:
        place = (visit.get("topCandidate") or {}).get("placeLocation")
        lat, lon = _latlng(place.get("latLng") if isinstance(place, dict) else place)
        yield f"{label} (visit)", start, lat, lon, None
        yield f"{label} (visit)", end, lat, lon, None
    if activity:
        for key, when in (("start", start), ("end", end)):
            where = activity.get(key)
            lat, lon = _latlng(where.get("latLng") if isinstance(where, dict) else where)
            yield f"{label} (activity)", when, lat, lon, None
    for j, point in enumerate(segment.get("timelinePath") or [], start=1):
        lat, lon = _latlng(point.get("point"))
        when = point.get("time")
        if when is None and "durationMinutesOffsetFromStartTime" in point and start:  # the iOS export
            when = parse_time(start) + dt.timedelta(minutes=float(point["durationMinutesOffsetFromStartTime"]))
            when = when.isoformat()
        yield f"{label} path point {j}", when, lat, lon, None


def _e7(value: Any) -> float | None:  # a JSON value; int() raises TypeError or ValueError unless it is a whole number
    return None if value is None else int(value) / 1e7


def _latlng(text: object) -> tuple[float | None, float | None]:
    match = _LATLNG.match(str(text)) if text is not None else None
    return (float(match.group(1)), float(match.group(2))) if match else (None, None)
