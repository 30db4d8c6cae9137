"""What a region pack holds: every array's name, dtype and meaning, and the metadata the geocoder
needs, declared once (as gguf-py's ``constants.py`` describes GGUF).

:mod:`.pack_format` is the container below this (named arrays plus JSON, knowing nothing of
regions); :mod:`.build` checks what it writes against this schema, and :func:`read_region_pack`
checks what a reader opens, so a pack missing an array, or holding one of another dtype, is refused
with a :class:`~.pack_format.PackFormatError` naming it instead of failing in the middle of a query.

Names: a per-level array is ``L{level}_{name}`` (level 0 countries, 1 states/provinces, 2
districts); a column of strings is two arrays, ``{column}_blob`` (UTF-8 bytes) and
``{column}_offsets`` (one more than there are strings; see :class:`~.pack_format.StringTable`).
Index arrays (offsets, starts, orders) are written as int32 where every value fits, else int64.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .pack_format import Pack, PackFormatError, read_pack

#: The levels a pack can hold, coarse to fine; ``meta["levels"]`` is a prefix of these.
LEVEL_NAMES = ("country", "state", "district")

_INT8, _INT32, _INT64 = np.dtype("<i1"), np.dtype("<i4"), np.dtype("<i8")
_UINT8, _FLOAT32, _FLOAT64 = np.dtype("<u1"), np.dtype("<f4"), np.dtype("<f8")
_INDEX = (_INT32, _INT64)


@dataclass(frozen=True)
class ArraySpec:
    """One array of a pack: its name (without the ``L{level}_`` prefix when ``per_level``), the
    dtypes it may have, and what it holds."""

    name: str
    dtypes: tuple[np.dtype[Any], ...]
    meaning: str
    per_level: bool = False
    only_level: int | None = None  # per-level arrays of one level only
    min_levels: int = 1  # exists only in packs of at least this many levels
    required: bool = True  # False: packs built before it was added lack it
    narrowed: bool = False  # an index: written as int32 where every value fits in 32 bits

    def full_name(self, level: int | None = None) -> str:
        return level_array(level, self.name) if self.per_level and level is not None else self.name


def level_array(level: int, name: str) -> str:
    """The name of one level's array: ``level_array(1, "parent") == "L1_parent"``."""
    return f"L{level}_{name}"


def string_arrays(column: str) -> tuple[str, str]:
    """The (blob, offsets) array names of a string column (``column`` carries its prefix)."""
    return f"{column}_blob", f"{column}_offsets"


def _strings(column: str, meaning: str, **where: Any) -> tuple[ArraySpec, ArraySpec]:
    blob, offsets = string_arrays(column)
    return (ArraySpec(blob, (_UINT8,), f"{meaning} (UTF-8, one after the other)", **where),
            ArraySpec(offsets, _INDEX, f"{meaning}: where each starts in the blob, one more than strings", narrowed=True, **where))


def _cube_index(prefix: str, what: str, items: str) -> tuple[ArraySpec, ArraySpec, ArraySpec]:
    """The three arrays of a cube-grid index over ``what`` (``_kernels.cube_grid_index``'s output)."""
    about = f"cube-grid index of {what}"
    return (ArraySpec(f"{prefix}_cell_ids", (_INT64,), f"{about}: occupied cube cells, sorted"),
            ArraySpec(f"{prefix}_cell_start", _INDEX, f"{about}: each cell's start in {prefix}_order", narrowed=True),
            ArraySpec(f"{prefix}_order", _INDEX, f"{about}: {items} by cell", narrowed=True))


#: String columns of every level's regions, and of level 0 (countries) only, in the order written.
LEVEL_STRING_COLUMNS = ("name", "code", "key", "kind")
COUNTRY_STRING_COLUMNS = ("iso_a2", "continent")
#: String columns of level 2 (districts, municipalities) only.
DISTRICT_STRING_COLUMNS = ("detail", "source")
#: String columns of the towns.
CITY_STRING_COLUMNS = ("name", "country_a2", "admin1")
#: The town -> region arrays, one per level (``city_country`` always, the others with their level).
CITY_REGION_ARRAYS = ("city_country", "city_state", "city_district")

LEVEL_ARRAYS: tuple[ArraySpec, ...] = (
    ArraySpec("cell_full", (_INT32,), "per grid cell (row-major from -90, -180): the region covering it whole, else -1", per_level=True),
    ArraySpec("cell_piece_start", _INDEX, "per grid cell: its first piece (one more than cells)", per_level=True, narrowed=True),
    ArraySpec("piece_region", (_INT32,), "per piece (a polygon clipped to one cell): its region", per_level=True),
    ArraySpec("piece_ring_start", _INDEX, "per piece: its first ring (one more than pieces)", per_level=True, narrowed=True),
    ArraySpec("ring_vertex_start", _INDEX, "per ring: its first vertex (one more than rings; rings are not closed)", per_level=True,
              narrowed=True),
    ArraySpec("vx", (_FLOAT64,), "per vertex: longitude, degrees", per_level=True),
    ArraySpec("vy", (_FLOAT64,), "per vertex: latitude, degrees", per_level=True),
    ArraySpec("parent", (_INT32,), "per region: its region one level up (-1 at level 0)", per_level=True),
    *_strings("name", "per region: its name", per_level=True),
    *_strings("code", "per region: ISO 3166-1 alpha-3 (level 0), ISO 3166-2 (level 1) or empty", per_level=True),
    *_strings("key", "per region: its source's unique key (GADM GID, ISO code...)", per_level=True),
    *_strings("kind", "per region: its type where the source says (GADM's ENGTYPE), else empty", per_level=True, required=False),
    *_strings("iso_a2", "per country: ISO 3166-1 alpha-2 or empty", per_level=True, only_level=0),
    *_strings("continent", "per country: its continent or empty", per_level=True, only_level=0),
    *_strings("detail", "per district: the ward or district within it, in English, or empty", per_level=True, only_level=2,
              required=False),
    *_strings("source", "per district: the data set and level of a municipality chosen as the city level, else empty",
              per_level=True, only_level=2, required=False),
    ArraySpec("area_km2", (_FLOAT32,), "per district: its area, km²", per_level=True, only_level=2, required=False),
)

GLOBAL_ARRAYS: tuple[ArraySpec, ...] = (
    ArraySpec("edge_lon", (_FLOAT32,), "per boundary vertex (densified, every level): longitude, degrees"),
    ArraySpec("edge_lat", (_FLOAT32,), "per boundary vertex: latitude, degrees"),
    ArraySpec("edge_level", (_INT8,), "per boundary vertex: the level of its region"),
    ArraySpec("edge_region", (_INT32,), "per boundary vertex: its region at that level"),
    ArraySpec("edge_joined", (_INT8,), "per boundary vertex: 1 where a boundary segment joins it to the next vertex"),
    *_cube_index("edge", "the boundary vertices", "vertices"),
    ArraySpec("city_lat", (_FLOAT64,), "per town (most populous first): latitude, degrees"),
    ArraySpec("city_lon", (_FLOAT64,), "per town: longitude, degrees"),
    ArraySpec("city_population", (_INT64,), "per town: population"),
    *_strings("city_name", "per town: its name"),
    *_strings("city_country_a2", "per town: its gazetteer's ISO 3166-1 alpha-2 code"),
    *_strings("city_admin1", "per town: its gazetteer's first-level division code, or empty"),
    *_cube_index("city", "the towns", "towns"),
    ArraySpec("city_country", (_INT32,), "per town: the country (level-0 region) it lies in or nearest to, else -1"),
    ArraySpec("city_state", (_INT32,), "per town: its level-1 region, else -1", min_levels=2),
    ArraySpec("city_district", (_INT32,), "per town: its level-2 region, else -1", min_levels=3),
)

#: Metadata a reader needs, with what it says (a pack also carries source, licence, attribution,
#: data_version, simplify_deg and built_at, for people).
REQUIRED_META = {
    "levels": "the level names, coarse to fine (a prefix of LEVEL_NAMES)",
    "grid_rows": "rows of the cell grid (columns: twice as many)",
    "cell_deg": "a grid cell's side, degrees (180 / grid_rows)",
    "city_cube_grid": "cells per axis of the towns' cube grid",
    "vertex_cube_grid": "cells per axis of the boundary vertices' cube grid",
}


def expected_arrays(n_levels: int) -> dict[str, ArraySpec]:
    """Every array a pack of ``n_levels`` levels holds, by full name, in the order the build writes them."""
    expected: dict[str, ArraySpec] = {}
    for level in range(n_levels):
        for spec in LEVEL_ARRAYS:
            if spec.only_level in (None, level):
                expected[spec.full_name(level)] = spec
    for spec in GLOBAL_ARRAYS:
        if n_levels >= spec.min_levels:
            expected[spec.name] = spec
    return expected


def check_region_pack(arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any], where: str | Path, *, writing: bool = False) -> None:
    """Raise :class:`PackFormatError` naming the first metadata key or array that is missing or of the
    wrong dtype. ``writing``: also refuse optional arrays left out and arrays this schema does not
    declare (a reader ignores those, so that a newer pack still opens)."""
    for key, meaning in REQUIRED_META.items():
        if key not in meta:
            raise PackFormatError(f"{where}: not a region pack: metadata {key!r} ({meaning}) is missing")
    levels = meta["levels"]
    if not isinstance(levels, list) or not 1 <= len(levels) <= len(LEVEL_NAMES):
        raise PackFormatError(f"{where}: metadata 'levels' must list 1 to {len(LEVEL_NAMES)} levels, got {levels!r}")
    expected = expected_arrays(len(levels))
    for name, spec in expected.items():
        array = arrays.get(name)
        if array is None:
            if spec.required or writing:
                raise PackFormatError(f"{where}: array {name!r} ({spec.meaning}) is missing; rebuild the pack")
            continue
        if array.dtype.newbyteorder("<") not in spec.dtypes:
            allowed = " or ".join(str(d) for d in spec.dtypes)
            raise PackFormatError(f"{where}: array {name!r} has dtype {array.dtype}, a region pack holds it as {allowed}")
        if array.ndim != 1:
            raise PackFormatError(f"{where}: array {name!r} has shape {array.shape}, a region pack holds it as one dimension")
    if writing:
        unknown = [name for name in arrays if name not in expected]
        if unknown:
            raise PackFormatError(f"{where}: array(s) {', '.join(map(repr, unknown))} not declared in pack_schema")


def read_region_pack(path: Path) -> Pack:
    """Map a region pack and check it against the schema; :class:`PackFormatError` names the file
    and what is wrong with it."""
    pack = read_pack(path)
    check_region_pack(pack.arrays, pack.meta, pack.path)
    return pack
