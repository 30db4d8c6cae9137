"""The batch folder job: job store, location sources, the resumable tagging run and its undo.

The names below are loaded on first use (PEP 562): the command line declares ``geor tag``'s flags
from the options type (tag_options) without loading the job, the writer or the model stack."""

from __future__ import annotations

from typing import TYPE_CHECKING

from geor.engine.lazy_faces import lazy_attributes

if TYPE_CHECKING:
    from geor.engine.placement import AnchorSource, Decision, LocationSource, PhotoRecord

    from .job_setup import JobPlan, open_job_store, plan_job
    from .jobstore import JobInfo, JobStore, list_jobs
    from .progress import JobCancelled
    from .review import (
        PhotoView,
        ReviewError,
        WriteSummary,
        copy_location,
        photo_views,
        place,
        set_verdict,
        time_neighbours,
        undo_last_write,
        write_accepted,
    )
    from .tag_job import JobSummary, run_tag_job
    from .tag_options import TagOptions
    from .undo import UndoSummary, undo_job

_HOMES = {
    "geor.engine.placement": ["AnchorSource", "Decision", "LocationSource", "PhotoRecord"],
    ".job_setup": ["JobPlan", "open_job_store", "plan_job"],
    ".jobstore": ["JobInfo", "JobStore", "list_jobs"],
    ".review": ["PhotoView", "ReviewError", "WriteSummary", "copy_location", "photo_views", "place", "set_verdict", "time_neighbours", "undo_last_write", "write_accepted"],
    ".progress": ["JobCancelled"],
    ".tag_job": ["JobSummary", "run_tag_job"],
    ".tag_options": ["TagOptions"],
    ".undo": ["UndoSummary", "undo_job"],
}
__all__ = [
    "AnchorSource",
    "Decision",
    "JobCancelled",
    "JobInfo",
    "JobPlan",
    "JobStore",
    "JobSummary",
    "LocationSource",
    "PhotoRecord",
    "PhotoView",
    "ReviewError",
    "TagOptions",
    "UndoSummary",
    "WriteSummary",
    "copy_location",
    "list_jobs",
    "open_job_store",
    "photo_views",
    "place",
    "plan_job",
    "run_tag_job",
    "set_verdict",
    "time_neighbours",
    "undo_job",
    "undo_last_write",
    "write_accepted",
]


__getattr__ = lazy_attributes(__name__, _HOMES, globals())
