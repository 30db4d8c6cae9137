"""Camera clocks and the positions written from them, judged on a family of generated trips
(tests/helpers/trip_family.py: several zones, skews of minutes to hours, stops of 10-60 min, walking
and driving between them, sparse and dense phones): no strong clock more than 2 minutes off, every
strong or bounded clock's true offset within its stated uncertainty, and no written photo further
from the truth than the radius Geo-R stated. The shares written, in review and wrong per shape are
in the README (benchmarks/bench_trips.py --family)."""

import datetime as dt
import math

import pytest

from geor.engine.pipeline.anchors import AnchorSource
from geor.engine.pipeline.clocks import infer_clocks
from geor.engine.pipeline.policy import PlacementPolicy, distance_m
from geor.engine.pipeline.sources import PhotoRecord
from geor.engine.pipeline.tag_job import decision_stage
from geor.engine.pipeline.vocabulary import Stage

from ...helpers.trip_family import CAMERA, SHAPES, Trip, make_trip, photo_path

SEEDS = range(5)
POLICY = PlacementPolicy()


def placed(trip: Trip) -> tuple[object, dict[int, tuple[Stage, float, float, float]]]:
    """The camera's clock and, per camera photo, (stage, error in metres, radius, clock offset) as
    geor tag decides them (the same clocks, anchor source and decision rule)."""
    clocks = infer_clocks(trip.photos)
    records = []
    for photo in trip.photos:
        offset, strength = clocks[photo.camera].offset_for(photo)
        records.append(PhotoRecord(
            id=photo.id, path=photo_path(photo), taken_at=dt.datetime.fromtimestamp(photo.local, dt.UTC).replace(tzinfo=None),
            utc_offset=None, camera=photo.camera, gps=(*photo.position, None) if photo.position else None,
            utc=dt.datetime.fromtimestamp(photo.local - offset, dt.UTC) if offset is not None else None, clock_strength=strength,
            clock_uncertainty_s=clocks[photo.camera].uncertainty_s))
    decisions = AnchorSource(POLICY).locate(records)
    found = {}
    for photo_id, truth in trip.truth.items():
        decision = decisions.get(photo_id)
        if decision is not None:
            stage, _ = decision_stage(decision, 0.3, POLICY)
            found[photo_id] = (stage, distance_m(decision.lat, decision.lon, truth.lat, truth.lon), decision.radius_m or 0.0)
    return clocks[CAMERA], found


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
