"""Numba kernels of the reverse geocoder: grid-cell lookup with point-in-polygon on pre-clipped
pieces, and nearest-point search in a cube grid over unit vectors. Pure functions over the pack's
arrays; the :class:`~geor.engine.geo.geocoder.geocoder.Geocoder` around them handles files.

Grid: cells of ``cell_deg`` degrees, row-major from (-90, -180). A cell is either empty, fully
inside one region (``cell_full``), or holds pieces: the regions' polygons clipped to the cell, so a
point-in-polygon test only walks the few vertices near that point, whatever the size of the
country. Cells and the crossing rule are half-open ([lower, upper)), so a point on a cell edge
belongs to exactly one cell and one piece.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numba as nb
import numpy as np
from numpy.typing import NDArray

NOT_FOUND = -1

# Annotations are for the type checker: numba ignores them and compiles for the types it is called with
# (index arrays are int32 or int64, as the pack stores them).
F64 = NDArray[np.float64]


class PieceGrid(NamedTuple):
    """One level's grid (the pack's ``L{level}_*`` arrays): cells, the pieces clipped into them,
    the pieces' rings and the rings' vertices."""

    cell_deg: float
    n_rows: int
    n_cols: int
    cell_full: np.ndarray  # per cell: the region covering it whole, else -1
    cell_piece_start: np.ndarray  # per cell: its first piece (one more than cells)
    piece_region: np.ndarray
    piece_ring_start: np.ndarray  # per piece: its first ring (one more than pieces)
    ring_vertex_start: np.ndarray  # per ring: its first vertex (one more than rings)
    vx: np.ndarray  # vertex longitudes
    vy: np.ndarray  # vertex latitudes


class CubeGrid(NamedTuple):
    """Points on the unit sphere indexed by cube cell: their unit vectors, :func:`cube_grid_index`'s
    arrays and the :func:`occupancy_bits` of its cells."""

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    cell_ids: np.ndarray  # occupied cube cells, sorted
    cell_start: np.ndarray  # each occupied cell's start in ``order`` (one more than cells)
    order: np.ndarray  # point indexes, by cell
    bits: np.ndarray  # occupancy bitset over all grid**3 cells
    grid: int  # cells per axis


class Queries(NamedTuple):
    """Query points as unit vectors, which of them to answer, and the group (e.g. country) each
    one's answer must belong to (-1: any)."""

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    todo: np.ndarray
    group: np.ndarray


@nb.njit(cache=True, nogil=True)
def _piece_contains(grid: PieceGrid, piece: int, x: float, y: float) -> bool:
    inside = False
    vx, vy = grid.vx, grid.vy
    for ring in range(grid.piece_ring_start[piece], grid.piece_ring_start[piece + 1]):
        start, stop = grid.ring_vertex_start[ring], grid.ring_vertex_start[ring + 1]
        j = stop - 1
        for k in range(start, stop):
            yi, yj = vy[k], vy[j]
            if (yi > y) != (yj > y):
                x_cross = (vx[j] - vx[k]) * (y - yi) / (yj - yi) + vx[k]
                if x < x_cross:
                    inside = not inside
            j = k
    return inside


@nb.njit(cache=True, nogil=True)
def cell_of(lat: float, lon: float, cell_deg: float, n_rows: int, n_cols: int) -> tuple[int, float]:
    """Row-major cell index of a point; longitudes wrap, latitude 90 falls in the top row."""
    x = lon
    if x < -180.0 or x >= 180.0:
        x = ((x + 180.0) % 360.0) - 180.0
    row = int((lat + 90.0) / cell_deg)
    col = int((x + 180.0) / cell_deg)
    if row >= n_rows:
        row = n_rows - 1
    if col >= n_cols:
        col = n_cols - 1
    return row * n_cols + col, x


@nb.njit(cache=True, nogil=True, parallel=True)
def locate(lat: F64, lon: F64, todo: NDArray[np.bool_], grid: PieceGrid, out_region: np.ndarray) -> None:
    """out_region[i] = region of ``grid`` (a :class:`PieceGrid`) containing (lat[i], lon[i]) for each
    i with todo[i], else untouched."""
    for i in nb.prange(lat.shape[0]):
        if not todo[i]:
            continue
        y = lat[i]
        if math.isnan(y) or math.isnan(lon[i]):
            out_region[i] = NOT_FOUND
            continue
        cell, x = cell_of(y, lon[i], grid.cell_deg, grid.n_rows, grid.n_cols)
        first, last = grid.cell_piece_start[cell], grid.cell_piece_start[cell + 1]
        if first == last:
            out_region[i] = grid.cell_full[cell]
            continue
        found = NOT_FOUND
        for piece in range(first, last):
            if _piece_contains(grid, piece, x, y):
                found = grid.piece_region[piece]
                break
        out_region[i] = found


@nb.njit(cache=True, nogil=True, inline="always")
def _cube_cell(v: float, grid: int) -> int:
    c = int((v + 1.0) * 0.5 * grid)
    if c < 0:
        return 0
    if c >= grid:
        return grid - 1
    return c


@nb.njit(cache=True, nogil=True)
def cube_grid_index(x: F64, y: F64, z: F64, grid: int) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.intp]]:
    """Sparse index of unit vectors by cube cell: (occupied cell ids sorted, their start offsets
    into ``order`` (one more than cells), ``order``). Only cells near the sphere's surface are
    occupied, so this stays small at any resolution."""
    n = x.shape[0]
    cells = np.empty(n, dtype=np.int64)
    for i in range(n):
        cells[i] = (_cube_cell(x[i], grid) * grid + _cube_cell(y[i], grid)) * grid + _cube_cell(z[i], grid)
    order = np.argsort(cells, kind="mergesort")
    sorted_cells = cells[order]
    occupied = 0
    for i in range(n):
        if i == 0 or sorted_cells[i] != sorted_cells[i - 1]:
            occupied += 1
    cell_ids = np.empty(occupied, dtype=np.int64)
    cell_start = np.empty(occupied + 1, dtype=np.int64)
    k = -1
    for i in range(n):
        if i == 0 or sorted_cells[i] != sorted_cells[i - 1]:
            k += 1
            cell_ids[k] = sorted_cells[i]
            cell_start[k] = i
    cell_start[occupied] = n
    return cell_ids, cell_start, order


@nb.njit(cache=True, nogil=True)
def occupancy_bits(cell_ids: np.ndarray, grid: int) -> NDArray[np.uint64]:
    """A bitset over all grid**3 cube cells, set where a cell holds points: rejects empty cells
    with one memory read instead of a binary search."""
    bits = np.zeros((grid * grid * grid + 63) // 64, dtype=np.uint64)
    for cell in cell_ids:
        bits[cell >> 6] |= np.uint64(1) << np.uint64(cell & 63)
    return bits


@nb.njit(cache=True, nogil=True, inline="always")
def _set_unit_vector(j: int, lat_deg: np.ndarray, lon_deg: np.ndarray, x: F64, y: F64, z: F64) -> None:
    lat = math.radians(np.float64(lat_deg[j]))  # in double precision, as unit_vectors of the pack's float32 degrees cast to float64
    lon = math.radians(np.float64(lon_deg[j]))
    c = math.cos(lat)
    x[j] = c * math.cos(lon)
    y[j] = c * math.sin(lon)
    z[j] = math.sin(lat)


@nb.njit(cache=True, nogil=True)
def fill_unit_vectors_near(queries: Queries, cell_ids: np.ndarray, cell_start: np.ndarray, order: np.ndarray, bits: np.ndarray,
                           grid: int, max_chord: float, lat_deg: np.ndarray, lon_deg: np.ndarray, x: F64, y: F64, z: F64,
                           filled: NDArray[np.bool_]) -> None:
    """The unit vectors (``x``, ``y``, ``z``) of the points in every occupied cube cell that
    :func:`nearest_in_cube_grid` may visit for the queries (``max_chord`` away: the shells it
    searches at most), from their degrees; each cell once (``filled``, per occupied cell). A grid
    over millions of boundary vertices then costs the few cells a job's positions lie near, not
    the trigonometry and memory of them all."""
    side = 2.0 / grid
    max_shell = min(grid, int(max_chord / side) + 2)
    n_cells = cell_ids.shape[0]
    for i in range(queries.x.shape[0]):
        if not queries.todo[i] or math.isnan(queries.x[i]):
            continue
        cx, cy, cz = _cube_cell(queries.x[i], grid), _cube_cell(queries.y[i], grid), _cube_cell(queries.z[i], grid)
        for ix in range(max(cx - max_shell, 0), min(cx + max_shell, grid - 1) + 1):
            for iy in range(max(cy - max_shell, 0), min(cy + max_shell, grid - 1) + 1):
                for iz in range(max(cz - max_shell, 0), min(cz + max_shell, grid - 1) + 1):
                    cell = (ix * grid + iy) * grid + iz
                    if not (bits[cell >> 6] >> np.uint64(cell & 63)) & np.uint64(1):
                        continue
                    k = np.searchsorted(cell_ids, cell)
                    if k < n_cells and cell_ids[k] == cell and not filled[k]:
                        for p in range(cell_start[k], cell_start[k + 1]):
                            _set_unit_vector(order[p], lat_deg, lon_deg, x, y, z)
                        filled[k] = True


@nb.njit(cache=True, nogil=True)
def fill_unit_vectors_beside(index: np.ndarray, lat_deg: np.ndarray, lon_deg: np.ndarray, x: F64, y: F64, z: F64) -> None:
    """The unit vectors of the points on either side of each found point (``index``, -1: none),
    which :func:`refine_to_segments` reads. (With the default pack's cells of about 50 km and the
    two extra shells :func:`fill_unit_vectors_near` fills, a vertex's neighbours lie in filled cells;
    not so for every pack a user may build: this makes sure.)"""
    n = x.shape[0]
    for i in range(index.shape[0]):
        j = index[i]
        if j < 0:
            continue
        for k in (j - 1, j + 1):
            if 0 <= k < n:
                _set_unit_vector(k, lat_deg, lon_deg, x, y, z)


@nb.njit(cache=True, nogil=True, inline="always")
def _gap(v: float, index: int, side: float) -> float:
    """Distance along one axis from v to the cube cell slab [index, index + 1) * side."""
    low = -1.0 + index * side
    if v < low:
        return low - v
    high = low + side
    if v > high:
        return v - high
    return 0.0


@nb.njit(cache=True, nogil=True, parallel=True)
def nearest_in_cube_grid(queries: Queries, points: CubeGrid, point_group: np.ndarray, max_chord: float, out_index: np.ndarray,
                         out_chord2: F64, weight: np.ndarray | None = None) -> None:
    """Nearest point of ``points`` (a :class:`CubeGrid`) to each of the :class:`Queries` with
    todo[i], within ``max_chord`` (unit-sphere chord); with ``weight`` given, the heaviest point
    within ``max_chord`` instead (nearer wins ties).

    Visits Chebyshev shells of cube cells around the query's cell, skipping cells that are empty
    (bitset) or farther than the best point so far (box distance), and stops once a whole shell
    is out of reach. -1 (and inf) when nothing lies within ``max_chord``. Ties go to the lower
    point index. With queries.group[i] >= 0 only points whose ``point_group`` is that group are
    considered (e.g. towns of the country the query is in).
    """
    grid = points.grid
    cell_ids, cell_start, order, bits = points.cell_ids, points.cell_start, points.order, points.bits
    px, py, pz = points.x, points.y, points.z
    side = 2.0 / grid
    max_shell = min(grid, int(max_chord / side) + 2)
    n_cells = cell_ids.shape[0]
    for i in nb.prange(queries.x.shape[0]):
        if not queries.todo[i]:
            continue
        x, y, z = queries.x[i], queries.y[i], queries.z[i]
        if math.isnan(x):
            out_index[i] = -1
            out_chord2[i] = np.nan
            continue
        group = queries.group[i]
        best = -1
        limit = max_chord * max_chord
        best_c2 = limit  # cells and shells farther than this are skipped
        best_w = -1.0
        found_c2 = np.inf
        cx, cy, cz = _cube_cell(x, grid), _cube_cell(y, grid), _cube_cell(z, grid)
        for shell in range(max_shell + 1):
            if shell > 0:
                reach = (shell - 1) * side  # no point of this shell can be nearer than this
                if reach * reach > best_c2:
                    break
            for ix in range(max(cx - shell, 0), min(cx + shell, grid - 1) + 1):
                gx = _gap(x, ix, side)
                if gx * gx > best_c2:
                    continue
                for iy in range(max(cy - shell, 0), min(cy + shell, grid - 1) + 1):
                    gy = _gap(y, iy, side)
                    if gx * gx + gy * gy > best_c2:
                        continue
                    on_face = abs(ix - cx) == shell or abs(iy - cy) == shell
                    step = 1 if on_face or shell == 0 else 2 * shell
                    iz = cz - shell
                    while iz <= cz + shell:
                        if 0 <= iz < grid:
                            gz = _gap(z, iz, side)
                            cell = (ix * grid + iy) * grid + iz
                            if gx * gx + gy * gy + gz * gz <= best_c2 and (bits[cell >> 6] >> np.uint64(cell & 63)) & np.uint64(1):
                                k = np.searchsorted(cell_ids, cell)
                                if k < n_cells and cell_ids[k] == cell:
                                    for p in range(cell_start[k], cell_start[k + 1]):
                                        j = order[p]
                                        if group >= 0 and point_group[j] != group:
                                            continue
                                        dx, dy, dz = x - px[j], y - py[j], z - pz[j]
                                        c2 = dx * dx + dy * dy + dz * dz
                                        if weight is None:
                                            if c2 < best_c2 or (c2 == best_c2 and best >= 0 and j < best):
                                                best_c2 = c2
                                                best = j
                                        elif c2 <= limit:
                                            w = weight[j]
                                            if w > best_w or (w == best_w and (c2 < found_c2 or (c2 == found_c2 and j < best))):
                                                best_w = w
                                                found_c2 = c2
                                                best = j
                        iz += step
        out_index[i] = best
        if weight is not None:
            best_c2 = found_c2
        out_chord2[i] = best_c2 if best >= 0 else np.inf


@nb.njit(cache=True, nogil=True)
def _arc_chord2(x: float, y: float, z: float, ax: float, ay: float, az: float, bx: float, by: float, bz: float) -> float:
    """Squared chord from unit vector q to the nearest point of the great-circle arc a-b."""
    nx, ny, nz = ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx
    norm = math.sqrt(nx * nx + ny * ny + nz * nz)
    da = (x - ax) ** 2 + (y - ay) ** 2 + (z - az) ** 2
    db = (x - bx) ** 2 + (y - by) ** 2 + (z - bz) ** 2
    best = min(da, db)
    if norm < 1e-15:
        return best
    nx, ny, nz = nx / norm, ny / norm, nz / norm
    s = x * nx + y * ny + z * nz  # sine of the angle between q and the arc's plane
    px, py, pz = x - s * nx, y - s * ny, z - s * nz  # q projected onto that plane
    # inside the arc when the projection lies between a and b (same side of both as the arc)
    if (ay * pz - az * py) * nx + (az * px - ax * pz) * ny + (ax * py - ay * px) * nz >= 0.0 and \
       (py * bz - pz * by) * nx + (pz * bx - px * bz) * ny + (px * by - py * bx) * nz >= 0.0:
        c = math.sqrt(max(0.0, 1.0 - s * s))  # cosine of the angle from q to the plane
        return min(best, 2.0 - 2.0 * c)
    return best


@nb.njit(cache=True, nogil=True, parallel=True)
def refine_to_segments(queries: Queries, index: np.ndarray, points: CubeGrid, joined: np.ndarray, out_chord2: F64) -> None:
    """Replace each distance from a query to its nearest boundary vertex (``index`` into ``points``,
    -1: none) by the distance to the boundary segments on either side of it (``joined[j]``: vertex j
    joins j + 1), exact along densified straight borders."""
    px, py, pz = points.x, points.y, points.z
    for i in nb.prange(queries.x.shape[0]):
        j = index[i]
        if j < 0:
            continue
        x, y, z = queries.x[i], queries.y[i], queries.z[i]
        best = out_chord2[i]
        if j + 1 < px.shape[0] and joined[j]:
            best = min(best, _arc_chord2(x, y, z, px[j], py[j], pz[j], px[j + 1], py[j + 1], pz[j + 1]))
        if j > 0 and joined[j - 1]:
            best = min(best, _arc_chord2(x, y, z, px[j - 1], py[j - 1], pz[j - 1], px[j], py[j], pz[j]))
        out_chord2[i] = best
