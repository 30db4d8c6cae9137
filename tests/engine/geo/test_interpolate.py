"""Uncertainty circles: every point at the radius, continuous across the antimeridian."""

import numpy as np
import pytest

from geor.engine.geo import MAX_DISTANCE_KM, haversine_km
from geor.engine.geo.interpolate import circle_around, great_circle_point


@pytest.mark.parametrize(("lat", "lon", "radius"), [(43.5, 142.5, 100.0), (-33.9, 18.4, 5.0), (89.0, 0.0, 300.0), (0.0, 0.0, 2500.0)])
def test_every_point_lies_at_the_radius(lat, lon, radius):
    ring = circle_around(lat, lon, radius, 72)
    assert ring.shape == (72, 2)
    assert np.allclose(haversine_km(ring[:, 0], ring[:, 1], lat, lon), radius, rtol=1e-9)


def test_across_the_antimeridian_the_ring_stays_whole():
    ring = circle_around(10.0, 179.5, 300.0)
    assert ring[:, 1].max() > 180.0  # continuous longitudes, drawable as one polygon
    assert np.abs(np.diff(ring[:, 1])).max() < 1.0


def test_a_radius_beyond_the_antipode_is_the_antipode():
    ring = circle_around(0.0, 0.0, 2 * MAX_DISTANCE_KM, 8)
    assert np.allclose(haversine_km(ring[:, 0], ring[:, 1], 0.0, 0.0), MAX_DISTANCE_KM, rtol=1e-6)


def test_great_circle_point_halfway():
    lat, lon = great_circle_point(0.0, 0.0, 0.0, 90.0, 0.5)
    assert (lat, lon) == pytest.approx((0.0, 45.0))
