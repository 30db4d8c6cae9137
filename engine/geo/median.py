"""Geometric median on the sphere: the point minimising the summed great-circle distance.

Used to pool several predictions for one photo (self-consistency): unlike the mean, one wild answer
cannot drag the pooled position across an ocean, and unlike a coordinate-wise median it is correct
across the antimeridian and near the poles.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from . import _kernels
from .haversine import haversine_km, pairwise_km
from .validation import as_float_array, as_points

#: Convergence tolerance of the Weiszfeld steps, in radians (about 6 micrometres on the ground).
TOLERANCE_RAD = 1e-12
MAX_ITERATIONS = 1000
#: Up to this many points, every data point is tested as the median before iterating (O(n^2)).
VERTEX_CHECK_MAX_POINTS = 2048


class Median(NamedTuple):
    lat: float
    lon: float
    iterations: int


def geometric_median(points: ArrayLike, weights: ArrayLike | None = None) -> Median:
    """Weighted geometric median of (N, 2) (lat, lon) degree points.

    NaN in any point gives a NaN median (drop unknown predictions first). Weights default to 1 and
    must be finite and non-negative with a positive sum.
    """
    array = as_points(points, "points")
    if array.shape[0] == 0:
        raise ValueError("points: the geometric median of no points is undefined")
    w = np.ones(array.shape[0]) if weights is None else as_float_array(weights, "weights").ravel()
    if w.shape[0] != array.shape[0]:
        raise ValueError(f"weights: expected {array.shape[0]} values, got {w.shape[0]}")
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise ValueError("weights must be finite, non-negative and not all zero")
    if np.isnan(array).any():
        return Median(math.nan, math.nan, 0)
    keep = w > 0
    xyz = np.ascontiguousarray(_kernels.unit_vectors(array[keep, 0].copy(), array[keep, 1].copy()))
    w = np.ascontiguousarray(w[keep])
    if xyz.shape[1] <= VERTEX_CHECK_MAX_POINTS:  # O(n^2): cheap for pooled predictions
        vertex = _kernels.median_vertex(xyz, w)
        if vertex >= 0:
            return Median(*xyz_to_lat_lon(*xyz[:, vertex]), 0)
    x, y, z, iterations = _kernels.geometric_median(xyz, w, MAX_ITERATIONS, TOLERANCE_RAD)
    lat, lon = xyz_to_lat_lon(x, y, z)
    if xyz.shape[1] <= VERTEX_CHECK_MAX_POINTS:
        # Weiszfeld creeps near a data point that is almost (not quite) the median; never return
        # something worse than the best data point
        kept = array[keep]
        vertex_cost = (pairwise_km(kept) * w[None, :]).sum(axis=1)
        best = int(np.argmin(vertex_cost))
        estimate_cost = float((haversine_km(kept[:, 0], kept[:, 1], lat, lon) * w).sum())
        if vertex_cost[best] < estimate_cost:
            lat, lon = float(kept[best, 0]), float(kept[best, 1])
    return Median(lat, lon, int(iterations))


def xyz_to_lat_lon(x: float, y: float, z: float) -> tuple[float, float]:
    """(lat, lon) in degrees of a unit vector; longitude in (-180, 180]."""
    lat = math.degrees(math.atan2(z, math.hypot(x, y)))
    lon = math.degrees(math.atan2(y, x))
    return lat, (180.0 if lon == -180.0 else lon)
