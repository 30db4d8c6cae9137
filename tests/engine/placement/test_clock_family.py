"""Camera clocks and the positions written from them, judged on a family of generated trips
(tests/helpers/trip_family.py: several zones, skews of minutes to hours, stops of 10-60 min, walking
and driving between them, sparse and dense phones): no strong clock more than 2 minutes off, every
strong or bounded clock's true offset within its stated uncertainty, and no written photo further
from the truth than the radius Geo-R stated. The shares written, in review and wrong per shape are
in the README (benchmarks/bench_trips.py --family)."""

import math

import pytest

from geor.engine.pipeline.vocabulary import Stage

from ...helpers.trip_family import SHAPES, make_trip, placed

SEEDS = range(5)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.name)
def test_no_strong_clock_is_far_off_and_no_written_photo_lies_beyond_its_radius(shape):
    for seed in SEEDS:
        trip = make_trip(shape, seed)
        clock, found = placed(trip)
        error = abs(clock.offset_s - shape.camera_offset_s) if clock.offset_s is not None else math.inf
        if clock.strength == "strong":
            assert error <= 120, f"seed {seed}: a strong clock {error:.0f} s off ({clock.describe()})"
        if clock.strength in ("strong", "bounded"):
            assert error <= clock.uncertainty_s + 1, f"seed {seed}: {error:.0f} s off, said +-{clock.uncertainty_s:.0f} s"
        beyond = [(pid, e, r) for pid, (stage, e, r) in found.items() if stage == Stage.DECIDED and e > r]
        assert not beyond, f"seed {seed}: written beyond their radius (id, error m, radius m): {beyond[:5]}"


def test_scenes_both_devices_photographed_make_the_clock_strong_and_most_photos_written():
    """Where the phone now and then photographs what the camera does (alike perceptual hashes,
    within a minute), those pairs pin the offset to seconds: the clock is strong, and most camera
    photos are written, right: those of a stop's edges too, from the phone photo of the same scene."""
    for shape, share in ((SHAPES[7], 0.65), (SHAPES[8], 0.82)):  # sparse phone, dense phone
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
