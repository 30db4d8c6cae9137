"""Plain NumPy versions of the geo kernels: the oracle the numba kernels are tested against, and
the "NumPy vectorised" peer in the benchmarks. Straightforward on purpose; no validation.

All inputs are degrees, outputs km.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .constants import EARTH_RADIUS_KM


def haversine_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> NDArray[np.float64]:
    """The textbook haversine formula, broadcasting."""
    p1, l1, p2, l2 = (np.radians(np.asarray(v, dtype=np.float64)) for v in (lat1, lon1, lat2, lon2))
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    km: NDArray[np.float64] = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(h, 1.0)))  # minimum keeps NaN
    return km


def pairwise_km(points_a: NDArray[np.float64], points_b: NDArray[np.float64]) -> NDArray[np.float64]:
    """(N, M) distances by broadcasting the haversine formula."""
    return haversine_km(points_a[:, None, 0], points_a[:, None, 1], points_b[None, :, 0], points_b[None, :, 1])


def nearest_k(
    queries: NDArray[np.float64], gallery: NDArray[np.float64], k: int, chunk: int = 1024
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """k nearest gallery rows per query: chunked distance matrix, argpartition, stable sort."""
    index = np.empty((queries.shape[0], k), dtype=np.int64)
    km = np.empty((queries.shape[0], k))
    for start in range(0, queries.shape[0], chunk):
        d = pairwise_km(queries[start:start + chunk], gallery)
        d = np.where(np.isnan(d), np.inf, d)
        if k < d.shape[1]:
            part = np.argpartition(d, k - 1, axis=1)[:, :k]
        else:
            part = np.broadcast_to(np.arange(d.shape[1]), d.shape)
        part_d = np.take_along_axis(d, part, axis=1)
        order = np.lexsort((part, part_d), axis=1)  # by distance, then by index
        index[start:start + chunk] = np.take_along_axis(part, order, axis=1)
        km[start:start + chunk] = np.take_along_axis(part_d, order, axis=1)
    return index, km


def geometric_median(points: NDArray[np.float64], weights: ArrayLike | None = None, iterations: int = 2000) -> tuple[float, float]:
    """Weiszfeld in the tangent plane at the current estimate (no Vardi-Zhang refinement)."""
    lat, lon = np.radians(points[:, 0]), np.radians(points[:, 1])
    p = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=1)
    w = np.ones(len(p)) if weights is None else np.asarray(weights, dtype=np.float64)
    m = (w[:, None] * p).sum(axis=0)
    m /= np.linalg.norm(m)
    for _ in range(iterations):
        d = np.clip(p @ m, -1.0, 1.0)
        u = p - d[:, None] * m
        u_norm = np.linalg.norm(u, axis=1)
        theta = np.arctan2(u_norm, d)
        ok = theta > 1e-12
        if not ok.any():
            break
        coef = w[ok] / theta[ok]
        v = ((coef * theta[ok] / u_norm[ok])[:, None] * u[ok]).sum(axis=0) / coef.sum()
        step = np.linalg.norm(v)
        if step < 1e-13:
            break
        m = np.cos(step) * m + np.sin(step) * v / step
        m /= np.linalg.norm(m)
    return float(np.degrees(np.arctan2(m[2], np.hypot(m[0], m[1])))), float(np.degrees(np.arctan2(m[1], m[0])))
