"""Positions between two positions along the great circle (for photos taken between two GPS
fixes): spherical linear interpolation of unit vectors, correct across the antimeridian; and
the circle of positions at a distance around one (an uncertainty circle on a map)."""

from __future__ import annotations

import math

import numpy as np

from .constants import EARTH_RADIUS_KM
from .median import xyz_to_lat_lon


def _unit(lat: float, lon: float) -> tuple[float, float, float]:
    la, lo = math.radians(lat), math.radians(lon)
    return math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)


def great_circle_point(lat1: float, lon1: float, lat2: float, lon2: float, fraction: float) -> tuple[float, float]:
    """The point ``fraction`` (0..1) of the way from the first position to the second."""
    a, b = _unit(lat1, lon1), _unit(lat2, lon2)
    dot = max(-1.0, min(1.0, sum(x * y for x, y in zip(a, b, strict=True))))
    angle = math.acos(dot)
    if angle < 1e-12:
        return lat1, lon1
    sa = math.sin(angle)
    if sa < 1e-12:  # antipodal: no single great circle; stay at the start
        return lat1, lon1
    wa, wb = math.sin((1 - fraction) * angle) / sa, math.sin(fraction * angle) / sa
    return xyz_to_lat_lon(*(wa * x + wb * y for x, y in zip(a, b, strict=True)))


def circle_around(lat: float, lon: float, radius_km: float, points: int = 90) -> np.ndarray:
    """``points`` positions (lat, lon) at ``radius_km`` from (lat, lon) along every bearing: the
    outline of an uncertainty circle on a map. Longitudes are continuous around the centre (they may
    leave [-180, 180]) so that a circle across the antimeridian draws as one ring."""
    delta = min(radius_km / EARTH_RADIUS_KM, math.pi)
    bearing = np.linspace(0.0, 2.0 * math.pi, points, endpoint=False)
    la, lo = math.radians(lat), math.radians(lon)
    sin_lat = math.sin(la) * math.cos(delta) + math.cos(la) * math.sin(delta) * np.cos(bearing)
    out_lat = np.arcsin(np.clip(sin_lat, -1.0, 1.0))
    out_lon = lo + np.arctan2(np.sin(bearing) * math.sin(delta) * math.cos(la), math.cos(delta) - math.sin(la) * sin_lat)
    return np.stack([np.degrees(out_lat), np.degrees(out_lon)], axis=1)
