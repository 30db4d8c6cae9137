import math

import numpy as np
import pytest

from geor.engine.cor import CorAnswer, render_answer
from geor.engine.geo import MAX_DISTANCE_KM
from geor.training.rewards import (
    coordinate_reward,
    dense_coordinate_reward,
    format_reward,
    make_consistency_reward,
    paper_distance_reward,
    region_reward,
    reward_functions,
)

PARIS = (48.8566, 2.3522)


def message(text):
    return [{"role": "assistant", "content": text}]


def answer(country="France", state="Île-de-France", city="Paris", lat=PARIS[0], lon=PARIS[1]):
    return render_answer(CorAnswer(country, state, city, lat, lon))


@pytest.mark.parametrize(("km", "expected"), [
    (0.0, 1.0), (375.0, 0.75), (750.0, 0.5), (750.0 + 875.0, 0.35), (2500.0, 0.2), (2500.0 + 8750.0, 0.1), (20000.0, 0.0),
])
def test_paper_reward_at_its_breakpoints(km, expected):
    assert paper_distance_reward(km) == pytest.approx(expected, abs=1e-12)


def test_paper_reward_is_continuous_decreasing_and_zero_at_the_antipode():
    d = np.linspace(0.0, MAX_DISTANCE_KM, 200_001)
    r = paper_distance_reward(d)
    assert np.all(np.diff(r) <= 1e-12)
    assert np.max(np.abs(np.diff(r))) < 1e-3  # no jumps at 750 or 2,500 km
    assert r[-1] == pytest.approx(0.0, abs=1e-3) and r.min() >= 0.0
    assert paper_distance_reward(math.nan) == 0.0


def test_coordinate_reward_of_completions_in_both_shapes():
    truth_lat, truth_lon = [PARIS[0]] * 3, [PARIS[1]] * 3
    near = answer(lat=48.8566, lon=2.3522 + 750.0 / (111.195 * math.cos(math.radians(48.8566))) * 0)  # exact
    rewards = coordinate_reward([message(near), answer(lat=PARIS[0] - 750.0 / 111.19508, lon=PARIS[1]), "no idea"],
                                lat=truth_lat, lon=truth_lon)
    assert rewards[0] == pytest.approx(1.0)
    assert rewards[1] == pytest.approx(0.5, abs=1e-3)  # 750 km due south
    assert rewards[2] == 0.0


def test_two_coordinate_pairs_zero_the_coordinate_reward():
    text = answer() + "\nor maybe (40.4168, -3.7038)"
    assert format_reward([text]) == [0.0]
    assert coordinate_reward([text], lat=[PARIS[0]], lon=[PARIS[1]]) == [0.0]
    assert dense_coordinate_reward([text], lat=[PARIS[0]], lon=[PARIS[1]]) == [0.0]
    assert format_reward([answer()]) == [1.0]


def test_dense_reward_separates_fine_distances_where_the_paper_is_flat():
    two_km = answer(lat=PARIS[0] + 2.0 / 111.19508)
    twenty_km = answer(lat=PARIS[0] + 20.0 / 111.19508)
    paper = coordinate_reward([two_km, twenty_km], lat=[PARIS[0]] * 2, lon=[PARIS[1]] * 2)
    dense = dense_coordinate_reward([two_km, twenty_km], lat=[PARIS[0]] * 2, lon=[PARIS[1]] * 2)
    assert paper[0] - paper[1] < 0.02
    assert dense[0] - dense[1] > 0.1
    assert dense_coordinate_reward([answer()], lat=[PARIS[0]], lon=[PARIS[1]])[0] == pytest.approx(1.0)


def test_region_reward_counts_the_truths_known_levels():
    truth = dict(country=["France"] * 4, state=["Île-de-France"] * 4, city=[None, "Paris", "Paris", "Paris"])
    completions = [answer(), answer(), answer(city="Lyon"), "Country: Spain\nCoordinates: (40.4, -3.7)"]
    assert region_reward(completions, **truth) == pytest.approx([1.0, 1.0, 2 / 3, 0.0])


def test_consistency_reward_asks_the_geocoder(geocoder):
    reward = make_consistency_reward(geocoder)
    coherent = answer()
    incoherent = answer(country="Japan", state="Hokkaido", city="Biei")  # but the coordinates are in Paris
    assert reward([coherent, incoherent, "garbage"]) == [1.0, 0.0, 0.0]


def test_reward_functions_from_config_weights(geocoder):
    functions, weights = reward_functions({"coordinate": 1.0, "format": 0.2, "consistency": 0.1}, geocoder)
    assert [f.__name__ for f in functions] == ["coordinate_reward", "format_reward", "consistency_reward"]
    assert weights == [1.0, 0.2, 0.1]
    with pytest.raises(ValueError, match="unknown reward 'distance'"):
        reward_functions({"distance": 1.0})
