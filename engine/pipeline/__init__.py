"""The batch folder job: job store, location sources, the resumable tagging run and its undo."""

from .jobstore import JobInfo, JobStore, list_jobs
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
from .sources import Decision, GpxSource, LocationSource, PhotoRecord, TimePropagation
from .tag_job import JobCancelled, JobSummary, TagOptions, run_tag_job
from .undo import UndoSummary, undo_job

__all__ = [
    "Decision",
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
    "GpxSource",
    "JobStore",
    "JobSummary",
    "LocationSource",
    "PhotoRecord",
    "TagOptions",
    "TimePropagation",
    "UndoSummary",
    "run_tag_job",
    "undo_job",
]
