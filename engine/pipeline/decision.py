"""The decision rule, pure: given what the location sources found for a photo, whether its position
is written, proposed for review or left unplaced, and the words why. No job store, no files: the job
(tag_job._decide) records what this returns, and the tests call it on its own."""

from __future__ import annotations

import math

from geor.engine.placement import TIME_BASED_SOURCES, Decision, PhotoRecord, PlacementPolicy, Source

from .jobstore import Position
from .vocabulary import Stage

WEAK_TIME_NOTE = "its only capture time is ModifyDate, the time of the last edit"


def decided_position(record: PhotoRecord, decision: Decision | None, *, min_confidence: float, policy: PlacementPolicy, overwrite: bool,
                     weak_time: bool = False, gps_problem: str | None = None, why_unplaced: str | None = None) -> Position:
    """What becomes of one photo: its own GPS kept when no source placed it otherwise; unplaced,
    with the reasons, when it has none; else the source's position, written or for review by
    ``decision_stage``, and for review whatever the rule says when its only time is ModifyDate (for
    a position by time) or its GPS block is malformed (not replaced without ``overwrite``)."""
    if decision is None:
        if record.gps is not None:
            return Position(stage=Stage.KEPT, source=Source.EXIF, lat=record.gps[0], lon=record.gps[1], gps_alt=record.gps[2], confidence=1.0,
                            radius_m=record.gps_accuracy_m, message=None, evidence="its own GPS")
        reason = "no time in its metadata" if record.taken_at is None else "no GPS, no track point or GPS photo near its time"
        reason = "; ".join(r for r in (reason, why_unplaced, gps_problem) if r)
        return Position(stage=Stage.UNPLACED, source=None, lat=None, lon=None, confidence=None, radius_m=None, message=reason, evidence=None)
    stage, message = decision_stage(decision, min_confidence, policy)
    if weak_time and decision.source in TIME_BASED_SOURCES:
        stage, message = Stage.REVIEW, f"{decision.note}; {WEAK_TIME_NOTE}: review before writing"
    if gps_problem and not overwrite:
        stage, message = Stage.REVIEW, f"{gps_problem}: not replaced without --overwrite"
    radius = round(decision.radius_m, 1) if decision.radius_m is not None and math.isfinite(decision.radius_m) else None
    return Position(stage=stage, source=decision.source, lat=decision.lat, lon=decision.lon,
                    gps_alt=decision.altitude_m if record.gps is None else record.gps[2], confidence=round(decision.confidence, 3),
                    message=message, evidence=decision.note, radius_m=radius)


def decision_stage(decision: Decision, min_confidence: float, policy: PlacementPolicy) -> tuple[Stage, str]:
    """Whether a source's decision is written (DECIDED) or proposed for review, and the words why:
    it is written when its source does not ask for review, it is at least ``min_confidence`` sure,
    and, for a position from photos or a track, it may be off by at most ``policy.max_radius_m``
    (its radius includes how far its clock's uncertainty can move it)."""
    if decision.review:
        return Stage.REVIEW, f"{decision.note}: review before writing"
    radius = decision.radius_m  # the more telling reason first: how far off it may be
    if decision.source in TIME_BASED_SOURCES and radius is not None and radius > policy.max_radius_m:
        reach = "it may be anywhere" if not math.isfinite(radius) else f"it may be {radius / 1000:,.1f} km off"
        return Stage.REVIEW, f"{decision.note}: {reach}, beyond the {policy.max_radius_m / 1000:g} km limit: review before writing"
    if decision.confidence < min_confidence:
        return Stage.REVIEW, f"confidence {decision.confidence:.2f} below {min_confidence:.2f}: review before writing"
    return Stage.DECIDED, decision.note
