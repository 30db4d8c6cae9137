"""Find (latitude, longitude) pairs in free text, in the spellings models actually write:
decimal degrees ``(43.452002, 142.615358)``, hemisphere letters ``43.45° N, 142.61° E`` or
``N 43.45 E 142.61``, degrees-minutes(-seconds) ``43°27'07.2"N 142°36'55.3"E``, and labelled
``lat: 43.45, lon: 142.61``. Lenient about spelling, strict about values: minutes and seconds
below 60, latitude within [-90, 90], longitude within [-180, 180], no sign that contradicts its
hemisphere. Never raises; a bad pair comes back with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEMI = r"(?:north|south|east|west|[NSEW])(?![A-Za-z])"
_DEG_MARK = r"(?:°|º|˚|\s?deg(?:rees?)?\b)"
_MIN_MARK = r"(?:'|′|’|‘|\s?min\b)"
_SEC_MARK = r"(?:\"|″|”|“|''|′′|’’|\s?sec\b)"
_SIGNS = "-+\u2212\u2013"  # hyphen, plus, minus sign, en dash


def _component(p: str) -> str:
    """One coordinate with named groups prefixed by ``p``; hemisphere before or after, not both."""
    return (
        rf"(?:(?P<{p}pre>{_HEMI})\s*)?"
        rf"(?P<{p}sign>[{_SIGNS}])?\s*"
        rf"(?<![\d.])(?P<{p}deg>\d{{1,3}}(?:\.\d+)?)(?![\d])\s*(?P<{p}dmark>{_DEG_MARK})?\s*"
        rf"(?:(?P<{p}min>\d{{1,2}}(?:\.\d+)?)\s*{_MIN_MARK}\s*"
        rf"(?:(?P<{p}sec>\d{{1,2}}(?:\.\d+)?)\s*{_SEC_MARK}\s*)?)?"
        rf"(?({p}pre)|(?P<{p}post>{_HEMI})?)"
    )


_COMPONENT = re.compile(_component(""), re.IGNORECASE)
_PAIR = re.compile(
    _component("a_") + r"\s*(?:[,;/]|\band\b)?\s*" + _component("b_"), re.IGNORECASE
)
_LAT_LABEL = re.compile(r"\b(?:lat|latitude)\b\s*[:=]?\s*", re.IGNORECASE)
_LON_LABEL = re.compile(r"\b(?:lon|lng|long|longitude)\b\s*[:=]?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class CoordinatePair:
    """A pair found in text: position, where it was, and why it is unusable (None if usable)."""

    lat: float
    lon: float
    span: tuple[int, int]
    error: str | None = None
    out_of_range: bool = False


@dataclass(frozen=True)
class _Value:
    degrees: float
    axis: str | None  # "lat", "lon" or None when no hemisphere was written
    explicit: bool  # written with a decimal point, degree mark, minutes or hemisphere
    error: str | None


def find_pairs(text: str, strict: bool = False) -> list[CoordinatePair]:
    """All coordinate pairs in ``text`` in order of appearance.

    ``strict`` (for prose outside a Coordinates field) only accepts numbers that look like
    coordinates (a decimal point, a degree mark, minutes or a hemisphere on both, or the pair in
    brackets), so that "Route 66, 5 km" is not a position.
    """
    pairs = _labelled_pairs(text)
    taken = [pair.span for pair in pairs]
    for match in _PAIR.finditer(text):
        if any(start < match.end() and match.start() < end for start, end in taken):
            continue
        a, b = _value(match, "a_"), _value(match, "b_")
        if strict and not (a.explicit and b.explicit) and not _bracketed(text, match.span()):
            continue
        pairs.append(_combine(a, b, match.span()))
    return sorted(pairs, key=lambda pair: pair.span)


def _bracketed(text: str, span: tuple[int, int]) -> bool:
    before, after = text[:span[0]].rstrip(), text[span[1]:].lstrip()
    return bool(before) and bool(after) and before[-1] + after[0] in ("()", "[]")


def _labelled_pairs(text: str) -> list[CoordinatePair]:
    """``lat: 43.4 ... lon: 142.6`` (either order), when each label is followed by a number."""
    lats = [m for m in _LAT_LABEL.finditer(text) if _COMPONENT.match(text, m.end())]
    lons = [m for m in _LON_LABEL.finditer(text) if _COMPONENT.match(text, m.end())]
    pairs = []
    for lat_label, lon_label in zip(lats, lons, strict=False):  # labels pair up in order; one left without a partner gives no pair
        lat_match = _COMPONENT.match(text, lat_label.end())
        lon_match = _COMPONENT.match(text, lon_label.end())
        assert lat_match is not None and lon_match is not None
        lat, lon = _value(lat_match, ""), _value(lon_match, "")
        span = (min(lat_label.start(), lon_label.start()), max(lat_match.end(), lon_match.end()))
        error = lat.error or lon.error
        if lat.axis == "lon" or lon.axis == "lat":
            error = error or "hemisphere letter contradicts its lat/lon label"
        pairs.append(_checked(lat.degrees, lon.degrees, span, error))
    return pairs


def _value(match: re.Match[str], p: str) -> _Value:
    group = match.group
    degrees_text, minutes_text, seconds_text = group(f"{p}deg"), group(f"{p}min"), group(f"{p}sec")
    hemisphere = (group(f"{p}pre") or group(f"{p}post") or "")[:1].upper()
    sign = group(f"{p}sign")
    error = None
    value = float(degrees_text)
    if minutes_text is not None:
        if "." in degrees_text:
            error = f"minutes after fractional degrees in {match.group(0).strip()!r}"
        minutes = float(minutes_text)
        if minutes >= 60:
            error = f"minutes {minutes_text} not below 60"
        value += minutes / 60
        if seconds_text is not None:
            if "." in minutes_text:
                error = f"seconds after fractional minutes in {match.group(0).strip()!r}"
            seconds = float(seconds_text)
            if seconds >= 60:
                error = f"seconds {seconds_text} not below 60"
            value += seconds / 3600
    negative = sign is not None and sign != "+"
    if hemisphere in ("N", "E") and negative:
        error = error or f"negative sign with hemisphere {hemisphere}"
    if hemisphere in ("S", "W") or negative:
        value = -value
    axis = {"N": "lat", "S": "lat", "E": "lon", "W": "lon"}.get(hemisphere)
    explicit = bool("." in degrees_text or group(f"{p}dmark") or minutes_text or hemisphere)
    return _Value(value, axis, explicit, error)


def _combine(a: _Value, b: _Value, span: tuple[int, int]) -> CoordinatePair:
    error = a.error or b.error
    if a.axis is not None and a.axis == b.axis:
        return CoordinatePair(a.degrees, b.degrees, span, f"both values name the {a.axis} hemisphere")
    swap = a.axis == "lon" or b.axis == "lat"
    lat, lon = (b.degrees, a.degrees) if swap else (a.degrees, b.degrees)
    return _checked(lat, lon, span, error)


def _checked(lat: float, lon: float, span: tuple[int, int], error: str | None) -> CoordinatePair:
    if error is not None:
        return CoordinatePair(lat, lon, span, error)
    if not -90.0 <= lat <= 90.0:
        return CoordinatePair(lat, lon, span, f"latitude {lat:g} outside [-90, 90]", out_of_range=True)
    if not -180.0 <= lon <= 180.0:
        return CoordinatePair(lat, lon, span, f"longitude {lon:g} outside [-180, 180]", out_of_range=True)
    return CoordinatePair(lat, lon, span)
