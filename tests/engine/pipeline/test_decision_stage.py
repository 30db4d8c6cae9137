"""The decision rule (pipeline.decision) on its own: no job folder, no store. A position is
written only when its source does not ask for review, it is sure enough, and, when it comes from
photos or a track, it may be off by at most the radius limit; the reason says which rule held it."""

import math

import pytest

from geor.engine.pipeline.decision import decided_position, decision_stage
from geor.engine.pipeline.vocabulary import Source, Stage
from geor.engine.placement.policy import PlacementPolicy
from geor.engine.placement.sources import Decision

POLICY = PlacementPolicy(max_radius_m=1000.0)


def decision(source: str = Source.INTERPOLATED, *, confidence: float = 0.9, radius_m: float | None = 50.0, review: bool = False) -> Decision:
    return Decision(source=source, lat=35.0, lon=135.0, altitude_m=None, confidence=confidence, note="between A and B", review=review,
                    radius_m=radius_m)


def test_a_sure_near_position_is_written_with_its_evidence():
    assert decision_stage(decision(), 0.3, POLICY) == (Stage.DECIDED, "between A and B")


def test_the_source_may_ask_for_review():
    stage, why = decision_stage(decision(review=True), 0.3, POLICY)
    assert stage == Stage.REVIEW and why == "between A and B: review before writing"


def test_below_the_minimum_confidence_is_reviewed():
    stage, why = decision_stage(decision(confidence=0.29), 0.3, POLICY)
    assert stage == Stage.REVIEW and why.startswith("confidence 0.29 below 0.30")


@pytest.mark.parametrize(("radius", "words"), [(2300.0, "it may be 2.3 km off"), (math.inf, "it may be anywhere")])
@pytest.mark.parametrize("source", [Source.INTERPOLATED, Source.TRACK, Source.GPX])
def test_a_time_based_position_beyond_the_radius_limit_is_reviewed_saying_how_far(source, radius, words):
    stage, why = decision_stage(decision(source, radius_m=radius), 0.3, POLICY)
    assert stage == Stage.REVIEW and f"{words}, beyond the 1 km limit" in why


def test_how_far_off_is_the_reason_given_before_a_low_confidence():
    stage, why = decision_stage(decision(confidence=0.1, radius_m=13_700.0), 0.3, POLICY)
    assert stage == Stage.REVIEW and "13.7 km off" in why


def test_the_limit_is_the_policys_and_inclusive():
    assert decision_stage(decision(radius_m=1000.0), 0.3, POLICY)[0] == Stage.DECIDED
    assert decision_stage(decision(radius_m=1000.0), 0.3, PlacementPolicy(max_radius_m=999.0))[0] == Stage.REVIEW


def test_the_models_radius_is_its_own_kilometres_not_the_limits():
    """A model answer is kilometres off by nature; its confidence decides, not the photo radius limit."""
    assert decision_stage(decision(Source.MODEL, radius_m=25_000.0), 0.3, POLICY)[0] == Stage.DECIDED


def record(*, gps=None, taken=True):
    import datetime as dt
    from pathlib import Path

    from geor.engine.placement import PhotoRecord

    return PhotoRecord(id=1, path=Path("a.jpg"), taken_at=dt.datetime(2025, 5, 3, 10) if taken else None, utc_offset=None, camera="cam",
                       gps=gps, gps_accuracy_m=8.0 if gps else None)


def test_a_photo_nothing_placed_keeps_its_own_gps_or_is_unplaced_with_every_reason():
    kept = decided_position(record(gps=(43.5, 142.4, 300.0)), None, min_confidence=0.3, policy=POLICY, overwrite=False)
    assert (kept.stage, kept.source, kept.lat, kept.gps_alt, kept.radius_m) == (Stage.KEPT, Source.EXIF, 43.5, 300.0, 8.0)
    unplaced = decided_position(record(taken=False), None, min_confidence=0.3, policy=POLICY, overwrite=False,
                                why_unplaced="this camera's clock is unknown", gps_problem="GPS block malformed")
    assert unplaced.stage == Stage.UNPLACED and unplaced.lat is None
    assert unplaced.message == "no time in its metadata; this camera's clock is unknown; GPS block malformed"


def test_a_modifydate_only_time_sends_a_position_by_time_to_review_but_not_the_models():
    by_time = decided_position(record(), decision(), min_confidence=0.3, policy=POLICY, overwrite=False, weak_time=True)
    assert by_time.stage == Stage.REVIEW and "ModifyDate" in by_time.message
    by_model = decided_position(record(), decision(Source.MODEL), min_confidence=0.3, policy=POLICY, overwrite=False, weak_time=True)
    assert by_model.stage == Stage.DECIDED


def test_a_malformed_gps_block_is_replaced_only_with_overwrite():
    held = decided_position(record(), decision(), min_confidence=0.3, policy=POLICY, overwrite=False, gps_problem="GPS block malformed")
    assert held.stage == Stage.REVIEW and held.message == "GPS block malformed: not replaced without --overwrite"
    assert decided_position(record(), decision(), min_confidence=0.3, policy=POLICY, overwrite=True, gps_problem="x").stage == Stage.DECIDED


def test_a_position_keeps_the_photos_own_altitude_and_a_finite_rounded_radius():
    found = decided_position(record(gps=(1.0, 2.0, 55.0)), decision(radius_m=123.456), min_confidence=0.3, policy=POLICY, overwrite=True)
    assert (found.gps_alt, found.radius_m, found.evidence) == (55.0, 123.5, "between A and B")
    anywhere = decided_position(record(), decision(radius_m=math.inf), min_confidence=0.3, policy=POLICY, overwrite=False)
    assert anywhere.stage == Stage.REVIEW and anywhere.radius_m is None
