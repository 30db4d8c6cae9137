"""Compare a region pack's countries with OpenStreetMap's (``osm_countries``) on a regular grid over
all land, and find the connected areas where they disagree.

A point counts as mislabelled only where the two sources disagree and OpenStreetMap names the pack's
country nowhere within ``TOLERANCE_KM`` of it: Natural Earth's 1:10m borders are generalised by about
a few km, and a long straight desert border drawn as a straight line in degrees on one side and as a
geodesic on the other parts by up to about 10 km, so a strip along a border is tolerance, not a
mislabelled area (the benchmark measures agreement near borders on its own).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from geor.engine.geo.geocoder import Geocoder

from .osm_countries import disputed, osm_countries

TOLERANCE_KM = 10.0
KM_PER_DEG = 111.32


@dataclass
class Area:
    pack: str
    osm: str
    km2: float
    lat: float
    lon: float


@dataclass
class GridCheck:
    points: int  # land points both sources place in a country
    agree: float
    areas: list[Area]  # connected mislabelled areas, largest first (disputed areas left out)


def grid_check(geocoder: Geocoder, step_deg: float = 0.1, south: float = -60.0, north: float = 84.0) -> GridCheck:
    lats = np.arange(south + step_deg / 2, north, step_deg)
    lons = np.arange(-180 + step_deg / 2, 180, step_deg)
    lat, lon = (a.ravel() for a in np.meshgrid(lats, lons, indexing="ij"))
    ours = np.array(geocoder.lookup_many(lat, lon).columns()["country_a2"], dtype=object)
    land = np.array([bool(c) for c in ours])
    theirs = np.full(lat.shape, frozenset(), dtype=object)
    land_index = np.flatnonzero(land)
    for i, codes in zip(land_index.tolist(), osm_countries(lat[land], lon[land]), strict=True):
        theirs[i] = codes
    both = land & np.array([bool(c) for c in theirs])
    differ = both & np.array([o not in t for o, t in zip(ours, theirs, strict=True)])
    index = np.flatnonzero(differ)
    deep = np.zeros(lat.shape, dtype=bool)
    deep[index] = ~_near(lat[index], lon[index], ours[index].astype(str)) & ~disputed(lat[index], lon[index])
    grid = deep.reshape(len(lats), len(lons))
    labels, count = ndimage.label(grid, structure=np.ones((3, 3)))
    areas = []
    for component in range(1, count + 1):
        cells = np.flatnonzero(labels.ravel() == component)
        km2 = float(np.sum((step_deg * KM_PER_DEG) ** 2 * np.cos(np.radians(lat[cells]))))
        first = cells[len(cells) // 2]
        areas.append(Area(str(ours[first]), ",".join(sorted(theirs[first])), km2, float(lat[first]), float(lon[first])))
    areas.sort(key=lambda a: -a.km2)
    return GridCheck(int(both.sum()), float(1 - differ.sum() / max(both.sum(), 1)), areas)


def _near(lat: np.ndarray, lon: np.ndarray, ours: np.ndarray) -> np.ndarray:
    """Whether OpenStreetMap names ``ours`` somewhere within the tolerance of each point (16 bearings
    at the tolerance and half of it)."""
    found = np.zeros(lat.shape, dtype=bool)
    for radius in (TOLERANCE_KM / 2, TOLERANCE_KM):
        for bearing in np.radians(np.arange(0, 360, 22.5)):
            dlat = radius / KM_PER_DEG * np.cos(bearing)
            dlon = radius / (KM_PER_DEG * np.maximum(np.cos(np.radians(lat)), 0.01)) * np.sin(bearing)
            around = osm_countries(lat + dlat, (lon + dlon + 180) % 360 - 180)
            found |= np.array([o in codes for o, codes in zip(ours, around, strict=True)])
    return found
