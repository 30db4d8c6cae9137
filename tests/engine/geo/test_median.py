import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geor.engine.geo import CoordinateRangeError, geometric_median, haversine_km, reference


def total_km(points: np.ndarray, lat: float, lon: float, weights=None) -> float:
    d = haversine_km(points[:, 0], points[:, 1], lat, lon)
    return float(np.sum(d if weights is None else d * weights))


def test_single_point_is_its_own_median():
    median = geometric_median([[12.5, -70.25]])
    assert (median.lat, median.lon) == pytest.approx((12.5, -70.25), abs=1e-9)


def test_outlier_cannot_drag_the_median():
    # five answers around Paris and one in Sydney: the median stays in Paris, the mean would not
    points = np.array([[48.85, 2.35], [48.86, 2.34], [48.84, 2.36], [48.87, 2.35], [48.85, 2.33], [-33.87, 151.21]])
    median = geometric_median(points)
    assert haversine_km(median.lat, median.lon, 48.855, 2.346) < 2.0


def test_matches_reference_and_is_optimal():
    rng = np.random.default_rng(0)
    points = np.column_stack([rng.normal(35, 3, 40), rng.normal(139, 4, 40)])
    median = geometric_median(points)
    ref_lat, ref_lon = reference.geometric_median(points)
    assert haversine_km(median.lat, median.lon, ref_lat, ref_lon) < 1e-3
    best = total_km(points, median.lat, median.lon)
    for dlat, dlon in [(0.01, 0), (-0.01, 0), (0, 0.01), (0, -0.01)]:
        assert best <= total_km(points, median.lat + dlat, median.lon + dlon)


def test_across_the_antimeridian():
    points = np.array([[-17.8, 179.9], [-17.6, -179.8], [-17.7, 179.7], [-17.9, -179.9]])
    median = geometric_median(points)
    assert abs(median.lon) > 179.5  # near 180, never near 0
    assert median.lat == pytest.approx(-17.75, abs=0.1)


def test_around_the_pole():
    points = np.array([[89.0, 0.0], [89.0, 90.0], [89.0, 180.0], [89.0, -90.0]])
    assert geometric_median(points).lat == pytest.approx(90.0, abs=1e-6)


def test_median_on_a_data_point_is_detected():
    # three points at one place and one elsewhere: the median is the triple point (Vardi-Zhang)
    points = np.array([[10.0, 10.0]] * 3 + [[20.0, 20.0]])
    median = geometric_median(points)
    assert haversine_km(median.lat, median.lon, 10.0, 10.0) < 1e-6


def test_weights_pull_towards_heavy_points():
    points = np.array([[0.0, 0.0], [0.0, 10.0]])
    median = geometric_median(points, weights=[3.0, 1.0])
    assert haversine_km(median.lat, median.lon, 0.0, 0.0) < 1e-6


def test_zero_weight_points_are_ignored():
    points = np.array([[0.0, 0.0], [0.0, 1.0], [50.0, 50.0]])
    median = geometric_median(points, weights=[1.0, 1.0, 0.0])
    assert median.lat == pytest.approx(0.0, abs=1e-6) and 0 <= median.lon <= 1


def test_nan_in_nan_out():
    median = geometric_median([[0.0, 0.0], [math.nan, 1.0]])
    assert math.isnan(median.lat) and math.isnan(median.lon)


@pytest.mark.parametrize(
    ("points", "weights", "message"),
    [
        (np.empty((0, 2)), None, "no points"),
        ([[0, 0], [95, 0]], None, "latitude at index 1"),
        ([[0, 0], [1, 1]], [1.0], "expected 2 values"),
        ([[0, 0], [1, 1]], [1.0, -1.0], "non-negative"),
        ([[0, 0], [1, 1]], [0.0, 0.0], "not all zero"),
    ],
)
def test_bad_input(points, weights, message):
    with pytest.raises((ValueError, CoordinateRangeError), match=message):
        geometric_median(points, weights)


@settings(max_examples=60, deadline=None)
@given(
    st.floats(-60, 60), st.floats(-180, 180),
    st.lists(st.tuples(st.floats(-5, 5), st.floats(-5, 5)), min_size=2, max_size=12),
)
def test_no_data_point_does_better(center_lat, center_lon, offsets):
    points = np.array([[center_lat + a, ((center_lon + b + 180) % 360) - 180] for a, b in offsets])
    median = geometric_median(points)
    best = total_km(points, median.lat, median.lon)
    for lat, lon in points:
        assert best <= total_km(points, lat, lon) + 1e-6
