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


def test_a_dense_phone_places_most_camera_photos_within_200_m():
    """Where the evidence is good (a phone shooting through every stop), the honest radii still let
    most camera photos be written, and those are right."""
    written = right = total = 0
    for seed in SEEDS:
        _, found = placed(make_trip(SHAPES[2], seed))  # home time + minutes, mixed travel, dense phone
        total += len(make_trip(SHAPES[2], seed).truth)
        written += sum(stage == Stage.DECIDED for stage, _, _ in found.values())
        right += sum(stage == Stage.DECIDED and error <= 200 for stage, error, _ in found.values())
    assert written / total >= 0.35 and right / written >= 0.97
