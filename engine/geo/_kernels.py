"""Numba kernels behind :mod:`geor.engine.geo.haversine` and :mod:`geor.engine.geo.median`.

Pure functions over float64 arrays in radians or unit vectors; no validation, no Python objects.
The public wrappers check inputs and convert units. Compiled kernels are cached on disk
(``cache=True``) so only the very first call of a fresh install pays the JIT compile.

Two formulations of the same great-circle distance are used:

* ``haversine_rad``: the haversine formula from latitudes/longitudes, for one pair or element-wise,
  where each pair is seen once and trigonometry per pair cannot be avoided.
* chord form: with unit vectors p, q precomputed per point, ``hav(theta) = |p - q|^2 / 4`` exactly,
  so an N x M matrix costs a few multiplies and one ``asin`` per pair, and ranking neighbours needs
  no ``asin`` at all (the chord is monotonic in the angle). Differences of nearly equal coordinates
  are exact, so short distances keep full precision, and identical points give exactly 0.
"""

from __future__ import annotations

import importlib
import math
import sys

import numba as nb
import numpy as np
from numpy.typing import NDArray

from .constants import EARTH_RADIUS_KM


def _load_numba_arrays_without_blas() -> None:
    """Load numba's array functions, answering its one check for BLAS with no.

    numba asks whether it can compile linear algebra by importing scipy.linalg, in the first call of
    a cached kernel (0.2-0.3 s of processor time, on the way to a job's first write). Geo-R's kernels
    do no linear algebra, and its desktop bundle leaves scipy.linalg out, where the answer is no
    anyway. A scipy.linalg imported before stays as it was; one imported later works as ever."""
    if "numba.np.arraymath" in sys.modules or "scipy.linalg" in sys.modules:
        return
    sys.modules["scipy.linalg"] = None  # type: ignore[assignment]  # (importing it raises ImportError)
    try:
        importlib.import_module("numba.np.arraymath")
    finally:
        del sys.modules["scipy.linalg"]


_load_numba_arrays_without_blas()

_DIAMETER_KM = 2.0 * EARTH_RADIUS_KM

# Annotations are for the type checker: numba ignores them and compiles for the types it is called with.
F64 = NDArray[np.float64]


@nb.njit(cache=True, nogil=True)
def haversine_rad(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in radians."""
    s_lat = math.sin(0.5 * (lat2 - lat1))
    s_lon = math.sin(0.5 * (lon2 - lon1))
    h = s_lat * s_lat + math.cos(lat1) * math.cos(lat2) * s_lon * s_lon
    if h > 1.0:  # rounding near the antipode; NaN stays NaN
        h = 1.0
    return _DIAMETER_KM * math.asin(math.sqrt(h))


_RAD = math.pi / 180.0


@nb.njit(cache=True, nogil=True)
def first_bad_latitude(lat: F64) -> int:
    """Index of the first latitude outside [-90, 90] (NaN is fine), or -1."""
    for i in range(lat.shape[0]):
        if abs(lat[i]) > 90.0:
            return i
    return -1


@nb.njit(cache=True, nogil=True)
def first_infinite(values: F64) -> int:
    """Index of the first +-inf, or -1."""
    for i in range(values.shape[0]):
        if math.isinf(values[i]):
            return i
    return -1


@nb.njit(cache=True, nogil=True, parallel=True)
def haversine_elementwise(lat1: F64, lon1: F64, lat2: F64, lon2: F64, out: F64) -> None:
    """out[i] = km between (lat1[i], lon1[i]) and (lat2[i], lon2[i]), degrees in."""
    for i in nb.prange(out.shape[0]):
        out[i] = haversine_rad(lat1[i] * _RAD, lon1[i] * _RAD, lat2[i] * _RAD, lon2[i] * _RAD)


@nb.njit(cache=True, nogil=True, parallel=True)
def unit_vectors(lat_deg: F64, lon_deg: F64) -> F64:
    """(3, N) unit vectors (x, y, z) of points given in degrees; NaN rows stay NaN."""
    n = lat_deg.shape[0]
    xyz = np.empty((3, n))
    for i in nb.prange(n):
        lat = math.radians(lat_deg[i])
        lon = math.radians(lon_deg[i])
        c = math.cos(lat)
        xyz[0, i] = c * math.cos(lon)
        xyz[1, i] = c * math.sin(lon)
        xyz[2, i] = math.sin(lat)
    return xyz


@nb.njit(cache=True, nogil=True, inline="always")
def chord2_to_km(c2: float) -> float:
    """Great-circle km from a squared chord between unit vectors."""
    h = 0.25 * c2
    if h > 1.0:
        h = 1.0
    return _DIAMETER_KM * math.asin(math.sqrt(h))


@nb.njit(cache=True, nogil=True, parallel=True)
def pairwise_km(a: F64, b: F64, out: F64) -> None:
    """out[i, j] = km between unit vectors a[:, i] and b[:, j]."""
    bx, by, bz = b[0], b[1], b[2]
    for i in nb.prange(a.shape[1]):
        ax, ay, az = a[0, i], a[1, i], a[2, i]
        row = out[i]
        for j in range(bx.shape[0]):
            dx = ax - bx[j]
            dy = ay - by[j]
            dz = az - bz[j]
            row[j] = chord2_to_km(dx * dx + dy * dy + dz * dz)


_BLOCK = 512  # gallery points scored per inner block: fits L1 and lets LLVM vectorise the scoring


@nb.njit(cache=True, nogil=True, parallel=True)
def nearest_k(q: F64, g: F64, k: int, out_index: NDArray[np.int64], out_km: F64) -> None:
    """For each query q[:, i], the k nearest gallery points g[:, j], nearest first.

    Memory is O(N k): the gallery is scanned in blocks of squared chords per query, never as an
    N x M matrix. Ties keep the lower gallery index first. Gallery points with NaN never match;
    missing neighbours (fewer than k valid points) get index -1 and distance inf; a NaN query gets
    index -1 and distance NaN.
    """
    n_gallery = g.shape[1]
    gx, gy, gz = g[0], g[1], g[2]
    for i in nb.prange(q.shape[1]):
        qx, qy, qz = q[0, i], q[1, i], q[2, i]
        best_c2 = np.full(k, np.inf)
        best_j = np.full(k, -1, dtype=np.int64)
        if math.isnan(qx) or math.isnan(qy) or math.isnan(qz):
            out_index[i, :] = -1
            out_km[i, :] = np.nan
            continue
        scores = np.empty(_BLOCK)
        worst = np.inf
        for start in range(0, n_gallery, _BLOCK):
            stop = min(start + _BLOCK, n_gallery)
            for j in range(start, stop):
                dx = qx - gx[j]
                dy = qy - gy[j]
                dz = qz - gz[j]
                scores[j - start] = dx * dx + dy * dy + dz * dz
            for j in range(start, stop):
                c2 = scores[j - start]
                if c2 < worst:  # False for NaN
                    p = k - 1
                    while p > 0 and best_c2[p - 1] > c2:
                        best_c2[p] = best_c2[p - 1]
                        best_j[p] = best_j[p - 1]
                        p -= 1
                    best_c2[p] = c2
                    best_j[p] = j
                    worst = best_c2[k - 1]
        for p in range(k):
            out_index[i, p] = best_j[p]
            out_km[i, p] = chord2_to_km(best_c2[p]) if best_j[p] >= 0 else np.inf


@nb.njit(cache=True, nogil=True)
def geometric_median(xyz: F64, weights: F64, max_iter: int, tol_rad: float) -> tuple[float, float, float, int]:
    """Weighted geometric median of unit vectors on the sphere (Riemannian Weiszfeld).

    Minimises sum_i w_i * angle(m, p_i). Each step maps the points into the tangent plane at the
    current estimate (log map), takes the Weiszfeld step there and maps back (exp map). When the
    estimate sits on a data point, the Vardi-Zhang rule decides whether it is optimal or moves
    it on. Returns (x, y, z, iterations).
    """
    n = xyz.shape[1]
    mx = my = mz = 0.0
    for i in range(n):
        mx += weights[i] * xyz[0, i]
        my += weights[i] * xyz[1, i]
        mz += weights[i] * xyz[2, i]
    norm = math.sqrt(mx * mx + my * my + mz * mz)
    if norm < 1e-9:  # weights balance out (e.g. antipodal pair): start at the heaviest point
        best = 0
        for i in range(n):
            if weights[i] > weights[best]:
                best = i
        mx, my, mz = xyz[0, best], xyz[1, best], xyz[2, best]
    else:
        mx, my, mz = mx / norm, my / norm, mz / norm

    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 (the count is returned)
        tx = ty = tz = 0.0  # sum of w_i * u_i: the pull of the other points (Vardi-Zhang)
        sx = sy = sz = 0.0  # sum of w_i / theta_i * log_m(p_i)
        denominator = 0.0
        coincident = 0.0
        for i in range(n):
            px, py, pz = xyz[0, i], xyz[1, i], xyz[2, i]
            d = mx * px + my * py + mz * pz
            ux, uy, uz = px - d * mx, py - d * my, pz - d * mz  # component of p orthogonal to m
            u_norm = math.sqrt(ux * ux + uy * uy + uz * uz)
            theta = math.atan2(u_norm, d)
            if theta < 1e-13:
                coincident += weights[i]
                continue
            if u_norm < 1e-300:  # exactly antipodal: no preferred direction, pulls equally everywhere
                continue
            w = weights[i] / theta
            denominator += w
            ux, uy, uz = ux / u_norm, uy / u_norm, uz / u_norm
            sx += w * theta * ux
            sy += w * theta * uy
            sz += w * theta * uz
            tx += weights[i] * ux
            ty += weights[i] * uy
            tz += weights[i] * uz
        if denominator == 0.0:
            break
        vx, vy, vz = sx / denominator, sy / denominator, sz / denominator
        if coincident > 0.0:
            pull = math.sqrt(tx * tx + ty * ty + tz * tz)
            if pull <= coincident:
                break  # the data point under the estimate is the median
            scale = 1.0 - coincident / pull
            vx, vy, vz = vx * scale, vy * scale, vz * scale
        step = math.sqrt(vx * vx + vy * vy + vz * vz)
        if step < tol_rad:
            break
        c, s = math.cos(step), math.sin(step) / step
        mx, my, mz = c * mx + s * vx, c * my + s * vy, c * mz + s * vz
        norm = math.sqrt(mx * mx + my * my + mz * mz)
        mx, my, mz = mx / norm, my / norm, mz / norm
    return mx, my, mz, iterations


@nb.njit(cache=True, nogil=True)
def median_vertex(xyz: F64, weights: F64) -> int:
    """Index of the data point that is the geometric median, or -1 if it lies between points."""
    for k in range(xyz.shape[1]):
        if _is_median_vertex(xyz, weights, k):
            return k
    return -1


@nb.njit(cache=True, nogil=True)
def _is_median_vertex(xyz: F64, weights: F64, k: int) -> bool:
    """Whether data point k is the geometric median (Vardi-Zhang: the pull of the other points,
    a sum of weighted unit directions in the tangent plane at k, is no stronger than k's weight).

    Weiszfeld only creeps towards a median that sits on a data point, so callers test the data
    points first.
    """
    kx, ky, kz = xyz[0, k], xyz[1, k], xyz[2, k]
    own = 0.0
    total = 0.0
    rx = ry = rz = 0.0
    for i in range(xyz.shape[1]):
        total += weights[i]
        px, py, pz = xyz[0, i], xyz[1, i], xyz[2, i]
        d = kx * px + ky * py + kz * pz
        ux, uy, uz = px - d * kx, py - d * ky, pz - d * kz
        u_norm = math.sqrt(ux * ux + uy * uy + uz * uz)
        if math.atan2(u_norm, d) < 1e-13:
            own += weights[i]
        elif u_norm > 1e-300:
            rx += weights[i] * ux / u_norm
            ry += weights[i] * uy / u_norm
            rz += weights[i] * uz / u_norm
    # the tolerance settles the borderline case (pull == weight) that rounding would otherwise decide
    return math.sqrt(rx * rx + ry * ry + rz * rz) <= own + 1e-9 * total
