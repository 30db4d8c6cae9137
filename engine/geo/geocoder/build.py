"""Build a region pack from administrative polygons and a city gazetteer.

Sources (GADM GeoPackages, the embedded default data) produce :class:`RegionInput` and
:class:`CityInput` records; this module turns them into the pack the :class:`Geocoder` maps:

1. per level, polygons are repaired and simplified as a coverage (shared borders stay shared, so
   simplification opens no gaps or overlaps between neighbours);
2. every polygon is clipped into a quadtree down to grid cells of ``cell_deg`` degrees; a cell fully
   inside one region is marked as such, the others keep small clipped pieces for an exact
   point-in-polygon test;
3. the polygons' vertices (for "nearest region" at sea) and the cities get cube-grid indexes for
   nearest-point search.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from geor.engine.errors import BadInput

from . import _kernels
from .pack_format import StringTable, write_pack
from .pack_schema import (
    CITY_REGION_ARRAYS,
    CITY_STRING_COLUMNS,
    COUNTRY_STRING_COLUMNS,
    DISTRICT_STRING_COLUMNS,
    LEVEL_NAMES,
    LEVEL_STRING_COLUMNS,
    check_region_pack,
    expected_arrays,
    level_array,
    string_arrays,
)

#: Default grid: 512 x 1024 cells of 180/512 = 0.3516 degrees (about 39 km).
DEFAULT_GRID_ROWS = 512
#: Cube grid resolutions of the nearest-point indexes (cells of 2/G on the unit sphere).
CITY_CUBE_GRID = 256
VERTEX_CUBE_GRID = 256
#: A town outside every polygon still belongs to the nearest country this close (simplified coasts).
CITY_COAST_KM = 10.0
#: Boundaries are densified to this vertex spacing (about 5 km) for the nearest-region search; the
#: offshore distance is then measured to the boundary segments on either side of the nearest vertex.
EDGE_SPACING_DEG = 0.05

Progress = Callable[[str], None]


@dataclass(kw_only=True)
class RegionInput:
    level: int  # 0 country, 1 state/province, 2 district
    key: str  # unique within the level (GADM GID, ISO code ...)
    name: str
    geometry: Any  # shapely (Multi)Polygon, lon/lat degrees
    parent_key: str | None = None
    code: str = ""  # ISO 3166-1 alpha-3 (level 0), ISO 3166-2 (level 1) when known
    iso_a2: str = ""  # level 0 only
    continent: str = ""  # level 0 only
    kind: str = ""  # the unit's type in English where the source says (GADM's ENGTYPE: "Municipality", "County" ...)
    detail: str = ""  # level 2: the ward or district within the unit's name ("Kita Ward", "Kamikawa District")
    source: str = ""  # level 2: the data set and level the unit comes from; set: the unit is a municipality by choice


@dataclass
class CityInput:
    name: str
    lat: float
    lon: float
    population: int
    country_a2: str
    admin1: str = ""


@dataclass
class BuildReport:
    regions_per_level: list[int] = field(default_factory=list)
    pieces_per_level: list[int] = field(default_factory=list)
    vertices_per_level: list[int] = field(default_factory=list)
    edge_vertices: int = 0
    cities: int = 0
    seconds: float = 0.0


def build_pack(
    out: Path,
    regions: Iterable[RegionInput],
    cities: Iterable[CityInput],
    meta: dict[str, Any],
    simplify_deg: float = 0.0,
    grid_rows: int = DEFAULT_GRID_ROWS,
    progress: Progress | None = None,
) -> BuildReport:
    """Write a region pack to ``out``; ``meta`` (source, licence, attribution) is stored with it."""
    say = progress or (lambda message: None)
    started = time.perf_counter()
    by_level: dict[int, list[RegionInput]] = {}
    for region in regions:
        if region.level not in (0, 1, 2):
            raise BadInput(f"region {region.key!r}: level {region.level} is not 0, 1 or 2")
        by_level.setdefault(region.level, []).append(region)
    if 0 not in by_level:
        raise BadInput("a region pack needs country (level 0) polygons")
    levels = sorted(by_level)
    if levels != list(range(len(levels))):
        raise BadInput(f"levels must be contiguous from 0, got {levels}")
    cell_deg = 180.0 / grid_rows
    arrays: dict[str, np.ndarray] = {}
    report = BuildReport()
    prepared: list[tuple[list[RegionInput], list[Any], np.ndarray]] = []
    keys_above: dict[str, int] = {}
    for level in levels:
        records = sorted(by_level[level], key=lambda r: r.key)
        say(f"level {level} ({LEVEL_NAMES[level]}): {len(records)} regions: repairing and simplifying")
        geometries = _prepare(records, simplify_deg)
        keep = [i for i, g in enumerate(geometries) if g is not None and not g.is_empty]
        records = [records[i] for i in keep]
        geometries = [geometries[i] for i in keep]
        keys = {r.key: i for i, r in enumerate(records)}
        if len(keys) != len(records):
            raise BadInput(f"level {level}: duplicate region keys")
        parent = np.array([keys_above.get(r.parent_key or "", -1) for r in records], dtype=np.int32)
        if level > 0 and (parent < 0).any():
            orphan = records[int(np.argmax(parent < 0))]
            raise BadInput(f"level {level} region {orphan.key!r} ({orphan.name}): parent {orphan.parent_key!r} not found at level {level - 1}")
        prepared.append((records, geometries, parent))
        keys_above = keys

    # Queries try the finest level first, so a coarser level's grid only needs what its children
    # leave uncovered (countries without states, slivers): the residual.
    grid_geometries = [geometries for _, geometries, _ in prepared]
    for level in levels[:-1]:
        children_parent = prepared[level + 1][2]
        grid_geometries[level] = _residuals(prepared[level][1], prepared[level + 1][1], children_parent)

    edge_parts = []
    for level in levels:
        records, _, parent = prepared[level]
        say(f"level {level}: clipping {len(records)} regions into {grid_rows} x {2 * grid_rows} cells")
        grid = _clip_to_grid(grid_geometries[level], grid_rows, cell_deg)
        for name, array in grid.items():
            arrays[level_array(level, name)] = array
        arrays[level_array(level, "parent")] = parent
        for column in LEVEL_STRING_COLUMNS + (COUNTRY_STRING_COLUMNS if level == 0 else ()) + (DISTRICT_STRING_COLUMNS if level == 2 else ()):
            _add_strings(arrays, level_array(level, column), [getattr(r, column) for r in records])
        if level == 2:
            arrays[level_array(level, "area_km2")] = _areas_km2(prepared[level][1])
        edge_parts.append((level, *_boundary_vertices(grid_geometries[level], EDGE_SPACING_DEG)))
        report.regions_per_level.append(len(records))
        report.pieces_per_level.append(int(grid["piece_region"].shape[0]))
        report.vertices_per_level.append(int(grid["vx"].shape[0]))

    # one cloud of boundary vertices for "nearest region" off the coast, each with its level and region
    lon_lat = np.concatenate([part[1] for part in edge_parts])
    arrays["edge_lon"], arrays["edge_lat"] = lon_lat[:, 0].astype(np.float32), lon_lat[:, 1].astype(np.float32)
    arrays["edge_level"] = np.concatenate([np.full(len(part[1]), part[0], dtype=np.int8) for part in edge_parts])
    arrays["edge_region"] = np.concatenate([part[2] for part in edge_parts])
    arrays["edge_joined"] = np.concatenate([part[3] for part in edge_parts])
    arrays["edge_cell_ids"], arrays["edge_cell_start"], arrays["edge_order"] = _cube_index(lon_lat[:, 1], lon_lat[:, 0], VERTEX_CUBE_GRID)
    report.edge_vertices = len(lon_lat)

    city_list = sorted(cities, key=lambda c: (-c.population, c.name, c.lat, c.lon))
    say(f"indexing {len(city_list)} cities")
    city_lat = np.array([c.lat for c in city_list], dtype=np.float64)
    city_lon = np.array([c.lon for c in city_list], dtype=np.float64)
    arrays["city_lat"], arrays["city_lon"] = city_lat, city_lon
    arrays["city_population"] = np.array([c.population for c in city_list], dtype=np.int64)
    for column in CITY_STRING_COLUMNS:
        _add_strings(arrays, f"city_{column}", [getattr(c, column) for c in city_list])
    arrays["city_cell_ids"], arrays["city_cell_start"], arrays["city_order"] = _cube_index(city_lat, city_lon, CITY_CUBE_GRID)
    containing = _containing_regions(arrays, {"levels": [LEVEL_NAMES[lv] for lv in levels], "cell_deg": cell_deg,
                                              "grid_rows": grid_rows, "vertex_cube_grid": VERTEX_CUBE_GRID}, city_lat, city_lon)
    for level, city_region in enumerate(containing):
        arrays[CITY_REGION_ARRAYS[level]] = city_region
    report.cities = len(city_list)

    schema = expected_arrays(len(levels))
    for name, array in arrays.items():  # offsets and indexes fit in 32 bits: halve their size
        spec = schema.get(name)
        if spec is not None and spec.narrowed and _fits_int32(array):
            arrays[name] = array.astype(np.int32)
    full_meta = dict(meta) | {
        "levels": [LEVEL_NAMES[level] for level in levels],
        "grid_rows": grid_rows,
        "cell_deg": cell_deg,
        "city_cube_grid": CITY_CUBE_GRID,
        "vertex_cube_grid": VERTEX_CUBE_GRID,
        "simplify_deg": simplify_deg,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    check_region_pack(arrays, full_meta, out, writing=True)
    say(f"writing {out}")
    write_pack(Path(out), arrays, full_meta)
    report.seconds = time.perf_counter() - started
    return report


def _add_strings(arrays: dict[str, np.ndarray], column: str, values: list[str]) -> None:
    blob, offsets = string_arrays(column)
    arrays[blob], arrays[offsets] = StringTable.encode(values)


def _areas_km2(geometries: Sequence[Any]) -> np.ndarray:
    """Each region's area in km² (degrees scaled at its centroid's latitude)."""
    shapes = np.array(geometries, dtype=object)
    lat = shapely.get_y(shapely.centroid(shapes))
    areas: np.ndarray = (shapely.area(shapes) * 111.32**2 * np.cos(np.radians(lat))).astype(np.float32)
    return areas


def _fits_int32(array: np.ndarray) -> bool:
    """An int64 array whose every value fits in int32."""
    return array.dtype == np.int64 and (not array.size or (array.min() >= -(2**31) and array.max() < 2**31))


def _prepare(records: Sequence[RegionInput], simplify_deg: float) -> list[Any]:
    geometries = np.array([r.geometry for r in records], dtype=object)
    geometries = shapely.make_valid(geometries)
    geometries = np.array([polygonal(g) for g in geometries], dtype=object)
    if simplify_deg > 0:
        try:
            geometries = shapely.coverage_simplify(geometries, simplify_deg)
        except shapely.errors.GEOSException:  # not a clean coverage: simplify one by one
            geometries = shapely.simplify(geometries, simplify_deg, preserve_topology=True)
        geometries = np.array([polygonal(shapely.make_valid(g)) for g in geometries], dtype=object)
    return list(geometries)


def _residuals(parents: Sequence[Any], children: Sequence[Any], children_parent: np.ndarray) -> list[Any]:
    """Each parent's area not covered by its children (often empty)."""
    by_parent: dict[int, list[Any]] = {}
    for child, p in zip(children, children_parent.tolist(), strict=True):
        by_parent.setdefault(p, []).append(child)
    residuals = []
    for i, geometry in enumerate(parents):
        kids = by_parent.get(i)
        if not kids:
            residuals.append(geometry)
            continue
        covered = shapely.union_all(np.array(kids, dtype=object))
        residuals.append(polygonal(shapely.difference(geometry, covered)))
    return residuals


def polygonal(geometry: Any) -> Any:
    """Only the polygons of a geometry (make_valid may add lines or points), or None."""
    if geometry is None or geometry.is_empty:
        return None
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type in ("Polygon", "MultiPolygon") and p.area > 0]
    if not parts:
        return None
    return shapely.union_all(parts) if len(parts) > 1 else parts[0]


def _clip_to_grid(geometries: Sequence[Any], grid_rows: int, cell_deg: float) -> dict[str, np.ndarray]:
    """Quadtree-clip every region into the grid: full cells, and pieces per partially covered cell."""
    n_rows, n_cols = grid_rows, 2 * grid_rows
    cell_full = np.full(n_rows * n_cols, -1, dtype=np.int32)
    # work items: (geometry, region, row0, col0, size in cells); roots are two square tiles
    items_geom: list[Any] = []
    items_meta: list[tuple[int, int, int, int]] = []
    for region, geometry in enumerate(geometries):
        for col0 in (0, n_rows):
            items_geom.append(geometry)
            items_meta.append((region, 0, col0, n_rows))
    leaf_geoms: list[Any] = []
    leaf_meta: list[tuple[int, int]] = []  # (cell, region)
    while items_geom:
        meta = np.array(items_meta, dtype=np.int64)
        xmin = -180.0 + meta[:, 2] * cell_deg
        ymin = -90.0 + meta[:, 1] * cell_deg
        size = meta[:, 3] * cell_deg
        pieces = shapely.intersection(np.array(items_geom, dtype=object), shapely.box(xmin, ymin, xmin + size, ymin + size))
        area = shapely.area(pieces)
        tile_area = size * size
        full = area >= tile_area * (1 - 1e-9)
        next_geom: list[Any] = []
        next_meta: list[tuple[int, int, int, int]] = []
        for k in np.flatnonzero(area > 0):
            region, row0, col0, cells = (int(v) for v in meta[k])
            if full[k]:
                block = cell_full.reshape(n_rows, n_cols)[row0:row0 + cells, col0:col0 + cells]
                block[block < 0] = region
                continue
            if cells == 1:
                leaf_geoms.append(pieces[k])
                leaf_meta.append((row0 * n_cols + col0, region))
                continue
            half = cells // 2
            for dr in (0, half):
                for dc in (0, half):
                    next_geom.append(pieces[k])
                    next_meta.append((region, row0 + dr, col0 + dc, half))
        items_geom, items_meta = next_geom, next_meta
    return _pieces_arrays(leaf_geoms, leaf_meta, cell_full, n_rows, n_cols, cell_deg)


def _pieces_arrays(leaf_geoms: list[Any], leaf_meta: list[tuple[int, int]], cell_full: np.ndarray,
                   n_rows: int, n_cols: int, cell_deg: float) -> dict[str, np.ndarray]:
    # a cell that one region covers fully but others also touch keeps the full region as a box piece
    cells_with_pieces = {cell for cell, _ in leaf_meta}
    for cell in sorted(cells_with_pieces):
        if cell_full[cell] >= 0:
            row, col = divmod(cell, n_cols)
            x0, y0 = -180.0 + col * cell_deg, -90.0 + row * cell_deg
            leaf_geoms.append(shapely.box(x0, y0, x0 + cell_deg, y0 + cell_deg))
            leaf_meta.append((cell, int(cell_full[cell])))
            cell_full[cell] = -1
    order = sorted(range(len(leaf_meta)), key=lambda i: (leaf_meta[i][0], i))
    piece_cell = np.array([leaf_meta[i][0] for i in order], dtype=np.int64)
    piece_region = np.array([leaf_meta[i][1] for i in order], dtype=np.int32)
    geoms = np.array([leaf_geoms[i] for i in order], dtype=object)

    parts, part_piece = shapely.get_parts(geoms, return_index=True)
    polygonal = shapely.get_type_id(parts) == 3  # Polygon
    parts, part_piece = parts[polygonal], part_piece[polygonal]
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    ring_length = np.bincount(coord_ring, minlength=len(rings))
    last_of_ring = np.cumsum(ring_length) - 1
    keep = np.ones(len(coords), dtype=bool)
    keep[last_of_ring[ring_length > 0]] = False  # drop each ring's closing vertex
    coords, coord_ring = coords[keep], coord_ring[keep]
    ring_vertex_start = np.zeros(len(rings) + 1, dtype=np.int64)
    np.cumsum(np.bincount(coord_ring, minlength=len(rings)), out=ring_vertex_start[1:])
    ring_piece = part_piece[ring_part]
    piece_ring_start = np.zeros(len(geoms) + 1, dtype=np.int64)
    np.cumsum(np.bincount(ring_piece, minlength=len(geoms)), out=piece_ring_start[1:])
    cell_piece_start = np.zeros(n_rows * n_cols + 1, dtype=np.int64)
    np.cumsum(np.bincount(piece_cell, minlength=n_rows * n_cols), out=cell_piece_start[1:])
    return {
        "cell_full": cell_full,
        "cell_piece_start": cell_piece_start,
        "piece_region": piece_region,
        "piece_ring_start": piece_ring_start,
        "ring_vertex_start": ring_vertex_start,
        "vx": np.ascontiguousarray(coords[:, 0]),
        "vy": np.ascontiguousarray(coords[:, 1]),
    }


def _boundary_vertices(geometries: Sequence[Any], spacing_deg: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Boundary vertices (lon, lat), densified to ``spacing_deg``, with their region and whether
    each vertex is joined to the next one by a boundary segment (same ring): the point cloud behind
    "nearest region" for points off a coast, and the segments that make its distances exact."""
    dense = shapely.segmentize(np.array([g for g in geometries], dtype=object), spacing_deg)
    parts, part_region = shapely.get_parts(dense, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    joined = np.zeros(len(coords), dtype=np.int8)
    joined[:-1] = coord_ring[:-1] == coord_ring[1:]
    return coords, part_region[ring_part[coord_ring]].astype(np.int32), joined


def _containing_regions(arrays: dict[str, np.ndarray], meta: dict[str, Any], lat: np.ndarray, lon: np.ndarray) -> list[np.ndarray]:
    """Each town's region at every level, found as any query finds it (the polygon it lies in,
    else the nearest border within ``CITY_COAST_KM``, for towns on simplified coasts): a Geocoder
    over the arrays built so far."""
    from .geocoder import Geocoder
    from .pack_format import Pack

    geocoder = Geocoder(Pack(Path("<being built>"), meta, arrays, {}), sea_km=CITY_COAST_KM, town_km=0)
    return geocoder.lookup_many(lat, lon).region


def _cube_index(lat: np.ndarray, lon: np.ndarray, grid: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from geor.engine.geo._kernels import unit_vectors

    xyz = unit_vectors(np.ascontiguousarray(lat, dtype=np.float64), np.ascontiguousarray(lon, dtype=np.float64))
    cell_ids, start, order = _kernels.cube_grid_index(xyz[0], xyz[1], xyz[2], grid)
    return cell_ids, start, order.astype(np.int64)




__all__ = ["BuildReport", "CityInput", "RegionInput", "build_pack"]
