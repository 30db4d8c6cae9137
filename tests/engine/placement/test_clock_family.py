"""Camera clocks and the positions written from them, judged on a family of generated trips
(tests/helpers/trip_family.py: several zones, skews of minutes to hours, stops of 10-60 min, walking
and driving between them, sparse and dense phones): no strong clock more than 2 minutes off, every
strong or bounded clock's true offset within its stated uncertainty, and no written photo further
from the truth than the radius Geo-R stated. The shares written, in review and wrong per shape are
in the README (benchmarks/bench_trips.py --family)."""

import math
from pathlib import Path

import numpy as np
import pytest

from geor.engine.pipeline.vocabulary import Stage
from geor.engine.placement.tracks import read_track_file

from ...helpers.trip_family import REAL_SHAPES, SHAPES, make_trip, placed, trip_on_track

SEEDS = range(5)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.name)
def test_no_strong_clock_is_far_off_and_no_written_photo_lies_beyond_its_radius(shape):
    for seed in SEEDS:
        trip = make_trip(shape, seed)
        clock, found = placed(trip)
        error = abs(clock.offset_s - shape.camera_offset_s) if clock.offset_s is not None else math.inf
        if clock.strength == "strong":
            assert error <= 120, f"seed {seed}: a strong clock {error:.0f} s off ({clock.describe()})"
        for segment in clock.segments:  # a clock found changed mid-trip: each part strong or weak on its own
            assert segment.strength != "strong" or abs(segment.offset_s - shape.camera_offset_s) <= 120, f"seed {seed}: {segment}"
        if clock.strength in ("strong", "bounded"):
            assert error <= clock.uncertainty_s + 1, f"seed {seed}: {error:.0f} s off, said +-{clock.uncertainty_s:.0f} s"
        beyond = [(pid, e, r) for pid, (stage, e, r) in found.items() if stage == Stage.DECIDED and e > r]
        assert not beyond, f"seed {seed}: written beyond their radius (id, error m, radius m): {beyond[:5]}"


def test_scenes_both_devices_photographed_make_the_clock_strong_and_most_photos_written():
    """Where the phone now and then photographs what the camera does (alike perceptual hashes,
    within a minute), those pairs pin the offset to seconds: the clock is strong, and most camera
    photos are written, right: those of a stop's edges too, from the phone photo of the same scene."""
    for shape, share in ((SHAPES[7], 0.62), (SHAPES[8], 0.80)):  # sparse phone, dense phone (radii honest on real tracks: 3 points less)
        written = right = total = strong = 0
        for seed in SEEDS:
            trip = make_trip(shape, seed)
            clock, found = placed(trip)
            strong += clock.strength == "strong"
            total += len(trip.truth)
            written += sum(stage == Stage.DECIDED for stage, _, _ in found.values())
            right += sum(stage == Stage.DECIDED and error <= 200 for stage, error, _ in found.values())
        assert strong >= len(SEEDS) - 1, shape.name
        assert right / total >= share and right / written >= 0.97, (shape.name, written / total, right / total)


def test_a_rival_that_a_few_bursts_keep_out_leaves_the_clock_weak():
    """A walking day with a dense phone (seed 746 of its shape, found among 1,000 trips a shape): the
    phone shot through most of the day's hours, and an offset 85 minutes off put 23 of the camera's
    33 bursts inside its active stretches, the true one 24, with more photos outside them, so the
    wrong one was 7.7 capped photos cheaper, past the fixed margin: bounded at +-12 min, and 22
    photos written 0.8-3 km off, beyond their radius. Drawn again, the bursts let the true offset win
    often (bursts.rival_margin): the clock is weak, and nothing is written from it."""
    shape = next(s for s in SHAPES if s.name == "local time, right, walking, dense phone")
    trip = make_trip(shape, 746)
    clock, found = placed(trip)
    assert clock.strength == "weak" and abs(clock.offset_s - shape.camera_offset_s) > 3600
    assert "fits almost as well" in clock.evidence
    assert not [pid for pid, (stage, _, _) in found.items() if stage == Stage.DECIDED]


def test_a_clock_change_found_where_there_was_none_leaves_no_part_strong_and_wrong():
    """The camera shooting late in its stops (seed 705 of that shape, among 1,000 trips a shape): the
    bursts fitted two offsets better than one, a clock "changed" mid-trip, and the first part was
    strong on its bootstrap spread alone while 10 minutes off, a photo written 2 km away with a
    stated 0.5 km. Each part's spread now also takes its timing's valley, as one offset's does."""
    shape = next(s for s in SHAPES if s.camera_late)
    trip = make_trip(shape, 705)
    clock, found = placed(trip)
    assert len(clock.segments) == 2 and all(segment.strength == "weak" for segment in clock.segments)
    assert not [pid for pid, (stage, error, radius) in found.items() if stage == Stage.DECIDED and error > radius]


def test_a_burst_alike_by_chance_to_one_phone_photo_is_one_coincidence():
    """The camera shooting late in its stops (seed 503 of that shape, among 1,000 trips a shape): no
    scene is shared, but three frames of one camera burst lie within 16 bits of one phone photo's
    perceptual hash (about 1 pair in 25,000 does by chance: a trip's 17,000 pairs give one now and
    then, and a burst's frames agree with each other). Counted as three alike pairs that agreed with
    the timing, they stood in for the valley of a bias every burst shares: +-6 min said, 8 min off, a
    photo written 2.0 km away with 0.45 km stated. A burst is one moment (bursts.independent_pairs):
    one coincidence, not three; the valley stays and no photo lies beyond its radius."""
    from geor.engine.placement.bursts import independent_pairs

    shape = next(s for s in SHAPES if s.camera_late)
    trip = make_trip(shape, 503)
    clock, found = placed(trip)
    assert "look like theirs" not in clock.evidence
    assert clock.strength != "strong" and abs(clock.offset_s - shape.camera_offset_s) <= clock.uncertainty_s
    assert not [pid for pid, (stage, error, radius) in found.items() if stage == Stage.DECIDED and error > radius]
    frames, phone = np.array([100.0, 130.0, 150.0]), np.array([3000.0, 3000.0, 3000.0])
    assert independent_pairs(frames, phone) == 1 and independent_pairs(frames + [0, 900, 1800], phone + [0, 900, 1800]) == 3


def test_a_phone_that_shows_its_stays_thinly_widens_the_valley():
    """A sparse phone on a driving trip (seed 355 of its shape, among 1,000 trips a shape): it shot
    once or twice a stop, mostly on arriving, so the camera's photos after those moments pulled the
    best offset 9.7 minutes early, all the same way, while the timing's valley said +- 7 min, and a
    photo taken from the car 100 s after leaving a stop was written at that stop, 1.25 km from where
    it was taken, with 0.8 km stated. The valley now widens by how thinly the other devices show
    the stays the camera shot in (bursts.thin_reference: here 1.9 times, +- 12 min): the clock's true offset
    lies within its spread, and no photo is written beyond its radius. A camera late in its stops
    (seed 317 of that shape) widens a little too (its photos beside the phone's stretches are
    outside them): a photo taken from the car 96 s after a stop's last phone photo, written 1.33 km
    off with 0.99 km stated, now goes to review."""
    from geor.engine.placement.bursts import Activity, thin_reference

    shape = next(s for s in SHAPES if s.name == "home time, minutes fast, driving, sparse phone")
    trip = make_trip(shape, 355)
    clock, found = placed(trip)
    assert clock.offset_s is not None and clock.strength != "strong"
    assert clock.strength == "weak" or abs(clock.offset_s - shape.camera_offset_s) <= clock.uncertainty_s
    assert not [(pid, error, radius) for pid, (stage, error, radius) in found.items() if stage == Stage.DECIDED and error > radius]
    _, late = placed(make_trip(next(s for s in SHAPES if s.camera_late), 317))
    assert not [(pid, error, radius) for pid, (stage, error, radius) in late.items() if stage == Stage.DECIDED and error > radius]
    camera = np.array([10.0, 400.0, 5020.0, 5900.0])  # at the clock it reads, 300 s fast
    one_photo_stays = Activity.of(np.array([0.0, 5000.0]), join_s=600)
    burst_stays = Activity.of(np.array([0.0, 1.0, 2.0, 5000.0, 5003.0]), join_s=600)  # frames seconds apart: one moment
    assert thin_reference(one_photo_stays, camera, 300.0) == 10.0 and thin_reference(burst_stays, camera, 300.0) == 10.0
    arriving_and_leaving = Activity.of(np.array([-400.0, 500.0, 4600.0, 5700.0]), join_s=1200)  # the camera's photos between
    assert thin_reference(arriving_and_leaving, camera, 300.0) == 1.0
    dense_stays = Activity.of(np.concatenate([np.arange(0.0, 1200.0, 200.0), 5000 + np.arange(0.0, 1200.0, 200.0)]), join_s=600)
    assert 1.0 < thin_reference(dense_stays, camera, 300.0) < 1.5  # six moments a stretch, half the photos outside
    assert thin_reference(one_photo_stays, camera, 20_000.0) == 1.0  # no camera photo near a stretch: nothing to widen


def test_a_bias_every_burst_shares_widens_the_spread_instead_of_writing_photos_wrong():
    """The camera shoots only in the second half of each stop, the phone throughout: the timing pulls
    every burst the same way (5-15 minutes), which a bootstrap over bursts cannot see; the spread
    takes every offset whose timing is nearly as cheap (bursts.valley_s), and nothing is written
    beyond its radius (with the bootstrap's spread alone, a photo of seed 14 was written 4 km off)."""
    shape = next(s for s in SHAPES if s.camera_late)
    for seed in range(20):
        trip = make_trip(shape, seed)
        clock, found = placed(trip)
        error = abs(clock.offset_s - shape.camera_offset_s) if clock.offset_s is not None else math.inf
        assert clock.strength != "strong" or error <= 120, f"seed {seed}: a strong clock {error:.0f} s off"
        beyond = [(pid, e, r) for pid, (stage, e, r) in found.items() if stage == Stage.DECIDED and e > r]
        assert not beyond, f"seed {seed}: written beyond their radius (id, error m, radius m): {beyond[:5]}"


REAL_TRACKS = Path(__file__).parent / "tracks" / "data"


@pytest.mark.parametrize("name", ["gpsbabel-garmin-xt-strk.gpx", "gpsbabel-iblue747.gpx", "korita-zbevnica.gpx", "cerknicko-jezero.gpx",
                                  "gpsbabel-googletakeout.gpx"])
def test_on_real_tracks_no_written_photo_lies_beyond_its_radius(name):
    """Trips on tracks real loggers recorded (a Garmin eTrex's day in Reading, an i-Blue 747's in Leipzig, two
    walks in Slovenia and Croatia, six weeks of a phone's location history around Menlo Park): their real stops,
    and their real ways between them, with curves, detours and loops back. With the clock inferred and with the
    right offset typed, no written photo lies beyond its radius: before, camera photos a minute or three before a
    phone photo taken on arriving were written 0.8 km from where they were taken with a radius of 110-240 m, one
    between two phone photos 384 m apart 262 m off the line (255 m), and on the location history, whose stops last
    hours, camera photos 2-6 minutes after a stop's last phone photo 2.2-3.3 km down the road (radii of 0.3-1 km:
    5 % of the hours before the next photo were taken for the time the user may have stayed, or the phone photo
    was the only one at its place, taken from the car, and walking pace was assumed after it)."""
    fixes, _ = read_track_file(REAL_TRACKS / name)
    points = sorted((f.t, f.lat, f.lon) for f in fixes)
    for phone in ("sparse", "dense"):
        for seed in range(3):
            for offset, zone_h, late in REAL_SHAPES:
                trip = trip_on_track(points, seed, phone, offset, zone_h, late)
                for typed in (False, True):
                    clock, found = placed(trip, typed=typed)
                    error = abs(clock.offset_s - offset) if clock.offset_s is not None else math.inf
                    assert clock.strength != "strong" or error <= 120, f"{name} seed {seed}: a strong clock {error:.0f} s off"
                    beyond = [(pid, round(e), round(r)) for pid, (stage, e, r) in found.items() if stage == Stage.DECIDED and e > r]
                    assert not beyond, f"{name} {phone} seed {seed} {'typed' if typed else 'inferred'}: beyond their radius: {beyond[:5]}"
