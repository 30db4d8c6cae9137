import math
import resource
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geor.engine.geo import EARTH_RADIUS_KM, MAX_DISTANCE_KM, CoordinateRangeError, haversine_km, nearest_k, pairwise_km, reference

KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180

lats = st.floats(-90, 90, allow_nan=False)
lons = st.floats(-180, 180, allow_nan=False)


def random_points(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.column_stack([np.degrees(np.arcsin(rng.uniform(-1, 1, n))), rng.uniform(-180, 180, n)])


class TestOnePair:
    def test_radius_is_the_iugg_mean_radius(self):
        assert EARTH_RADIUS_KM == 6371.0088

    def test_geneva_to_paris(self):
        # independent value: central angle from the spherical law of cosines, in full precision
        lat1, lon1, lat2, lon2 = map(math.radians, (46.2044, 6.1432, 48.8566, 2.3522))
        angle = math.acos(math.sin(lat1) * math.sin(lat2) + math.cos(lat1) * math.cos(lat2) * math.cos(lon2 - lon1))
        assert haversine_km(46.2044, 6.1432, 48.8566, 2.3522) == pytest.approx(angle * EARTH_RADIUS_KM, rel=1e-12)
        assert haversine_km(46.2044, 6.1432, 48.8566, 2.3522) == pytest.approx(409.757, abs=1e-3)

    def test_quarter_meridian_and_antipodes(self):
        assert haversine_km(0, 0, 90, 0) == pytest.approx(MAX_DISTANCE_KM / 2, rel=1e-14)
        assert haversine_km(0, 0, 0, 180) == pytest.approx(MAX_DISTANCE_KM, rel=1e-14)
        assert haversine_km(-90, 17, 90, -45) == pytest.approx(MAX_DISTANCE_KM, rel=1e-14)
        assert haversine_km(35.5, 139.7, -35.5, -40.3) == pytest.approx(MAX_DISTANCE_KM, rel=1e-9)

    def test_across_the_antimeridian_is_short(self):
        assert haversine_km(0, 179.9, 0, -179.9) == pytest.approx(0.2 * KM_PER_DEGREE, rel=1e-9)
        assert haversine_km(-17.7, 178.0, -17.7, -179.0) == pytest.approx(haversine_km(-17.7, -2.0, -17.7, 1.0), rel=1e-12)

    def test_longitude_wraps(self):
        assert haversine_km(10, 190, 10, -170) == pytest.approx(0, abs=1e-9)
        assert haversine_km(10, 540, 10, 180) == pytest.approx(0, abs=1e-9)

    def test_at_the_poles_longitude_does_not_matter(self):
        assert haversine_km(90, 0, 90, 123.4) == pytest.approx(0, abs=1e-9)
        assert haversine_km(-90, -170, -90, 10) == pytest.approx(0, abs=1e-9)
        assert haversine_km(89, 0, 89, 180) == pytest.approx(2 * KM_PER_DEGREE, rel=1e-9)

    def test_short_distances_keep_precision(self):
        # 1e-7 degree of latitude is about 1.1 cm
        assert haversine_km(45, 7, 45 + 1e-7, 7) == pytest.approx(1e-7 * KM_PER_DEGREE, rel=1e-6)
        assert haversine_km(12.3, 45.6, 12.3, 45.6) == 0.0

    def test_nan_in_nan_out(self):
        assert math.isnan(haversine_km(math.nan, 0, 0, 0))
        assert math.isnan(haversine_km(0, 0, 0, math.nan))

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            ((90.5, 0, 0, 0), "first point's latitude is 90.5"),
            ((0, 0, -91, 0), "second point's latitude is -91.0"),
            ((math.inf, 0, 0, 0), "latitude is inf"),
            ((0, math.inf, 0, 0), "first point's longitude is inf"),
            ((0, 0, 0, -math.inf), "second point's longitude is -inf"),
        ],
    )
    def test_impossible_values_raise(self, args, message):
        with pytest.raises(CoordinateRangeError, match=message):
            haversine_km(*args)

    def test_non_numbers_raise_value_error(self):
        with pytest.raises(ValueError, match="lat1"):
            haversine_km("Paris", 0, 0, 0)

    @given(lats, lons, lats, lons)
    def test_symmetric_and_bounded(self, lat1, lon1, lat2, lon2):
        d = haversine_km(lat1, lon1, lat2, lon2)
        assert 0 <= d <= MAX_DISTANCE_KM + 1e-9
        assert d == pytest.approx(haversine_km(lat2, lon2, lat1, lon1), abs=1e-9)

    @given(lats, lons, lats, lons, lats, lons)
    def test_triangle_inequality(self, lat1, lon1, lat2, lon2, lat3, lon3):
        ab = haversine_km(lat1, lon1, lat2, lon2)
        bc = haversine_km(lat2, lon2, lat3, lon3)
        ac = haversine_km(lat1, lon1, lat3, lon3)
        # the haversine formula loses precision near the antipode (worst case ~R*sqrt(eps) = 0.1 m)
        assert ac <= ab + bc + 1e-4

    @given(lats, lons, lats, lons)
    def test_matches_reference(self, lat1, lon1, lat2, lon2):
        assert haversine_km(lat1, lon1, lat2, lon2) == pytest.approx(float(reference.haversine_km(lat1, lon1, lat2, lon2)), abs=1e-6)


class TestElementwise:
    def test_matches_reference_on_random_points(self):
        a, b = random_points(10_000, 1), random_points(10_000, 2)
        ours = haversine_km(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
        np.testing.assert_allclose(ours, reference.haversine_km(a[:, 0], a[:, 1], b[:, 0], b[:, 1]), rtol=1e-12, atol=1e-9)

    def test_broadcasts_and_keeps_shape(self):
        lat = np.linspace(-60, 60, 12).reshape(3, 4)
        out = haversine_km(lat, 10.0, 0.0, 10.0)
        assert out.shape == (3, 4)
        np.testing.assert_allclose(out, np.abs(lat) * KM_PER_DEGREE, rtol=1e-12)

    def test_nan_rows_stay_nan_and_others_are_computed(self):
        out = haversine_km([0.0, np.nan, 10.0], [0.0, 0.0, np.nan], [1.0, 1.0, 1.0], [0.0, 0.0, 0.0])
        assert out[0] == pytest.approx(KM_PER_DEGREE)
        assert np.isnan(out[1]) and np.isnan(out[2])

    def test_error_names_the_index(self):
        lat = np.zeros((2, 3))
        lat[1, 2] = 95
        with pytest.raises(CoordinateRangeError, match=r"at index \(1, 2\) is 95.0") as info:
            haversine_km(lat, 0, 0, 0)
        assert info.value.index == (1, 2)

    def test_shapes_that_do_not_broadcast(self):
        with pytest.raises(ValueError, match="do not broadcast"):
            haversine_km(np.zeros(3), np.zeros(4), 0, 0)


class TestPairwise:
    def test_matches_reference(self):
        a, b = random_points(300, 3), random_points(500, 4)
        np.testing.assert_allclose(pairwise_km(a, b), reference.pairwise_km(a, b), rtol=1e-9, atol=1e-6)

    def test_self_distances_are_zero_and_symmetric(self):
        a = random_points(200, 5)
        d = pairwise_km(a)
        assert np.all(np.diag(d) == 0.0)
        np.testing.assert_allclose(d, d.T, atol=1e-9)

    def test_antimeridian_and_poles(self):
        points = np.array([[0, 179.95], [0, -179.95], [90, 0], [90, 77], [-90, 0]])
        d = pairwise_km(points)
        assert d[0, 1] == pytest.approx(0.1 * KM_PER_DEGREE, rel=1e-6)
        assert d[2, 3] == pytest.approx(0, abs=1e-9)
        assert d[2, 4] == pytest.approx(MAX_DISTANCE_KM, rel=1e-12)

    def test_nan_rows_and_empty(self):
        d = pairwise_km([[np.nan, 0], [0, 0]], [[0, 1], [0, np.nan]])
        assert np.isnan(d[0]).all() and np.isnan(d[:, 1]).all() and d[1, 0] == pytest.approx(KM_PER_DEGREE)
        assert pairwise_km(np.empty((0, 2)), random_points(3, 1)).shape == (0, 3)

    def test_bad_shapes_and_values(self):
        with pytest.raises(ValueError, match=r"\(N, 2\)"):
            pairwise_km(np.zeros((3, 3)))
        with pytest.raises(CoordinateRangeError, match="points_b latitude at index 1"):
            pairwise_km([[0, 0]], [[0, 0], [100, 0]])


class TestNearestK:
    def test_matches_reference(self):
        queries, gallery = random_points(700, 6), random_points(5000, 7)
        index, km = nearest_k(queries, gallery, k=5)
        ref_index, ref_km = reference.nearest_k(queries, gallery, k=5)
        np.testing.assert_allclose(km, ref_km, rtol=1e-9, atol=1e-6)
        assert (index == ref_index).mean() > 0.999  # only float near-ties may order differently
        np.testing.assert_allclose(pairwise_km(queries[:50], gallery)[np.arange(50)[:, None], index[:50]], km[:50], atol=1e-9)

    def test_sorted_nearest_first_and_ties_by_index(self):
        gallery = np.array([[0, 2], [0, 1], [0, -1], [0, 3]])
        index, km = nearest_k([[0, 0]], gallery, k=4)
        assert index.tolist() == [[1, 2, 0, 3]]
        assert np.all(np.diff(km) >= 0)

    def test_across_the_antimeridian(self):
        gallery = np.array([[0, 170.0], [0, -179.5], [0, 0.0]])
        index, km = nearest_k([[0, 179.5]], gallery, k=1)
        assert index[0, 0] == 1 and km[0, 0] == pytest.approx(KM_PER_DEGREE, rel=1e-9)

    def test_nan_query_and_nan_gallery(self):
        gallery = np.array([[np.nan, 0], [0, 1], [0, 2]])
        index, km = nearest_k([[0, 0], [np.nan, 5]], gallery, k=3)
        assert index[0].tolist() == [1, 2, -1] and km[0, 2] == np.inf
        assert index[1].tolist() == [-1, -1, -1] and np.isnan(km[1]).all()

    @pytest.mark.parametrize("k", [0, -1, 1.5, True])
    def test_bad_k(self, k):
        with pytest.raises(ValueError, match="k must be a positive integer"):
            nearest_k([[0, 0]], [[0, 1]], k=k)

    def test_k_larger_than_gallery(self):
        with pytest.raises(ValueError, match="exceeds the gallery size 2"):
            nearest_k([[0, 0]], [[0, 1], [0, 2]], k=3)

    def test_large_search_never_builds_the_matrix(self):
        # 10,000 x 100,000: the distance matrix alone would be 8 GB
        queries, gallery = random_points(10_000, 8), random_points(100_000, 9)
        before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        index, km = nearest_k(queries, gallery, k=3)
        grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_kb) / 1024
        assert grown_mb < 200
        spot = np.array([0, 4_321, 9_999])
        ref_index, ref_km = reference.nearest_k(queries[spot], gallery, k=3)
        np.testing.assert_allclose(km[spot], ref_km, rtol=1e-9)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(lats, lons), min_size=1, max_size=20), st.lists(st.tuples(lats, lons), min_size=1, max_size=20))
def test_pairwise_and_nearest_agree_with_reference(points_a, points_b):
    a, b = np.array(points_a), np.array(points_b)
    np.testing.assert_allclose(pairwise_km(a, b), reference.pairwise_km(a, b), atol=1e-6)
    _, km = nearest_k(a, b, k=1)
    np.testing.assert_allclose(km[:, 0], reference.pairwise_km(a, b).min(axis=1), atol=1e-6)


def test_the_kernels_load_without_importing_scipy_linalg():
    """numba's check for BLAS imports scipy.linalg on the first call of a cached kernel (a quarter of a
    second on the way to a job's first write); Geo-R answers it with no, and scipy.linalg still
    imports and works after."""
    code = ("import sys; from geor.engine.geo import haversine_km; d = haversine_km(0.0, 0.0, 0.0, 1.0); "
            "assert 'scipy.linalg' not in sys.modules, 'scipy.linalg imported'; "
            "import scipy.linalg; assert scipy.linalg.norm([3.0, 4.0]) == 5.0; print(round(float(d), 3))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "111.195"
