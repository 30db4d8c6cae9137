"""Geo math of Geo-R: great-circle distances (numba kernels), the geometric median on the sphere,
and the evaluation metrics. Degrees in, kilometres out; radius :data:`EARTH_RADIUS_KM`.
"""

from .constants import EARTH_RADIUS_KM, MAX_DISTANCE_KM
from .haversine import haversine_km, nearest_k, pairwise_km
from .median import Median, geometric_median
from .metrics import THRESHOLDS_KM, GeoMetrics, evaluate, geoscore
from .validation import CoordinateRangeError

__all__ = [
    "EARTH_RADIUS_KM",
    "MAX_DISTANCE_KM",
    "THRESHOLDS_KM",
    "CoordinateRangeError",
    "GeoMetrics",
    "Median",
    "evaluate",
    "geometric_median",
    "geoscore",
    "haversine_km",
    "nearest_k",
    "pairwise_km",
]
