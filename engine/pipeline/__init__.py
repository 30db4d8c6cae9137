"""The batch folder job: job store, location sources, the resumable tagging run and its undo."""

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
from .tag_job import JobSummary, TagOptions, run_tag_job
from .undo import UndoSummary, undo_job

__all__ = [
    "AnchorSource",
    "Decision",
    "JobPlan",
    "open_job_store",
    "plan_job",
    "JobCancelled",
    "JobInfo",
    "PhotoView",
    "ReviewError",
    "WriteSummary",
    "copy_location",
    "list_jobs",
    "photo_views",
    "place",
    "set_verdict",
    "time_neighbours",
    "undo_last_write",
    "write_accepted",
    "JobStore",
    "JobSummary",
    "LocationSource",
    "PhotoRecord",
    "TagOptions",
    "UndoSummary",
    "run_tag_job",
    "undo_job",
]
