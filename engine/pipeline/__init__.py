"""The batch folder job: job store, location sources, the resumable tagging run and its undo."""

from .jobstore import JobStore
from .sources import Decision, GpxSource, LocationSource, PhotoRecord, TimePropagation
from .tag_job import JobSummary, TagOptions, run_tag_job
from .undo import UndoSummary, undo_job

__all__ = [
    "Decision",
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
