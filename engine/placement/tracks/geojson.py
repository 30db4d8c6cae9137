"""GeoJSON (the json module; RFC 7946 has no time, so the conventions tools use): Point features
with a ``time`` / ``timestamp`` / ``datetime`` property, LineStrings with ``coordTimes`` or
``coordinateProperties.times`` (togeojson, Strava and Garmin exports), and positions that carry
the time as a fourth coordinate."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from .timestamps import parse_time
from .track import Fix, TrackError, checked_fix, gather_fixes

TIME_KEYS = ("time", "timestamp", "datetime", "date_time", "when")


def read_geojson(path: Path, data: object) -> tuple[list[Fix], list[str]]:
    """The fixes of a GeoJSON file ``path``, already parsed as ``data`` (tracks/__init__.py)."""
    if not isinstance(data, dict) or data.get("type") not in ("FeatureCollection", "Feature"):
        raise TrackError(f"{path}: not GeoJSON (no FeatureCollection or Feature at the top)")
    features = data.get("features", []) if data["type"] == "FeatureCollection" else [data]
    return gather_fixes(path, ((f"feature {number}", partial(_feature, feature, path.name)) for number, feature in enumerate(features, start=1)))


def _feature(feature: dict[str, Any], source: str) -> list[Fix]:
    geometry: dict[str, Any] = feature.get("geometry") or {}
    properties: dict[str, Any] = feature.get("properties") or {}
    kind = geometry.get("type", "")
    lines = {"LineString": [geometry.get("coordinates", [])], "MultiLineString": geometry.get("coordinates", [])}.get(kind)
    if kind == "Point":
        return _points([geometry["coordinates"]], [_property_time(properties)], source)
    if lines is None:
        return []
    times = properties.get("coordTimes") or (properties.get("coordinateProperties") or {}).get("times")
    fixes = []
    for index, line in enumerate(lines):
        line_times = times[index] if times and kind == "MultiLineString" else times
        fixes.extend(_points(line, line_times or [None] * len(line), source))
    return fixes


def _property_time(properties: dict[str, Any]) -> object:
    return next((properties[k] for k in TIME_KEYS if properties.get(k) not in (None, "")), None)


def _points(coordinates: list[list[float]], times: list[object], source: str) -> list[Fix]:
    if len(times) != len(coordinates):
        raise ValueError(f"{len(coordinates)} positions but {len(times)} times")
    fixes = []
    for position, when in zip(coordinates, times, strict=True):
        if when is None and len(position) >= 4:
            when = position[3]
        if when is None:
            continue
        fix = checked_fix(parse_time(when), float(position[1]), float(position[0]), float(position[2]) if len(position) > 2 else None,
                          source=source)
        if fix is not None:
            fixes.append(fix)
    return fixes
