"""Great-circle distances in kilometres: one pair, element-wise, N x M matrices and nearest-k.

Inputs are degrees; outputs are km on a sphere of radius
:data:`~geor.engine.geo.constants.EARTH_RADIUS_KM`. NaN marks an unknown position and propagates;
impossible positions raise :class:`~geor.engine.geo.validation.CoordinateRangeError` naming the
index. Precision: better than a millimetre for short distances (identical points give exactly 0);
near the antipode the haversine formula's rounding grows to at most ~0.1 m. The work happens in numba kernels (``_kernels``), parallel across cores; the plain NumPy
versions they are tested against live in :mod:`geor.engine.geo.reference`.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _kernels
from .constants import EARTH_RADIUS_KM
from .validation import as_float_array, as_points, check_lat_lon


def haversine_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> float | NDArray[np.float64]:
    """Distance in km between (lat1, lon1) and (lat2, lon2), in degrees.

    Scalars give a float; arrays broadcast like NumPy and give an array of that shape.
    """
    arrays = [as_float_array(v, name) for v, name in zip((lat1, lon1, lat2, lon2), ("lat1", "lon1", "lat2", "lon2"), strict=True)]
    check_lat_lon(arrays[0], arrays[1], prefix="first point's ")
    check_lat_lon(arrays[2], arrays[3], prefix="second point's ")
    if all(a.ndim == 0 for a in arrays):
        return float(_kernels.haversine_rad(*(math.radians(float(a)) for a in arrays)))
    try:
        broadcast = np.broadcast_arrays(*arrays)
    except ValueError as exc:
        raise ValueError(f"coordinate arrays do not broadcast: {[a.shape for a in arrays]}") from exc
    shape = broadcast[0].shape
    flat_lat1, flat_lon1, flat_lat2, flat_lon2 = (np.ascontiguousarray(a).ravel() for a in broadcast)  # views when already contiguous
    out = np.empty(flat_lat1.shape[0])
    _kernels.haversine_elementwise(flat_lat1, flat_lon1, flat_lat2, flat_lon2, out)
    return out.reshape(shape)


def pairwise_km(points_a: ArrayLike, points_b: ArrayLike | None = None) -> NDArray[np.float64]:
    """The (N, M) matrix of km between every row of ``points_a`` and every row of ``points_b``.

    Points are (N, 2) arrays of (lat, lon) degrees; ``points_b`` defaults to ``points_a``.
    """
    a = as_points(points_a, "points_a")
    b = a if points_b is None else as_points(points_b, "points_b")
    out = np.empty((a.shape[0], b.shape[0]))
    if out.size:
        _kernels.pairwise_km(_unit(a), _unit(b), out)
    return out


def nearest_k(queries: ArrayLike, gallery: ArrayLike, k: int = 1) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Indices and km of the ``k`` gallery points nearest each query, nearest first.

    Memory is O(N k) whatever the sizes: no N x M matrix is ever built, so 1e5 x 1e5 runs in a few
    megabytes. Ties keep the lower gallery index first. A NaN query gets indices -1 and distances
    NaN; if fewer than ``k`` gallery points are valid, the missing slots get -1 and inf.
    """
    q = as_points(queries, "queries")
    g = as_points(gallery, "gallery")
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if k > g.shape[0]:
        raise ValueError(f"k={k} exceeds the gallery size {g.shape[0]}")
    index = np.empty((q.shape[0], int(k)), dtype=np.int64)
    km = np.empty((q.shape[0], int(k)))
    if q.shape[0]:
        _kernels.nearest_k(_unit(q), _unit(g), int(k), index, km)
    return index, km


def km_to_chord(km: float) -> float:
    """Straight-line distance through the unit sphere of a great-circle distance in km."""
    return 2.0 * math.sin(min(km / EARTH_RADIUS_KM, math.pi) / 2.0)


def chord_to_km(chord: ArrayLike) -> NDArray[np.float64]:
    """Great-circle km of chords through the unit sphere (inverse of :func:`km_to_chord`)."""
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.minimum(np.asarray(chord, dtype=np.float64) / 2.0, 1.0))


def _unit(points: NDArray[np.float64]) -> NDArray[np.float64]:
    return _kernels.unit_vectors(np.ascontiguousarray(points[:, 0]), np.ascontiguousarray(points[:, 1]))
