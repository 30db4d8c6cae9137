"""Positions between two positions along the great circle (for photos taken between two GPS
fixes): spherical linear interpolation of unit vectors, correct across the antimeridian."""

from __future__ import annotations

import math

from .median import xyz_to_lat_lon


def _unit(lat: float, lon: float) -> tuple[float, float, float]:
    la, lo = math.radians(lat), math.radians(lon)
    return math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)


def great_circle_point(lat1: float, lon1: float, lat2: float, lon2: float, fraction: float) -> tuple[float, float]:
    """The point ``fraction`` (0..1) of the way from the first position to the second."""
    a, b = _unit(lat1, lon1), _unit(lat2, lon2)
    dot = max(-1.0, min(1.0, sum(x * y for x, y in zip(a, b))))
    angle = math.acos(dot)
    if angle < 1e-12:
        return lat1, lon1
    sa = math.sin(angle)
    if sa < 1e-12:  # antipodal: no single great circle; stay at the start
        return lat1, lon1
    wa, wb = math.sin((1 - fraction) * angle) / sa, math.sin(fraction * angle) / sa
    return xyz_to_lat_lon(*(wa * x + wb * y for x, y in zip(a, b)))
