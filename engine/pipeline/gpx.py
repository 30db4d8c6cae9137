"""GPX track logs: positions by time, interpolated between fixes like ``exiftool -geotag``.

Defaults follow exiftool's: a photo between two fixes less than 30 minutes apart is interpolated
between them; one up to 30 minutes before the first or after the last fix takes that fix.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from geor.engine.geo.interpolate import great_circle_point

MAX_INTERPOLATION_S = 1800.0
MAX_EXTRAPOLATION_S = 1800.0


class GpxError(ValueError):
    """A GPX file that cannot be read; the message names it."""


@dataclass(frozen=True)
class Fix:
    t: float  # seconds since the epoch, UTC
    lat: float
    lon: float
    ele: float | None


class Track:
    def __init__(self, fixes: list[Fix]) -> None:
        self.fixes = sorted(fixes, key=lambda f: f.t)
        self.times = [f.t for f in self.fixes]

    @classmethod
    def read(cls, paths: list[Path]) -> Track:
        fixes: list[Fix] = []
        for path in paths:
            fixes.extend(_read_gpx(Path(path)))
        return cls(fixes)

    def position_at(self, when_utc: dt.datetime) -> tuple[float, float, float | None, float] | None:
        """(lat, lon, elevation, seconds to the nearest fix) at a moment, or None when too far."""
        if not self.fixes:
            return None
        t = when_utc.timestamp()
        i = bisect.bisect_left(self.times, t)
        if i < len(self.fixes) and self.times[i] == t:
            f = self.fixes[i]
            return f.lat, f.lon, f.ele, 0.0
        if i == 0 or i == len(self.fixes):
            f = self.fixes[0] if i == 0 else self.fixes[-1]
            gap = abs(f.t - t)
            return (f.lat, f.lon, f.ele, gap) if gap <= MAX_EXTRAPOLATION_S else None
        a, b = self.fixes[i - 1], self.fixes[i]
        if b.t - a.t > MAX_INTERPOLATION_S:
            return None
        fraction = (t - a.t) / (b.t - a.t)
        lat, lon = great_circle_point(a.lat, a.lon, b.lat, b.lon, fraction)
        ele = None if a.ele is None or b.ele is None else a.ele + fraction * (b.ele - a.ele)
        return lat, lon, ele, min(t - a.t, b.t - t)


def _read_gpx(path: Path) -> list[Fix]:
    try:
        tree = ET.parse(path)
    except FileNotFoundError:
        raise GpxError(f"{path}: no such GPX file") from None
    except ET.ParseError as exc:
        raise GpxError(f"{path}: not a GPX (XML) file ({exc})") from None
    fixes = []
    for element in tree.iter():
        if not element.tag.endswith(("}trkpt", "}rtept", "}wpt")) and element.tag not in ("trkpt", "rtept", "wpt"):
            continue
        time_text = next((child.text for child in element if child.tag.endswith("time")), None)
        if not time_text:
            continue
        try:
            lat, lon = float(element.attrib["lat"]), float(element.attrib["lon"])
            when = dt.datetime.fromisoformat(time_text.strip().replace("Z", "+00:00"))
        except (KeyError, ValueError):
            continue  # a damaged point does not spoil the track
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            continue
        ele_text = next((child.text for child in element if child.tag.endswith("ele")), None)
        try:
            ele = float(ele_text) if ele_text else None
        except ValueError:
            ele = None
        fixes.append(Fix(when.timestamp(), lat, lon, ele))
    if not fixes:
        raise GpxError(f"{path}: no timed track points")
    return fixes


def parse_utc_offset(text: str | None, what: str = "time zone") -> dt.timedelta | None:
    """"+02:00", "-0500", "+9" -> the offset; None or "" -> None; anything else is a ValueError naming ``what``."""
    if text is None or not text.strip():
        return None
    match = re.fullmatch(r"([+-])(\d{1,2}):?(\d{2})?", text.strip())
    if not match or int(match.group(2)) > 14 or int(match.group(3) or 0) >= 60:
        raise ValueError(f"{what} {text!r}: expected an offset like +02:00 or -0500")
    sign = -1 if match.group(1) == "-" else 1
    return sign * dt.timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))
