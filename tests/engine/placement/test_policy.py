"""The interpolation policy: the same place up to 2 h, along the way within 30 min, the nearer
anchor within 30 min, nothing beyond; radius and confidence as the docstring says."""

import pytest

from geor.engine.placement.policy import Anchor, PlacementPolicy, Timeline, distance_m, place_between

POLICY = PlacementPolicy()
CAFE = (48.85837, 2.29448)
NEAR_CAFE = (48.85870, 2.29460)  # 38 m away
MUSEUM = (48.86061, 2.33764)  # 3.2 km away


def anchor(t, where, radius=10.0, label="a"):
    return Anchor(t, where[0], where[1], radius, label)


def test_the_same_place_holds_for_two_hours():
    a, b = anchor(0, CAFE, label="IMG_1"), anchor(110 * 60, NEAR_CAFE, label="IMG_2")
    found = place_between(55 * 60, a, b, POLICY)
    assert found is not None and "the same place" in found.note and found.note.startswith("between IMG_1, 55 min before")
    # at either anchor or between, or away and back on foot in the 55 min to the nearer: 4.6 km, for review (max_radius_m)
    assert distance_m(found.lat, found.lon, *CAFE) < 40 and found.radius_m == pytest.approx(10 + 1.4 * 55 * 60)
    assert found.confidence > 0.8 and found.radius_m > POLICY.max_radius_m
    early = place_between(60, a, b, POLICY)  # a minute after the first: the farther anchor (38 m) bounds it, not the walk (84 m)
    assert early.radius_m == pytest.approx(10 + max(distance_m(*CAFE, *NEAR_CAFE) * (1 - 60 / (110 * 60)), 1.4 * 60))
    assert place_between(55 * 60, a, anchor(130 * 60, NEAR_CAFE), POLICY) is None  # 130 min apart: beyond 2 h, and no anchor within 10 min


def test_between_two_photos_at_one_place_the_radius_allows_a_walk_away_and_back():
    """A real logger's evening (GPSBabel's MTK M-241 reference track, 18 November 2012): photos at
    one spot at 21:46 and 22:06, and in between a loop that reached 1.5 km away. A photo 8.5 minutes
    after the first took the spot with the anchors' 20 m; it now says how far a walk of 8.5 minutes
    away and back could have taken it."""
    spot = (47.96445, 7.82448)
    a, b = anchor(0, spot, radius=20.0), anchor(20 * 60 + 8, (47.96416, 7.82415), radius=20.0)
    found = place_between(8 * 60 + 30, a, b, POLICY)
    assert "the same place" in found.note and found.radius_m == pytest.approx(20 + 1.4 * 510)


def test_two_places_interpolate_within_thirty_minutes_with_falling_confidence():
    a, b = anchor(0, CAFE), anchor(20 * 60, MUSEUM)
    near = place_between(60, a, b, POLICY)
    middle = place_between(10 * 60, a, b, POLICY)
    assert "interpolated" in middle.note
    assert distance_m(middle.lat, middle.lon, *CAFE) == pytest.approx(distance_m(*CAFE, *MUSEUM) / 2, rel=1e-3)
    assert near.confidence > middle.confidence and near.radius_m < middle.radius_m
    apart = distance_m(*CAFE, *MUSEUM)
    # nobody saw when they left the cafe or reached the museum: at driving pace, halfway could be either end
    assert middle.radius_m == pytest.approx(10 + apart / 2, rel=1e-6)
    assert near.radius_m == pytest.approx(10 + 14 * 60 - apart / 20, rel=1e-6)  # 1 min in: at most 840 m along, not 160 m


def test_on_a_fast_leg_the_user_may_have_left_late():
    """11.7 km in 13 minutes (a motorway, 54 km/h on average): 14 s after the first photo the user may
    still be there, having left late and driven faster than the average (a held-out trip's camera
    photos were written 200 m along the way with a 40 m radius when driving pace was the bound)."""
    start = anchor(0, CAFE)
    end = anchor(13 * 60, (CAFE[0] + 11.7 / 111.2, CAFE[1]))
    found = place_between(14, start, end, POLICY)
    assert "interpolated" in found.note
    assert found.radius_m >= distance_m(found.lat, found.lon, *CAFE)  # the first place lies within the radius
    assert found.radius_m < 1000  # and the placement stays usable


def test_beyond_thirty_minutes_only_the_nearer_anchor_within_thirty():
    a, b = anchor(0, CAFE, label="IMG_1"), anchor(80 * 60, MUSEUM)
    found = place_between(4 * 60, a, b, POLICY)
    assert (found.lat, found.lon) == CAFE and found.note == "4 min after IMG_1: its position"
    # the user went to the museum some time in the next 76 min: 4 min is past 5 % of it, so maybe not on foot
    assert found.radius_m == pytest.approx(10 + 14 * 240) and found.confidence == pytest.approx(0.9 * (1 - 4 / 30) ** 2)
    assert place_between(4 * 60, a, None, POLICY).radius_m == pytest.approx(10 + 1.4 * 240)  # no sign of leaving: walking pace
    assert place_between(2 * 60, a, anchor(6 * 3600, MUSEUM), POLICY).radius_m == pytest.approx(10 + 1.4 * 120)  # 2 min of 6 h
    # 6 min of 6 h: 5 % of 6 h is 18 min, but a real location history's user left 2 min after a photo, the next one hours later at home
    assert place_between(6 * 60, a, anchor(6 * 3600, MUSEUM), POLICY).radius_m == pytest.approx(10 + 14 * 360)
    assert place_between(40 * 60, a, b, POLICY) is None  # 40 min from both


def test_an_anchor_taken_in_passing_may_have_been_on_the_road():
    """A phone photo on the way (the only one at its place, between photos of other places that day):
    in a generated drive, a camera photo 81 s after one was 1 km down the road, written with the
    walking pace's 133 m. Beside such a photo the radius grows at a motorway's pace, after it and,
    between it and the next place, along the way; beside one with another at its place (the user
    stayed) at walking pace; and the only photo of its day is not taken for one in passing (a camera
    photo 30 s after the phone's is where the phone was)."""
    road = (CAFE[0] + 0.05, CAFE[1])  # 5.6 km north
    passing = Timeline([anchor(0, CAFE), anchor(20 * 60, road), anchor(110 * 60, MUSEUM)])
    assert passing.alone(POLICY) == [False, True, False]
    assert passing.place_at(20 * 60 + 80, POLICY).radius_m == pytest.approx(10 + 36.1 * 80)
    stayed = Timeline([anchor(0, CAFE), anchor(18 * 60, road), anchor(20 * 60, road), anchor(110 * 60, MUSEUM)])
    assert stayed.alone(POLICY) == [False] * 4 and stayed.place_at(20 * 60 + 80, POLICY).radius_m == pytest.approx(10 + 1.4 * 80)
    on_the_way = Timeline([anchor(0, CAFE), anchor(20 * 60, road), anchor(45 * 60, MUSEUM)]).place_at(20 * 60 + 80, POLICY)
    apart = distance_m(*road, *MUSEUM)
    assert "interpolated" in on_the_way.note and on_the_way.radius_m == pytest.approx(10 + 36.1 * 80 - 80 / (25 * 60) * apart)
    slow = PlacementPolicy(max_speed_kmh=3)  # a plausibility bound set low never makes a radius smaller than without the rule
    assert place_between(400, anchor(0, CAFE), anchor(110 * 60, MUSEUM), slow, passing=(True, False)).radius_m == pytest.approx(10 + 14 * 400)
    assert place_between(60, anchor(0, CAFE), anchor(110 * 60, MUSEUM), slow, passing=(True, False)).radius_m == pytest.approx(10 + 1.4 * 60)
    months = Timeline([anchor(-90 * 86400, MUSEUM), anchor(0, CAFE), anchor(200 * 86400, MUSEUM)])
    assert months.alone(POLICY) == [False] * 3 and months.place_at(30, POLICY).radius_m == pytest.approx(10 + 1.4 * 30)
    # a logger's fixes on a motorway, 150 m apart every 5 s, record the way itself: none of them is a photo in passing
    motorway = Timeline([Anchor(5.0 * k, CAFE[0] + 0.00135 * k, CAFE[1], 5.0, "fix", kind="track") for k in range(10)])
    assert not any(motorway.alone(POLICY))


def test_every_number_is_the_users():
    a, b = anchor(0, CAFE), anchor(40 * 60, MUSEUM)
    assert place_between(20 * 60, a, b, PlacementPolicy(interpolate_max_min=60)) is not None
    assert place_between(8 * 60, a, None, PlacementPolicy(extrapolate_max_min=5)) is None
    assert place_between(8 * 60, a, None, POLICY) is not None
    far_cafe = anchor(30 * 60, (48.8590, 2.2950))  # 180 m: one place only with a 200 m rule
    assert "the same place" in place_between(25 * 60, a, far_cafe, PlacementPolicy(same_place_m=200)).note
    assert PlacementPolicy(max_speed_kmh=0).problems() == ["max speed kmh must be a number above 0, not 0"]


def test_the_clocks_uncertainty_reaches_every_position_its_moments_allow():
    """At a stop the clock's +- 5 min moves the photo nowhere, and its radius grows only by the walk away and back its
    latest moment allows (10 of 20 minutes: 840 m); near a departure it reaches as far as the user got in 5 min (23 min:
    3/10 of the way to the museum)."""
    line = Timeline([anchor(0, CAFE), anchor(20 * 60, NEAR_CAFE), anchor(30 * 60, MUSEUM), anchor(50 * 60, MUSEUM)])
    sure, unsure = line.place_at(8 * 60, POLICY), line.place_at(8 * 60, POLICY, clock_uncertainty_s=300)
    assert sure.radius_m == pytest.approx(10 + 1.4 * 8 * 60) and (unsure.lat, unsure.lon) == (sure.lat, sure.lon)
    assert 10 + 1.4 * 10 * 60 <= unsure.radius_m <= 1.1 * (10 + 1.4 * 10 * 60) + 5  # the moments sampled, with the safety margin between them
    edge = line.place_at(18 * 60, POLICY, clock_uncertainty_s=300)
    assert 900 < edge.radius_m < distance_m(*CAFE, *MUSEUM) and "the clock's +-5 min reaches" in edge.note
    lone = Timeline([anchor(0, CAFE)]).place_at(25 * 60, POLICY, clock_uncertainty_s=600)  # 35 min: beyond the 30-min reach
    assert lone.radius_m == float("inf") and "no anchor is near enough" in lone.note


def test_a_timeline_finds_the_anchors_around_a_moment():
    line = Timeline([anchor(100, MUSEUM), anchor(0, CAFE), anchor(50, NEAR_CAFE)])
    assert [a.t for a in line.around(60)] == [50, 100] and line.around(-1)[0] is None and line.around(200)[1] is None
    assert line.place_at(75, POLICY) is not None
