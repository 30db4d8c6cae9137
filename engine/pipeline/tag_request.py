"""A tagging job from a declarative request: the one function the command line and the desktop app
both call, so a folder tagged from either is placed by the same sources, options and rules.

``geor tag`` turns its flags into a :class:`TagRequest`, the desktop turns its settings into one;
:func:`assemble_tag_job` checks every option (a bad offset, zone or track file is an error naming
it, before the model loads), merges the user's saved privacy rules, reads the tracks once, opens
the job store (or takes the one the caller made), loads the model when one is asked for, and
gives a :class:`TagJob` ready to run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geor.engine.errors import not_a_folder
from geor.engine.placement import LocationSource, Track, load_rules

from .job_setup import open_job_store, plan_job
from .jobstore import JobStore
from .progress import Progress
from .tag_job import JobSummary, run_tag_job
from .tag_options import TagOptions

if TYPE_CHECKING:
    from geor.engine.geo.geocoder import Geocoder
    from geor.engine.inference.model_request import ModelRequest

Messages = Callable[[str], None]


@dataclass(frozen=True, kw_only=True)
class TagRequest:
    """A tagging job as the user asked for it: the folder, the options (privacy settings left at None
    take the user's saved ones; zones given are added to the saved zones), and whether to start
    afresh instead of resuming the unfinished job on this folder."""

    folder: Path
    options: TagOptions = field(default_factory=TagOptions)
    new_job: bool = False


@dataclass(kw_only=True)
class TagJob:
    """A job ready to run: its store, options and sources in order of trust; close it when done."""

    store: JobStore
    resumed: bool
    options: TagOptions
    sources: list[LocationSource]
    track: Track | None
    notes: list[str] = field(default_factory=list)  # what the user should know before it runs (track records skipped: damaged, or without a fix)
    geocoder: Geocoder
    predictor: Any = None

    def run(self, progress: Progress) -> JobSummary:
        from .place_names import place_namer_for

        return run_tag_job(self.store, self.options, self.sources, place_namer_for(self.geocoder), progress, self.track)

    def close(self) -> None:
        """Free the model (the store stays open: its owner closes it)."""
        if self.predictor is not None:
            self.predictor.backend.close()
            self.predictor = None


def assemble_tag_job(request: TagRequest, *, store: JobStore | None = None, origin: str = "cli", geocoder: Geocoder | None = None,
                     model_progress: Progress | None = None, messages: Messages | None = None) -> TagJob:
    """Build the job ``request`` asks for. ``store``: the job store the caller already made (the
    desktop's queue), else the unfinished job on this folder with the same options is resumed or a
    new one made. ``model_progress`` ticks per model answer; ``messages`` gets lines for the user
    (the notes come back in :attr:`TagJob.notes`)."""
    say = messages or (lambda line: None)
    if not Path(request.folder).is_dir():
        raise not_a_folder(request.folder)
    options = request.options.resolved(load_rules())
    plan = plan_job(options)  # every option checked and every track read before a job exists
    resumed = False
    if store is None:
        store, resumed = open_job_store(Path(request.folder).resolve(), options, origin=origin, new_job=request.new_job)
    if geocoder is None:
        from geor.engine.geo.geocoder import Geocoder
        from geor.engine.geo.geocoder.default_location import default_pack_path

        geocoder = Geocoder(default_pack_path(progress=say))
    job = TagJob(store=store, resumed=resumed, options=options, sources=list(plan.sources), track=plan.track, notes=list(plan.notes),
                 geocoder=geocoder)
    if options.model is not None:
        job.predictor = open_model(options.model, geocoder, say)
        job.sources.append(_model_source(job.predictor, options.model, options.window_min, store, model_progress))
    return job


def open_model(model: ModelRequest, geocoder: Geocoder, say: Messages | None = None) -> Any:
    """The predictor ``model`` asks for (the caller closes its backend)."""
    from geor.engine.inference.model_request import open_request

    return open_request(model, geocoder=geocoder, progress=say or (lambda line: None))


def _model_source(predictor: Any, model: ModelRequest, window_min: float, store: JobStore, progress: Progress | None) -> LocationSource:
    from .model_source import ModelSource

    return ModelSource(predictor, model.identity, store, per_scene=model.per_scene, window=dt.timedelta(minutes=window_min), progress=progress)
