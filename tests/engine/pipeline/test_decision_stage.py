"""The decision rule (tag_job.decision_stage) on its own: no job folder, no store. A position is
written only when its source does not ask for review, it is sure enough, and, when it comes from
photos or a track, it may be off by at most the radius limit; the reason says which rule held it."""

import math

import pytest

from geor.engine.pipeline.tag_job import decision_stage
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
