"""An independent country answer for any point: OpenStreetMap's national borders as the
timezone-boundary-builder polygons carry them (``timezonefinder``; its data is ODbL 1.0), each zone
mapped to its one country by the tz database's ``zone.tab``. The default region pack is built from
Natural Earth, not from these polygons (only its enclaves file takes parts of them, see
``installer/make_enclaves.py``), so agreement with them is a real check.

A zone's polygon can hold more than its ``zone.tab`` country (the builder gives northern Vietnam to
Asia/Bangkok, as ``zone1970.tab`` groups zones that have agreed since 1970), so a zone answers the set
of countries the two tables give it. Zones do not cover open sea (``Etc/...``) and carry territorial
waters; sea zones answer the empty set.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import shapely

if TYPE_CHECKING:
    from timezonefinder import TimezoneFinder

#: Areas whose owner the two sources may rightly name differently (documented de facto / de jure
#: choices: Natural Earth's German point of view against OpenStreetMap's on-the-ground rule), as
#: (name, west, south, east, north).
DISPUTED = (
    ("Kashmir, Aksai Chin and the Shaksgam valley", 72.0, 32.0, 81.0, 37.5),
    ("Arunachal Pradesh / South Tibet", 91.5, 26.5, 97.5, 29.5),
    ("Kosovo (Serbia's timezone)", 20.0, 41.8, 21.8, 43.3),
    ("Golan Heights", 35.6, 32.6, 36.0, 33.4),
    ("West Bank", 34.85, 31.3, 35.6, 32.6),
    ("Bhutan's northern and western borders with China (Doklam, Jakarlung)", 88.7, 27.2, 91.8, 28.4),
    ("Wadi Halfa salient", 30.3, 21.7, 31.7, 22.3),
    ("Hala'ib triangle and Bir Tawil", 33.0, 21.0, 37.0, 23.0),
    ("Ilemi triangle and the undemarcated Ethiopia-South Sudan border", 34.0, 4.4, 36.0, 7.0),
    ("Abyei and Kafia Kingi", 23.0, 8.5, 29.0, 10.5),
)

#: Territories with their own ISO code (or their sovereign's) that the timezone polygons give to
#: another country's zone: there the pack's code is allowed as well, as (code, west, south, east, north).
TERRITORIES = (
    ("SJ", -9.2, 70.7, -7.8, 71.2),  # Jan Mayen: ISO SJ, in Norway's zone
    ("GB", 32.8, 34.55, 33.05, 34.7),  # Akrotiri, a UK Sovereign Base Area, in Cyprus's zone
    ("GB", 33.6, 34.9, 33.95, 35.1),  # Dhekelia, likewise
)


@functools.cache
def _finder() -> TimezoneFinder:
    from timezonefinder import TimezoneFinder

    return TimezoneFinder(in_memory=True)


@functools.cache
def zone_countries() -> dict[str, frozenset[str]]:
    import tzdata

    folder = Path(tzdata.__file__).parent / "zoneinfo"
    table: dict[str, set[str]] = {}
    for name in ("zone.tab", "zone1970.tab"):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                codes, _, zone = line.split("\t")[:3]
                table.setdefault(zone, set()).update(codes.split(","))
    return {zone: frozenset(codes) for zone, codes in table.items()}


def osm_countries(lat: np.ndarray, lon: np.ndarray) -> list[frozenset[str]]:
    """The ISO alpha-2 codes OpenStreetMap's borders allow at each point (empty at sea)."""
    finder, table = _finder(), zone_countries()
    lat, lon = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
    zones = (finder.timezone_at(lng=float(x), lat=float(y)) or "" for y, x in zip(lat, lon, strict=True))
    answers = [table.get(z, frozenset()) for z in zones]
    for code, west, south, east, north in TERRITORIES:
        for i in np.flatnonzero((lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)).tolist():
            answers[i] = answers[i] | {code}
    return answers


def disputed(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    lat, lon = np.asarray(lat), np.asarray(lon)
    inside = np.zeros(lat.shape, dtype=bool)
    for _, west, south, east, north in DISPUTED:
        inside |= (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
    return inside


def disputed_shapes() -> list[shapely.Geometry]:
    return [shapely.box(w, s, e, n) for _, w, s, e, n in DISPUTED]
