"""The tagging job's named vocabularies, stored as their text in the job store and shown by the
desktop: a photo's stage, where its decision came from (defined with the placement rules:
placement.sources), a person's verdict, and the steps a job
reports progress for. ``StrEnum``: each member is its own string, so stored rows compare equal
to members and old job stores read as they are."""

from __future__ import annotations

from enum import StrEnum

from geor.engine.placement.sources import FACT_SOURCES, TIME_BASED_SOURCES, Source  # the photos.source column

__all__ = ["FACT_SOURCES", "NAME_FIELDS", "PROPOSED_STAGES", "SCENE_WORDS", "TIME_BASED_SOURCES", "Source", "Stage", "Step", "Verdict"]


class Stage(StrEnum):
    """Where a photo is in the job (the ``photos.stage`` column)."""

    NEW = "new"  # found by the scan, metadata not read yet
    READ = "read"
    DECIDED = "decided"  # a position confident enough to write
    REVIEW = "review"  # a position that needs a person
    WRITTEN = "written"
    WITHHELD = "withheld"  # inside a privacy zone set to omit
    KEPT = "kept"  # its own GPS, left as it is
    UNPLACED = "unplaced"  # no source could place it
    FAILED = "failed"  # unreadable, or the write failed
    SKIPPED = "skipped"  # not a photo of this folder (a link out of it, a loop)
    LEFT_ALONE = "left-alone"  # no picture in it at all (an audio recording in an MP4): nothing to place


#: Stages whose position is a proposal a person may accept or reject.
PROPOSED_STAGES = (Stage.DECIDED, Stage.REVIEW)
#: The place names a position carries (photos table columns; a written Location's, which a privacy zone may withhold).
NAME_FIELDS = ("city", "state", "country", "country_code", "country_code3")
#: How the model's decision that rests on a scene's photos says so ("pooled over 3 of 24 photos of this
#: scene", model_source.py); the review screen looks for these words.
SCENE_WORDS = "photos of this scene"


class Verdict(StrEnum):
    """A person's review of a proposal (the ``photos.verdict`` column; NULL: none yet)."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Step(StrEnum):
    """The steps a job reports progress for (``tick(step, done, total)``)."""

    SCAN = "scan"
    READ = "read"
    CLOCKS = "clocks"
    DECIDE = "decide"
    SCENES = "scenes"  # the photos the model must place, grouped into scenes
    MODEL = "model"
    WRITE = "write"
