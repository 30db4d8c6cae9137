"""Municipal units for the default pack's third level (the Chain of Region's city).

Sources:

* Japan: MLIT's National Land Numerical Information N03 (2022-01-01), the 1,902 municipalities and
  the designated cities' wards, vendored as ``data/japan_municipalities.npz.xz`` (made by
  ``installer/make_japan_municipalities.py``; ``data/SOURCES.md`` has the origin and terms).

How a unit enters the pack (:func:`municipal_regions`):

1. **Clipped to the pack's own polygons, named within its divisions.** A unit is clipped to its own
   country's polygon in the pack (what lies outside is dropped: a municipality never moves a national
   border; at sea the nearest coast's regions are answered, as for the other levels), and its parent
   is the pack's first-level division (Natural Earth's lines, named from GeoNames) holding the
   largest part of it. A point in a unit takes the unit's division, so a chain is always consistent
   (Mount Fuji's summit: Fujinomiya, Shizuoka, where Natural Earth's line would say Yamanashi): where
   municipal borders exist they refine the division borders, which are unions of municipalities.
2. **Gaps.** The part of a division that none of its units covers (coarser coasts, the sources'
   slivers) is split into its connected pieces; a piece lying wholly within ``GAP_DEG`` (0.02°,
   about 2 km) of its division's units joins the nearest one (distance from the piece's
   representative point; ties to the smaller key), else it keeps no unit and the chain falls back
   to the nearest town.
3. **Overlaps.** Where two units overlap (0.001 km² in all for Japan), a point takes the unit that
   the grid lists first, which is the order of their keys: deterministic, never "both".
"""

from __future__ import annotations

import io
import lzma
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from .build import RegionInput, polygonal

DATA = Path(__file__).resolve().parent / "data"
JAPAN_FILE = DATA / "japan_municipalities.npz.xz"
JAPAN_SOURCE = "MLIT N03 2022 municipality"
#: A piece of a division that no unit covers joins its nearest unit when it lies wholly this close.
GAP_DEG = 0.02


@dataclass(kw_only=True)
class MunicipalUnit:
    key: str
    name: str  # the city's name as a chain writes it (Biei; Kyoto for a ward of Kyoto)
    kind: str  # City, Town, Village, Special ward, Commune ...
    detail: str  # the ward or district, in English where known (Kita Ward; Kamikawa District)
    source: str  # which data set and level, for people ("MLIT N03 2022 municipality")
    country_a2: str
    geometry: Any


def read_japan(path: Path = JAPAN_FILE) -> list[MunicipalUnit]:
    """Japan's municipalities (wards of designated cities as units of their own, named by their city)."""
    data = np.load(io.BytesIO(lzma.decompress(path.read_bytes())), allow_pickle=False)
    quantum = float(data["quantum_deg"][0])
    coords = np.column_stack([np.cumsum(data["lon_delta"], dtype=np.int64), np.cumsum(data["lat_delta"], dtype=np.int64)]) * quantum
    geometries = shapely.from_ragged_array(shapely.GeometryType.MULTIPOLYGON, coords,
                                           (data["ring_offsets"], data["polygon_offsets"], data["unit_offsets"]))
    attr = {name[5:]: data[name].tolist() for name in data.files if name.startswith("attr_")}
    units = []
    for i, geometry in enumerate(geometries):
        ward, county, kind = attr["ward_en"][i], attr["county_en"][i], attr["type_en"][i]
        detail = f"{ward} Ward" if ward else f"{county} District" if county else ""
        units.append(MunicipalUnit(key=attr["unit_id"][i], name=attr["name_en"][i], kind=kind, detail=detail,
                                   source=JAPAN_SOURCE + (" (ward)" if ward else ""), country_a2="JP", geometry=geometry))
    return units


def municipal_regions(units: list[MunicipalUnit], regions: list[RegionInput]) -> list[RegionInput]:
    """Level-2 regions from ``units``, clipped to and named within the countries and first-level
    divisions of ``regions`` (the pack's levels 0 and 1), gaps filled as the module says."""
    country_keys = {r.iso_a2: r.key for r in regions if r.level == 0 and r.iso_a2}
    divisions_of: dict[str, list[RegionInput]] = {}
    for region in regions:
        if region.level == 1 and region.parent_key is not None:
            divisions_of.setdefault(region.parent_key, []).append(region)
    by_country: dict[str, list[MunicipalUnit]] = {}
    for unit in units:
        by_country.setdefault(unit.country_a2, []).append(unit)
    out: list[RegionInput] = []
    for country_a2, members in sorted(by_country.items()):
        divisions = divisions_of.get(country_keys.get(country_a2, ""), [])
        if divisions:
            out.extend(_clipped(sorted(members, key=lambda u: u.key), divisions))
    return out


def _clipped(units: list[MunicipalUnit], divisions: list[RegionInput]) -> list[RegionInput]:
    division_geometries = shapely.make_valid(np.array([d.geometry for d in divisions], dtype=object))
    shapely.prepare(division_geometries)
    # rounding (the vendored files) or simplification (the sources) can leave a ring touching itself
    unit_geometries = np.array([polygonal(g) for g in shapely.make_valid(np.array([u.geometry for u in units], dtype=object), method="structure", keep_collapsed=False)], dtype=object)
    keep = np.array([g is not None for g in unit_geometries], dtype=bool)
    units = [u for u, k in zip(units, keep, strict=True) if k]
    unit_geometries = unit_geometries[keep]
    unit_at, division_at = shapely.STRtree(division_geometries).query(unit_geometries, predicate="intersects")
    pieces: dict[int, list[tuple[int, Any]]] = {}  # division -> (unit, piece)
    within = shapely.within(unit_geometries[unit_at], division_geometries[division_at])
    cut = shapely.intersection(unit_geometries[unit_at[~within]], division_geometries[division_at[~within]])
    whole_pairs = zip(unit_at[within].tolist(), division_at[within].tolist(), unit_geometries[unit_at[within]], strict=True)
    cut_pairs = zip(unit_at[~within].tolist(), division_at[~within].tolist(), cut, strict=True)
    for u, d, piece in (*whole_pairs, *cut_pairs):
        piece = polygonal(piece)
        if piece is not None:
            pieces.setdefault(d, []).append((u, piece))
    grown: dict[int, list[tuple[int, Any]]] = {}  # unit -> (division, piece)
    for d, members in sorted(pieces.items()):
        for u, piece in _fill_gaps(division_geometries[d], members):
            grown.setdefault(u, []).append((d, piece))
    out: list[RegionInput] = []
    for u, parts in sorted(grown.items()):
        unit = units[u]
        home = max(parts, key=lambda part: (shapely.area(part[1]), -part[0]))[0]
        geometry = parts[0][1] if len(parts) == 1 else polygonal(shapely.union_all(np.array([p for _, p in parts], dtype=object)))
        if geometry is not None:
            out.append(RegionInput(level=2, key=unit.key, name=unit.name, geometry=geometry, parent_key=divisions[home].key, code=unit.key,
                                   kind=unit.kind, detail=unit.detail, source=unit.source))
    return out


def _fill_gaps(division: Any, members: list[tuple[int, Any]]) -> list[tuple[int, Any]]:
    """``members`` (unit, piece) of one division, each piece grown by the uncovered parts of the
    division that lie wholly within ``GAP_DEG`` of the units, given to the nearest."""
    geometries = np.array([piece for _, piece in members], dtype=object)
    try:
        covered = shapely.coverage_union_all(geometries)
        if not covered.is_valid:
            raise shapely.errors.GEOSException("not a coverage")
    except shapely.errors.GEOSException:
        covered = shapely.union_all(geometries)
    gaps = polygonal(shapely.make_valid(shapely.difference(division, covered)))
    if gaps is None:
        return members
    grown: dict[int, list[Any]] = {}
    tree = shapely.STRtree(geometries)
    for gap in shapely.get_parts(gaps):
        near = tree.query(gap, predicate="dwithin", distance=GAP_DEG)
        if not len(near):
            continue
        vertices = shapely.points(shapely.get_coordinates(gap))
        if float(shapely.distance(vertices, shapely.union_all(geometries[near])).max()) > GAP_DEG:
            continue
        anchor = shapely.point_on_surface(gap)
        distances = shapely.distance(geometries[near], anchor)
        best = int(near[np.lexsort((near, distances))[0]])
        grown.setdefault(best, []).append(gap)
    if not grown:
        return members
    out = list(members)
    for m, extra in grown.items():
        try:
            merged = polygonal(shapely.union_all(np.array([members[m][1], *extra], dtype=object)))
        except shapely.errors.GEOSException:  # a sliver GEOS cannot join: the unit stays as it was
            continue
        if merged is not None:
            out[m] = (members[m][0], merged)
    return out


def unit_km2(geometry: Any) -> float:
    """A polygon's area in km² (degrees scaled at its centroid's latitude; enough to tell large units)."""
    lat = shapely.centroid(geometry).y
    return float(shapely.area(geometry)) * 111.32**2 * float(np.cos(np.radians(lat)))
