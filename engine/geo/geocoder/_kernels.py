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

import numba as nb
import numpy as np

NOT_FOUND = -1


@nb.njit(cache=True, nogil=True)
def _piece_contains(piece, x, y, piece_ring_start, ring_vertex_start, vx, vy):  # type: ignore[no-untyped-def]
    inside = False
    for ring in range(piece_ring_start[piece], piece_ring_start[piece + 1]):
        start, stop = ring_vertex_start[ring], ring_vertex_start[ring + 1]
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
def cell_of(lat, lon, cell_deg, n_rows, n_cols):  # type: ignore[no-untyped-def]
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
def locate(lat, lon, todo, cell_deg, n_rows, n_cols, cell_full, cell_piece_start, piece_region,
           piece_ring_start, ring_vertex_start, vx, vy, out_region):  # type: ignore[no-untyped-def]
    """out_region[i] = region containing (lat[i], lon[i]) for each i with todo[i], else untouched."""
    for i in nb.prange(lat.shape[0]):
        if not todo[i]:
            continue
        y = lat[i]
        if math.isnan(y) or math.isnan(lon[i]):
            out_region[i] = NOT_FOUND
            continue
        cell, x = cell_of(y, lon[i], cell_deg, n_rows, n_cols)
        first, last = cell_piece_start[cell], cell_piece_start[cell + 1]
        if first == last:
            out_region[i] = cell_full[cell]
            continue
        found = NOT_FOUND
        for piece in range(first, last):
            if _piece_contains(piece, x, y, piece_ring_start, ring_vertex_start, vx, vy):
                found = piece_region[piece]
                break
        out_region[i] = found


@nb.njit(cache=True, nogil=True, inline="always")
def _cube_cell(v, grid):  # type: ignore[no-untyped-def]
    c = int((v + 1.0) * 0.5 * grid)
    if c < 0:
        return 0
    if c >= grid:
        return grid - 1
    return c


@nb.njit(cache=True, nogil=True)
def cube_grid_index(x, y, z, grid):  # type: ignore[no-untyped-def]
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
def occupancy_bits(cell_ids, grid):  # type: ignore[no-untyped-def]
    """A bitset over all grid**3 cube cells, set where a cell holds points: rejects empty cells
    with one memory read instead of a binary search."""
    bits = np.zeros((grid * grid * grid + 63) // 64, dtype=np.uint64)
    for cell in cell_ids:
        bits[cell >> 6] |= np.uint64(1) << np.uint64(cell & 63)
    return bits


@nb.njit(cache=True, nogil=True, inline="always")
def _gap(v, index, side):  # type: ignore[no-untyped-def]
    """Distance along one axis from v to the cube cell slab [index, index + 1) * side."""
    low = -1.0 + index * side
    if v < low:
        return low - v
    high = low + side
    if v > high:
        return v - high
    return 0.0


@nb.njit(cache=True, nogil=True, parallel=True)
def nearest_in_cube_grid(qx, qy, qz, todo, query_group, px, py, pz, point_group, cell_ids, cell_start, order, bits, grid, max_chord, out_index, out_chord2, weight=None):  # type: ignore[no-untyped-def]
    """Nearest indexed point to each query with todo[i], within ``max_chord`` (unit-sphere chord);
    with ``weight`` given, the heaviest point within ``max_chord`` instead (nearer wins ties).

    Visits Chebyshev shells of cube cells around the query's cell, skipping cells that are empty
    (bitset) or farther than the best point so far (box distance), and stops once a whole shell
    is out of reach. -1 (and inf) when nothing lies within ``max_chord``. Ties go to the lower
    point index. With query_group[i] >= 0 only points of that group are considered (e.g. towns of
    the country the query is in).
    """
    side = 2.0 / grid
    max_shell = min(grid, int(max_chord / side) + 2)
    n_cells = cell_ids.shape[0]
    for i in nb.prange(qx.shape[0]):
        if not todo[i]:
            continue
        x, y, z = qx[i], qy[i], qz[i]
        if math.isnan(x):
            out_index[i] = -1
            out_chord2[i] = np.nan
            continue
        group = query_group[i]
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
def _arc_chord2(x, y, z, ax, ay, az, bx, by, bz):  # type: ignore[no-untyped-def]
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
def refine_to_segments(qx, qy, qz, index, px, py, pz, joined, out_chord2):  # type: ignore[no-untyped-def]
    """Replace each distance to the nearest boundary vertex by the distance to the boundary
    segments on either side of it (exact along densified straight borders)."""
    for i in nb.prange(qx.shape[0]):
        j = index[i]
        if j < 0:
            continue
        x, y, z = qx[i], qy[i], qz[i]
        best = out_chord2[i]
        if j + 1 < px.shape[0] and joined[j]:
            best = min(best, _arc_chord2(x, y, z, px[j], py[j], pz[j], px[j + 1], py[j + 1], pz[j + 1]))
        if j > 0 and joined[j - 1]:
            best = min(best, _arc_chord2(x, y, z, px[j - 1], py[j - 1], pz[j - 1], px[j], py[j], pz[j]))
        out_chord2[i] = best
