"""The app's settings: the jobs' options and the model's, remembered between runs with QSettings
(the platform's own place: the registry on Windows, a plist on macOS, an INI file under ~/.config
on Linux)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings

from geor.engine.inference.model_request import DEFAULT_PER_SCENE, ModelRequest
from geor.engine.options import from_json, to_json
from geor.engine.pipeline.tag_options import TagOptions
from geor.engine.placement.policy import PlacementPolicy

if TYPE_CHECKING:
    from geor.engine.pipeline.tag_request import TagRequest

ORGANISATION, APPLICATION = "Geo-R", "Geo-R"
DEVICES = ("auto", "cpu", "cuda")
WRITE_MODES = ("in-place", "sidecar")
#: The desktop proposes and never writes without a person (dry run), and asks for review below 0.5.
JOB_DEFAULTS = TagOptions(dry_run=True, min_confidence=0.5)
NO_MODEL = ModelRequest(model="")  # its settings kept; model "": no model stage
#: keys an older Geo-R saved the settings under, one value each, read when the new ones are absent
OLD_KEYS = ("model", "device", "threads", "max_tokens", "max_pixels", "per_scene", "write_mode", "overwrite", "window_min", "min_confidence",
            "track_files", "gpx_files", "camera_utc_offset", "clock_overrides", "infer_clocks")


@dataclass(kw_only=True)
class AppSettings:
    """The jobs' options (TagOptions, the very type geor tag's flags make: declared once) and the
    model's (ModelRequest; model "": none), remembered between runs with QSettings as JSON."""

    options: TagOptions = field(default_factory=lambda: JOB_DEFAULTS)
    model: ModelRequest = field(default_factory=lambda: NO_MODEL)

    @property
    def sidecar(self) -> bool:
        return self.options.sidecar

    def with_model(self, model: str) -> AppSettings:
        """These settings with another model (``geor-desktop --model``: for this session, not saved);
        the model's other settings (device, threads, photos per scene) are kept."""
        return replace(self, model=replace(self.model, model=model))

    def problems(self) -> list[str]:
        """What is wrong with these settings, in words (empty: nothing)."""
        found = []
        options, model = self.options, self.model
        if model.device not in DEVICES:
            found.append(f"device must be one of {', '.join(DEVICES)}")
        if model.threads is not None and model.threads < 1:
            found.append("threads must be 0 (all cores) or more")
        if options.window_min < 0:
            found.append("the time window cannot be negative")
        if model.per_scene < 0:
            found.append("photos per scene cannot be negative (0: every photo)")
        if not 0.0 <= options.min_confidence <= 1.0:
            found.append("the confidence threshold must lie within 0..1")
        from geor.engine.placement import parse_clock_overrides, parse_utc_offset

        try:
            parse_utc_offset(options.tz, "the cameras' UTC offset")
        except ValueError as exc:
            found.append(str(exc))
        try:
            parse_clock_overrides(list(options.clocks))
        except ValueError as exc:
            found.append(str(exc).replace("--clock ", "camera clock "))
        found += options.policy.problems()
        return found

    def tag_request(self, folder: Path) -> TagRequest:
        """The job these settings ask for on ``folder``, as ``geor tag`` builds one from its flags; the
        desktop proposes and never writes without a person, so dry_run. Privacy: the user's saved rules;
        the model marks for review what falls below the same confidence as the rest."""
        from geor.engine.pipeline.tag_request import TagRequest

        model = replace(self.model, review_below=self.options.min_confidence) if self.model.model else None
        return TagRequest(folder=folder, options=replace(self.options, dry_run=True, model=model))


def load_settings(store: QSettings | None = None) -> AppSettings:
    """Saved settings; a value that is missing or cannot be read falls back to its default, and
    settings that cannot work to the defaults (keeping the model and the tracks)."""
    store = store or QSettings(ORGANISATION, APPLICATION)
    try:
        options = TagOptions.from_json(json.loads(str(store.value("job_options")))) if store.contains("job_options") else _older(store)
        model = from_json(ModelRequest, json.loads(str(store.value("model_request")))) if store.contains("model_request") else _older_model(store)
        settings = AppSettings(options=replace(options, model=None), model=model)
    except (TypeError, ValueError):
        return AppSettings()
    if settings.problems():
        return AppSettings(options=replace(JOB_DEFAULTS, tracks=settings.options.tracks), model=replace(NO_MODEL, model=settings.model.model))
    return settings


def save_settings(settings: AppSettings, store: QSettings | None = None) -> None:
    store = store or QSettings(ORGANISATION, APPLICATION)
    store.setValue("job_options", json.dumps(settings.options.to_json(), sort_keys=True))
    store.setValue("model_request", json.dumps(to_json(settings.model), sort_keys=True))
    for key in OLD_KEYS + tuple(f.name for f in fields(PlacementPolicy)):
        store.remove(key)  # the older form, read once
    store.sync()


def _old(store: QSettings, key: str, kind: type, default: Any) -> Any:
    """A value an older Geo-R saved under ``key`` (one per setting), or ``default``."""
    if not store.contains(key):
        return default
    raw: Any = store.value(key)
    try:
        if kind is bool:
            return raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true", "yes")
        if kind is list:
            return [str(x) for x in raw] if isinstance(raw, list) else ([str(raw)] if raw else [])
        return kind(raw)
    except (TypeError, ValueError):
        return default


def _older(store: QSettings) -> TagOptions:
    """The jobs' options as an older Geo-R saved them, a key each."""
    policy = {f.name: _old(store, f.name, float, getattr(PlacementPolicy(), f.name)) for f in fields(PlacementPolicy)}
    tracks = _old(store, "track_files", list, None) or _old(store, "gpx_files", list, [])
    return replace(JOB_DEFAULTS, sidecar=_old(store, "write_mode", str, "in-place") == "sidecar", overwrite=_old(store, "overwrite", bool, False),
                   window_min=_old(store, "window_min", float, JOB_DEFAULTS.window_min),
                   min_confidence=_old(store, "min_confidence", float, JOB_DEFAULTS.min_confidence), tracks=tuple(tracks),
                   tz=_old(store, "camera_utc_offset", str, "") or None, clocks=tuple(_old(store, "clock_overrides", list, [])),
                   infer_clocks=_old(store, "infer_clocks", bool, True), policy=PlacementPolicy(**policy))


def _older_model(store: QSettings) -> ModelRequest:
    """The model's settings as an older Geo-R saved them (0 threads or pixels: the default)."""
    return ModelRequest(model=_old(store, "model", str, ""), device=_old(store, "device", str, "auto"),
                        threads=_old(store, "threads", int, 0) or None, max_tokens=_old(store, "max_tokens", int, 128),
                        max_pixels=_old(store, "max_pixels", int, 0) or None, per_scene=_old(store, "per_scene", int, DEFAULT_PER_SCENE))
