"""Plausibility checks: each flag names its reason; facts (own GPS, a person's placement) are never
flagged; a track can justify what looks impossible."""

from geor.engine.placement.plausibility import Placed, implausible
from geor.engine.placement.policy import PlacementPolicy
from geor.engine.placement.tracks import Fix, Track

PARIS, LYON, TOKYO = (48.8566, 2.3522), (45.764, 4.8357), (35.68, 139.77)
H = 3600.0


def placed(i, t, where, source="interpolated", camera="cam", country=None, code=None, review=False, on_utc=True, radius=50.0):
    return Placed(id=i, name=f"p{i}.jpg", camera=camera, t=t, on_utc=on_utc, lat=where[0], lon=where[1], radius_m=radius, source=source,
                  country=country, country_code=code, review=review)


def test_an_impossible_speed_flags_the_decision_not_the_fact():
    flags = implausible([placed(1, 0, PARIS, "exif"), placed(2, 600, LYON), placed(3, 2 * H, LYON, "exif")], PlacementPolicy())
    assert list(flags) == [2]
    assert flags[2].startswith("implies 2,348 km/h from p1.jpg (10 min earlier, 391.") and "faster than 300 km/h" in flags[2]


def test_a_high_speed_train_is_fine_and_the_limit_is_the_users():
    trip = [placed(1, 0, PARIS, "exif"), placed(2, 2 * H, LYON)]  # 391 km in 2 h
    assert implausible(trip, PlacementPolicy()) == {}
    assert 2 in implausible(trip, PlacementPolicy(max_speed_kmh=150))


def test_a_track_that_flew_justifies_it():
    trip = [placed(1, 0, PARIS, "exif"), placed(2, 12 * H, TOKYO, "track")]
    assert 2 in implausible(trip, PlacementPolicy())
    flight = Track([Fix(100.0, *PARIS), Fix(12 * H - 100, *TOKYO)])
    assert implausible(trip, PlacementPolicy(), flight) == {}


def test_decisions_waiting_for_review_are_no_evidence_against_others():
    trip = [placed(1, 0, PARIS, "model"), placed(2, 600, TOKYO, "model", review=True)]
    assert implausible(trip, PlacementPolicy()) == {}


def test_null_positions_are_flagged():
    flags = implausible([placed(1, 0, (0.0, 0.0), "model")], PlacementPolicy())
    assert flags == {1: "the position is (0, 0), a null position"}


def test_far_from_the_days_gps_and_in_another_country():
    day = [placed(1, 0, PARIS, "exif", country="France", code="FR"), placed(2, 5 * H, LYON, "exif", camera="phone", country="France", code="FR")]
    model = placed(3, 10 * H, TOKYO, "model", camera="other", country="Japan", code="JP")
    flags = implausible([*day, model], PlacementPolicy())
    assert "9,7" in flags[3] and "km from the nearest GPS of the same day (p1.jpg), more than 200 km" in flags[3]  # Paris is nearer Tokyo than Lyon
    assert "the model says Japan, the same day's GPS photos are in France" in flags[3]
    brussels = placed(4, 10 * H, (50.85, 4.35), "model", camera="other", country="Belgium", code="BE")
    assert "the model says Belgium" in implausible([*day, brussels], PlacementPolicy(far_km=1000))[4]
    next_week = placed(5, 200 * H, TOKYO, "model", camera="other", country="Japan", code="JP")
    assert 5 not in implausible([*day, next_week], PlacementPolicy())  # no GPS that day: nothing to compare with
