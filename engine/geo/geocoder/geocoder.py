"""The reverse geocoder: (lat, lon) -> continent, country, state/province, district, nearest town.

Queries run in batches over NumPy arrays (numba kernels, parallel); a single lookup is a batch of
one. A point inside a polygon gets that region exactly (point-in-polygon against the pack's
polygons); a point at sea within ``sea_km`` of land gets the nearest region with
``offshore_km`` set; farther out it gets no region, never an error. Invalid input is reported per
row in the batch result.
"""

from __future__ import annotations

import math
import threading
from dataclasses import KW_ONLY, asdict, dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from geor.engine.errors import BadInput
from geor.engine.geo._kernels import unit_vectors
from geor.engine.geo.haversine import chord_to_km, km_to_chord
from geor.engine.geo.validation import check_lat_lon

from . import _kernels
from .pack_format import Pack, StringTable
from .pack_schema import level_array, read_region_pack, string_arrays

#: Default reach of "nearest region" for points off a coast, and of the nearest-town search.
DEFAULT_SEA_KM = 25.0
DEFAULT_TOWN_KM = 300.0


@dataclass(frozen=True)
class Place:
    """Everything the geocoder knows about one position; None where it knows nothing. The position
    is positional (``Place(lat, lon)``), the rest by name."""

    lat: float
    lon: float
    _: KW_ONLY
    continent: str | None = None
    country: str | None = None
    country_a2: str | None = None
    country_a3: str | None = None
    state: str | None = None
    state_code: str | None = None  # ISO 3166-2 where the data has it
    district: str | None = None
    city: str | None = None
    city_population: int | None = None
    city_km: float | None = None
    offshore_km: float | None = None  # set when the point lies outside every polygon but near one
    error: str | None = None  # why the input row could not be geocoded
    district_kind: str | None = None  # the district's type where the pack says ("Municipality", "County" ...)
    district_detail: str | None = None  # the ward or district within it ("Kita Ward", "Kamikawa District")
    district_source: str | None = None  # set where the pack chose the unit as the municipality: its data set and level
    district_km2: float | None = None  # the district's area where the pack says

    @property
    def on_land(self) -> bool:
        return self.country is not None and self.offshore_km is None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _or_none(known: NDArray[np.bool_], values: np.ndarray) -> list[object]:
    """``values`` as plain Python values, None where not ``known``."""
    table = values.astype(object)
    table[~known] = None
    plain: list[object] = table.tolist()
    return plain


@dataclass(kw_only=True)
class GeocodeBatch:
    """Results of a batch as arrays (index -1 = none); ``place(i)`` gives one row as a :class:`Place`."""

    geocoder: Geocoder
    lat: np.ndarray
    lon: np.ndarray
    region: list[np.ndarray]  # per level: region index
    offshore_km: np.ndarray  # NaN when inside a polygon
    city: np.ndarray
    city_km: np.ndarray
    errors: dict[int, str]

    def __len__(self) -> int:
        return len(self.lat)

    def columns(self) -> dict[str, list[object]]:
        """The whole batch as columns of plain values ("" or None where unknown), for tables."""
        g = self.geocoder

        def names(level: int, column: str) -> list[object]:
            if level >= len(self.region):
                return [""] * len(self)
            return g.strings_at(level, column, self.region[level])

        towns = self.city
        population = g.pack.arrays["city_population"][np.maximum(towns, 0)]
        return {
            "continent": names(0, "continent"),
            "country": names(0, "name"),
            "country_a2": names(0, "iso_a2"),
            "country_a3": names(0, "code"),
            "state": names(1, "name"),
            "state_code": names(1, "code"),
            "district": names(2, "name"),
            "district_kind": names(2, "kind") if g.has_column(2, "kind") else [""] * len(self),
            "district_detail": names(2, "detail") if g.has_column(2, "detail") else [""] * len(self),
            "district_source": names(2, "source") if g.has_column(2, "source") else [""] * len(self),
            "city": g.strings_at(-1, "name", towns),
            "city_population": _or_none(towns >= 0, population),
            "city_km": _or_none(towns >= 0, np.round(self.city_km, 3)),
            "offshore_km": _or_none(~np.isnan(self.offshore_km), np.round(self.offshore_km, 3)),
        }

    def place(self, i: int) -> Place:
        g = self.geocoder
        if i in self.errors:
            return Place(lat=float(self.lat[i]), lon=float(self.lon[i]), error=self.errors[i])
        fields: dict[str, Any] = {}
        country = int(self.region[0][i])
        if country >= 0:
            fields |= {
                "continent": g.strings(0, "continent")[country] or None,
                "country": g.strings(0, "name")[country],
                "country_a2": g.strings(0, "iso_a2")[country] or None,
                "country_a3": g.strings(0, "code")[country] or None,
            }
        if len(self.region) > 1 and self.region[1][i] >= 0:
            state = int(self.region[1][i])
            fields |= {"state": g.strings(1, "name")[state], "state_code": g.strings(1, "code")[state] or None}
        if len(self.region) > 2 and self.region[2][i] >= 0:
            district = int(self.region[2][i])
            fields["district"] = g.strings(2, "name")[district]
            for column in ("kind", "detail", "source"):
                if g.has_column(2, column):
                    fields[f"district_{column}"] = g.strings(2, column)[district] or None
            areas = g.pack.arrays.get(level_array(2, "area_km2"))
            if areas is not None:
                fields["district_km2"] = round(float(areas[district]), 1)
        if self.city[i] >= 0:
            city = int(self.city[i])
            fields |= {
                "city": g.city_strings("name")[city],
                "city_population": int(g.pack.arrays["city_population"][city]),
                "city_km": round(float(self.city_km[i]), 3),
            }
        if not math.isnan(self.offshore_km[i]):
            fields["offshore_km"] = round(float(self.offshore_km[i]), 3)
        return Place(lat=float(self.lat[i]), lon=float(self.lon[i]), **fields)


class Geocoder:
    """Opens a region pack (memory-mapped, checked against :mod:`.pack_schema`) and answers queries
    against it; a :class:`Pack` given instead of a path is taken as it is."""

    def __init__(self, pack: Path | Pack, sea_km: float = DEFAULT_SEA_KM, town_km: float = DEFAULT_TOWN_KM) -> None:
        self.pack: Pack = pack if isinstance(pack, Pack) else read_region_pack(Path(pack))
        self.sea_km = float(sea_km)
        self.town_km = float(town_km)
        meta = self.pack.meta
        self.levels: list[str] = list(meta["levels"])
        self._cell_deg = float(meta["cell_deg"])
        self._rows = int(meta["grid_rows"])
        self._string_cache: dict[tuple[int, str], StringTable] = {}
        self._edge_lock = threading.Lock()

    @property
    def meta(self) -> dict[str, Any]:
        return self.pack.meta

    def lookup(self, lat: float, lon: float) -> Place:
        """One position. An impossible one raises
        :class:`~geor.engine.geo.validation.CoordinateRangeError`, NaN a ValueError: a single
        lookup has no row to report them on, unlike :meth:`lookup_many`."""
        if math.isnan(lat) or math.isnan(lon):
            raise BadInput(f"({lat}, {lon}) is not a position")
        check_lat_lon(np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64))
        return self.lookup_many([lat], [lon]).place(0)

    def lookup_many(self, lat: ArrayLike, lon: ArrayLike, town_scope: str = "country", largest_town_km: float = 0.0) -> GeocodeBatch:
        """Geocode arrays of positions; invalid rows are listed in ``errors`` and skipped.

        The nearest town is searched among the towns of the same country (``town_scope="country"``),
        of the same state where the state is known (``"state"``), or of the same district, else state,
        else country (``"district"``), so that a chain never names a town across a border. With ``largest_town_km`` > 0 the most populous town within that
        distance is taken instead when there is one (the city, not its nearest quarter).
        """
        if town_scope not in ("country", "state", "district"):
            raise ValueError(f"town_scope must be 'country', 'state' or 'district', got {town_scope!r}")
        lat_a = np.ascontiguousarray(lat, dtype=np.float64).ravel()
        lon_a = np.ascontiguousarray(lon, dtype=np.float64).ravel()
        if lat_a.shape != lon_a.shape:
            raise ValueError(f"lat and lon differ in length ({lat_a.shape[0]} vs {lon_a.shape[0]})")
        n = lat_a.shape[0]
        invalid_lat = ~(np.abs(lat_a) <= 90.0)
        invalid_lon = ~np.isfinite(lon_a)
        errors: dict[int, str] = {}
        for i in np.flatnonzero(invalid_lat | invalid_lon):
            errors[int(i)] = _position_error(float(lat_a[i]), float(lon_a[i]))
        valid = ~(invalid_lat | invalid_lon)

        regions = [np.full(n, -1, dtype=np.int32) for _ in self.levels]
        # finest level first: a region found there fixes its parents, keeping the chain consistent
        todo = valid.copy()
        for level in reversed(range(len(self.levels))):
            if not todo.any():
                break
            found = np.full(n, -1, dtype=np.int32)
            _kernels.locate(lat_a, lon_a, todo, self._piece_grids[level], found)
            hit = todo & (found >= 0)
            regions[level][hit] = found[hit]
            self._fill_parents(regions, level, hit)
            todo &= ~hit

        offshore = np.full(n, np.nan)
        xyz = unit_vectors(lat_a, lon_a) if n else np.empty((3, 0))
        if todo.any() and self.sea_km > 0:
            self._nearest_regions(xyz, todo, regions, offshore)

        city = np.full(n, -1, dtype=np.int64)
        city_km = np.full(n, np.nan)
        has_country = valid & (regions[0] >= 0)
        if has_country.any() and self.town_km > 0 and len(self.pack.arrays.get("city_lat", ())):
            chord2 = np.full(n, np.inf)
            a = self.pack.arrays
            searches = []
            rest = has_country.copy()
            scopes = {"country": 0, "state": 1, "district": 2}[town_scope]
            for level, column in ((2, "city_district"), (1, "city_state")):
                if level <= scopes and column in a:
                    scoped = rest & (regions[level] >= 0)
                    searches.append((scoped, regions[level], a[column]))
                    rest &= ~scoped
            searches.append((rest, regions[0], a["city_country"]))
            for todo_towns, query_group, town_group in searches:
                queries = _kernels.Queries(xyz[0], xyz[1], xyz[2], todo_towns, query_group)
                _kernels.nearest_in_cube_grid(queries, self._town_grid, town_group, km_to_chord(self.town_km), city, chord2)
                if largest_town_km > 0:
                    largest = np.full(n, -1, dtype=np.int64)
                    largest_c2 = np.full(n, np.inf)
                    _kernels.nearest_in_cube_grid(queries, self._town_grid, town_group, km_to_chord(largest_town_km), largest, largest_c2,
                                                  a["city_population"].astype(np.float64))
                    use = largest >= 0
                    city[use], chord2[use] = largest[use], largest_c2[use]
            city_km = chord_to_km(np.sqrt(chord2))
        return GeocodeBatch(geocoder=self, lat=lat_a, lon=lon_a, region=regions, offshore_km=offshore, city=city, city_km=city_km, errors=errors)

    # -- the pack's strings ----------------------------------------------------------------------

    def has_column(self, level: int, column: str) -> bool:
        """Whether the pack has this string column of a level (packs built before it was added do not)."""
        return level < len(self.levels) and string_arrays(level_array(level, column))[0] in self.pack.arrays

    def strings(self, level: int, column: str) -> StringTable:
        """A string column of a level's regions ("name", "code", "key", "kind"; level 0 also "iso_a2",
        "continent"), indexed by region, decoded one string at a time."""
        key = (level, column)
        if key not in self._string_cache:
            self._string_cache[key] = self._string_table(level_array(level, column))
        return self._string_cache[key]

    def city_strings(self, column: str) -> StringTable:
        """A string column of the towns ("name", "country_a2", "admin1"), indexed by town."""
        key = (-1, column)
        if key not in self._string_cache:
            self._string_cache[key] = self._string_table(f"city_{column}")
        return self._string_cache[key]

    def strings_at(self, level: int, column: str, index: np.ndarray, missing: object = "") -> list[object]:
        """The strings of a column (level -1: the towns') at ``index`` (``missing`` where it is -1). A
        small batch decodes only the strings it names: the towns' column alone holds over a hundred
        thousand, a second's decoding for a job that names a few hundred photos."""
        key = f"_list_{level}_{column}"
        table = self.city_strings(column) if level < 0 else self.strings(level, column)
        if key in self.__dict__ or 8 * len(index) >= len(table):
            values = self.string_list(level, column)
            lookup = np.empty(len(values) + 1, dtype=object)
            lookup[:-1] = values
            lookup[-1] = missing
            picked: list[object] = lookup[np.where(index >= 0, index, len(values))].tolist()
            return picked
        wanted = index.tolist()
        decoded = {i: table[i] for i in set(wanted) if i >= 0}
        return [decoded[i] if i >= 0 else missing for i in wanted]

    def string_list(self, level: int, column: str) -> list[str]:
        """A whole string column decoded once (level -1: the towns')."""
        key = f"_list_{level}_{column}"
        if key not in self.__dict__:
            table = self.city_strings(column) if level < 0 else self.strings(level, column)
            self.__dict__[key] = table.to_list()
        values: list[str] = self.__dict__[key]
        return values

    # -- internals -----------------------------------------------------------------------------

    @cached_property
    def _piece_grids(self) -> list[_kernels.PieceGrid]:
        """Each level's grid, as :func:`_kernels.locate` takes it (its arrays are the pack's, named as its fields)."""
        a = self.pack.arrays
        arrays = _kernels.PieceGrid._fields[3:]  # after cell_deg, n_rows, n_cols
        return [
            _kernels.PieceGrid(self._cell_deg, self._rows, 2 * self._rows, *(a[level_array(level, name)] for name in arrays))
            for level in range(len(self.levels))
        ]

    def _fill_parents(self, regions: list[np.ndarray], level: int, hit: np.ndarray) -> None:
        for parent_level in reversed(range(level)):
            child = regions[parent_level + 1][hit]
            regions[parent_level][hit] = self.pack.arrays[level_array(parent_level + 1, "parent")][child]

    def _nearest_regions(self, xyz: np.ndarray, todo: np.ndarray, regions: list[np.ndarray], offshore: np.ndarray) -> None:
        """Snap points outside every polygon to the region of the nearest boundary vertex within
        ``sea_km`` (its level and the levels above it)."""
        a = self.pack.arrays
        index = np.full(len(todo), -1, dtype=np.int64)
        chord2 = np.full(len(todo), np.inf)
        queries = _kernels.Queries(xyz[0], xyz[1], xyz[2], todo, np.full(len(todo), -1, dtype=np.int32))
        grid, filled = self._edge_grid
        with self._edge_lock:  # the vertices near these queries get their unit vectors, once (a job's threads share the grid)
            _kernels.fill_unit_vectors_near(queries, grid.cell_ids, grid.cell_start, grid.order, grid.bits, grid.grid, km_to_chord(self.sea_km),
                                            a["edge_lat"], a["edge_lon"], grid.x, grid.y, grid.z, filled)
        _kernels.nearest_in_cube_grid(queries, grid, self._edge_group, km_to_chord(self.sea_km), index, chord2)
        with self._edge_lock:
            _kernels.fill_unit_vectors_beside(index, a["edge_lat"], a["edge_lon"], grid.x, grid.y, grid.z)
        _kernels.refine_to_segments(queries, index, grid, a["edge_joined"], chord2)
        hit = np.flatnonzero(todo & (index >= 0))
        levels, found = a["edge_level"][index[hit]], a["edge_region"][index[hit]]
        for level in range(len(self.levels)):
            at_level = levels == level
            regions[level][hit[at_level]] = found[at_level]
            self._fill_parents(regions, level, _mask(len(todo), hit[at_level]))
        offshore[hit] = chord_to_km(np.sqrt(chord2[hit]))

    @cached_property
    def _edge_grid(self) -> tuple[_kernels.CubeGrid, NDArray[np.bool_]]:
        """The boundary vertices' cube-grid index, made on first use, and which of its cells hold
        their unit vectors: millions of vertices (7.5 million in the default pack, 0.4 s and 180 MB
        of trigonometry for them all), of which a job needs those near its positions at sea
        (_nearest_regions fills them; the rest of the arrays stays untouched, never paged in)."""
        n = len(self.pack.arrays["edge_lat"])
        xyz = np.empty((3, n))
        grid = self._cube_grid(xyz, "edge", int(self.meta["vertex_cube_grid"]))
        return grid, np.zeros(len(grid.cell_ids), dtype=np.bool_)

    @cached_property
    def _edge_group(self) -> np.ndarray:
        return np.zeros(len(self.pack.arrays["edge_lat"]), dtype=np.int32)

    @cached_property
    def _town_grid(self) -> _kernels.CubeGrid:
        """The towns' cube-grid index, made on first use."""
        a = self.pack.arrays
        xyz = unit_vectors(np.ascontiguousarray(a["city_lat"]), np.ascontiguousarray(a["city_lon"]))
        return self._cube_grid(xyz, "city", int(self.meta["city_cube_grid"]))

    def _cube_grid(self, xyz: np.ndarray, prefix: str, grid: int) -> _kernels.CubeGrid:
        a = self.pack.arrays
        cell_ids = a[f"{prefix}_cell_ids"]
        return _kernels.CubeGrid(xyz[0], xyz[1], xyz[2], cell_ids, a[f"{prefix}_cell_start"], a[f"{prefix}_order"],
                                 _kernels.occupancy_bits(cell_ids, grid), grid)

    def _string_table(self, column: str) -> StringTable:
        blob, offsets = string_arrays(column)
        return StringTable(self.pack.arrays[blob], self.pack.arrays[offsets])


def _mask(n: int, index: np.ndarray) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[index] = True
    return mask


def _position_error(lat: float, lon: float) -> str:
    if math.isnan(lat):
        return "latitude is missing or not a number"
    if not -90.0 <= lat <= 90.0:
        return f"latitude {lat:g} is outside [-90, 90]"
    if math.isnan(lon):
        return "longitude is missing or not a number"
    return f"longitude {lon:g} is not finite"
