import math

import numpy as np
import pytest

from geor.engine.geo import MAX_DISTANCE_KM, THRESHOLDS_KM, evaluate, geoscore


def test_thresholds_are_the_standard_ones():
    assert THRESHOLDS_KM == {1.0: "street", 25.0: "city", 200.0: "region", 750.0: "country", 2500.0: "continent"}


def test_accuracy_at_each_threshold():
    # predictions due north of (0, 0) at chosen distances; 1 degree of latitude = 111.195 km
    km = np.array([0.5, 20.0, 150.0, 700.0, 2000.0, 5000.0])
    pred_lat = km / 111.19508
    metrics = evaluate(pred_lat, np.zeros(6), np.zeros(6), np.zeros(6))
    assert metrics.accuracy == pytest.approx({1.0: 1 / 6, 25.0: 2 / 6, 200.0: 3 / 6, 750.0: 4 / 6, 2500.0: 5 / 6})
    assert metrics.median_km == pytest.approx(425.0, rel=1e-4)
    assert metrics.mean_km == pytest.approx(km.mean(), rel=1e-4)
    assert metrics.unparsed == 0


def test_unparsed_predictions_fail_everywhere():
    metrics = evaluate([0.0, math.nan], [0.0, math.nan], [0.0, 0.0], [0.0, 0.0])
    assert metrics.unparsed == 1
    assert all(share == 0.5 for share in metrics.accuracy.values())
    assert metrics.mean_km == pytest.approx(MAX_DISTANCE_KM / 2)
    assert metrics.mean_km_parsed == 0.0
    assert metrics.geoscore == pytest.approx(2500.0)


def test_geoscore_formula():
    assert geoscore([0.0, 1492.7, math.nan]) == pytest.approx([5000.0, 5000.0 / math.e, 0.0])


def test_threshold_is_inclusive():
    d_one_km = 1.0 / 111.19508
    assert evaluate([d_one_km * 0.999999], [0.0], [0.0], [0.0]).accuracy[1.0] == 1.0


def test_missing_truth_is_an_error():
    with pytest.raises(ValueError, match="index 1"):
        evaluate([0.0, 0.0], [0.0, 0.0], [0.0, math.nan], [0.0, 0.0])


def test_empty_input_gives_nan_not_a_crash():
    metrics = evaluate([], [], [], [])
    assert metrics.count == 0 and math.isnan(metrics.mean_km)


def test_table_and_dict():
    metrics = evaluate([1.0], [1.0], [0.0], [0.0])
    assert "2500 km (continent)" in metrics.format_table()
    assert set(metrics.as_dict()) >= {"acc_1km", "acc_2500km", "median_km", "geoscore"}
