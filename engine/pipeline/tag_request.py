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

from geor.engine.errors import BadInput
from geor.engine.placement import DEFAULT_PER_SCENE, LocationSource, PlacementPolicy, PrivacyRules, Track, load_rules, parse_zone

from .job_setup import open_job_store, plan_job
from .jobstore import JobStore
from .progress import Progress
from .tag_job import JobSummary, TagOptions, run_tag_job

if TYPE_CHECKING:
    from geor.engine.geo.geocoder import Geocoder

POLICY = PlacementPolicy()
Messages = Callable[[str], None]


@dataclass(frozen=True, kw_only=True)
class ModelRequest:
    """The model stage: which model and how to run it (``geor tag --model ...``, the desktop's settings)."""

    model: str  # a .gguf file, a model or checkpoint folder, or an installed model's name
    mmproj: str | None = None
    device: str = "auto"
    threads: int | None = None
    ctx: int = 4096
    gpu_layers: int | None = None
    samples: int = 1
    temperature: float | None = None
    max_tokens: int = 128
    max_pixels: int | None = None
    review_below: float = 0.5
    seed: int = 0
    per_scene: int = DEFAULT_PER_SCENE  # photos asked about per scene (scenes.py); 0: every photo on its own

    @property
    def identity(self) -> str:
        """How the job store names the model: a resolved path, or a registry name."""
        return model_identity(self.model)


@dataclass(frozen=True, kw_only=True)
class TagRequest:
    """Everything a tagging job is asked to do, as the user said it. Privacy settings left at None
    take the user's saved ones; zones given here are added to the saved zones."""

    folder: Path
    dry_run: bool = False
    sidecar: bool = False
    overwrite: bool = False
    min_confidence: float = 0.3
    window_min: float = 10.0
    tracks: tuple[Path, ...] = ()
    tz: str | None = None
    clocks: tuple[str, ...] = ()  # "CAMERA=OFFSET"
    infer_clocks: bool = True
    same_place_m: float = POLICY.same_place_m
    same_place_max_min: float = POLICY.same_place_max_min
    interpolate_max_min: float = POLICY.interpolate_max_min
    extrapolate_max_min: float = POLICY.extrapolate_max_min
    max_speed_kmh: float = POLICY.max_speed_kmh
    far_km: float = POLICY.far_km
    max_radius_m: float = POLICY.max_radius_m
    privacy_zones: tuple[str, ...] = ()  # LAT,LON,RADIUS_M[,NAME]
    privacy_mode: str | None = None
    privacy_decimals: int | None = None
    privacy_names: bool | None = None
    model: ModelRequest | None = None
    new_job: bool = False  # start afresh instead of resuming the unfinished job on this folder

    def tag_options(self, saved: PrivacyRules | None = None) -> TagOptions:
        """The job's stored options; ``saved``: the user's privacy rules (default: load them)."""
        from geor.engine.placement import parse_clock_overrides

        saved = load_rules() if saved is None else saved
        return TagOptions(
            dry_run=self.dry_run, sidecar=self.sidecar, overwrite=self.overwrite, min_confidence=self.min_confidence,
            window_min=self.window_min, tracks=sorted(str(Path(p).expanduser().resolve()) for p in self.tracks), tz=self.tz,
            clocks=parse_clock_overrides(list(self.clocks)), infer_clocks=self.infer_clocks, same_place_m=self.same_place_m,
            same_place_max_min=self.same_place_max_min, interpolate_max_min=self.interpolate_max_min,
            extrapolate_max_min=self.extrapolate_max_min, max_speed_kmh=self.max_speed_kmh, far_km=self.far_km,
            max_radius_m=self.max_radius_m, privacy_zones=[z.text() for z in saved.zones] + [parse_zone(z).text() for z in self.privacy_zones],
            privacy_mode=self.privacy_mode or saved.mode,
            privacy_decimals=saved.decimals if self.privacy_decimals is None else self.privacy_decimals,
            privacy_names=saved.names if self.privacy_names is None else self.privacy_names,
            model=self.model.identity if self.model else None, samples=self.model.samples if self.model else 1,
            per_scene=self.model.per_scene if self.model else DEFAULT_PER_SCENE,
        )

@dataclass(kw_only=True)
class TagJob:
    """A job ready to run: its store, options and sources in order of trust; close it when done."""

    store: JobStore
    resumed: bool
    options: TagOptions
    sources: list[LocationSource]
    track: Track | None
    notes: list[str] = field(default_factory=list)  # what the user should know before it runs (damaged track records)
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
        raise BadInput(f"{request.folder}: no such folder")
    options = request.tag_options()
    plan = plan_job(options)  # every option checked and every track read before a job exists
    resumed = False
    if store is None:
        store, resumed = open_job_store(Path(request.folder).resolve(), options, origin=origin, new_job=request.new_job)
    if geocoder is None:
        from geor.engine.geo.geocoder import Geocoder
        from geor.engine.geo.geocoder.default_pack import default_pack_path

        geocoder = Geocoder(default_pack_path(progress=say))
    job = TagJob(store=store, resumed=resumed, options=options, sources=list(plan.sources), track=plan.track, notes=list(plan.notes),
                 geocoder=geocoder)
    if request.model is not None:
        job.predictor = open_model(request.model, geocoder, say)
        job.sources.append(_model_source(job.predictor, request.model, request.window_min, store, model_progress))
    return job


def open_model(model: ModelRequest, geocoder: Geocoder, say: Messages | None = None) -> Any:
    """The predictor ``model`` asks for (the caller closes its backend)."""
    from geor.engine.inference.loader import open_predictor

    return open_predictor(model.model, mmproj=model.mmproj, device=model.device, threads=model.threads, ctx=model.ctx,
                          gpu_layers=model.gpu_layers, samples=model.samples, temperature=model.temperature, max_tokens=model.max_tokens,
                          max_pixels=model.max_pixels, review_below=model.review_below, seed=model.seed, geocoder=geocoder, progress=say or (lambda line: None))


def _model_source(predictor: Any, model: ModelRequest, window_min: float, store: JobStore, progress: Progress | None) -> LocationSource:
    from .model_source import ModelSource

    return ModelSource(predictor, model.identity, store, per_scene=model.per_scene, window=dt.timedelta(minutes=window_min), progress=progress)


def model_identity(model: str) -> str:
    """How the job store names a model (a resolved path, or a registry name)."""
    path = Path(model).expanduser()
    return str(path.resolve()) if path.exists() else model
