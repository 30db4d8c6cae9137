"""The app's settings: one dataclass, remembered between runs with QSettings (the platform's own
place: the registry on Windows, a plist on macOS, an INI file under ~/.config on Linux)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings

from geor.engine.inference.model_request import DEFAULT_PER_SCENE
from geor.engine.placement.policy import PlacementPolicy

if TYPE_CHECKING:
    from geor.engine.pipeline.tag_request import TagRequest

ORGANISATION, APPLICATION = "Geo-R", "Geo-R"
DEVICES = ("auto", "cpu", "cuda")
WRITE_MODES = ("in-place", "sidecar")
RENAMED = {"track_files": "gpx_files"}  # current name -> the name older versions saved


@dataclass(kw_only=True)
class AppSettings:
    model: str = ""  # a .gguf file, a model folder, or an installed registry name; "": no model stage
    device: str = "auto"
    threads: int = 0  # 0: all cores
    write_mode: str = "in-place"  # in-place: into the photo (sidecar for formats that cannot take EXIF safely); sidecar: always XMP beside
    overwrite: bool = False  # replace GPS a photo already has
    window_min: float = 10.0  # "copy to neighbours" and the model's scenes: photos this close in time
    min_confidence: float = 0.5  # proposals below it need a person's review
    track_files: list[str] = field(default_factory=list)  # GPX, KML/KMZ, GeoJSON, NMEA, CSV, Google location history
    camera_utc_offset: str = ""  # e.g. +09:00: the clock of cameras nothing else tells about (geor tag --tz)
    clock_overrides: list[str] = field(default_factory=list)  # "NIKON Z 6=+01:03:27" (geor tag --clock)
    infer_clocks: bool = True
    policy: PlacementPolicy = field(default_factory=PlacementPolicy)  # declared once (engine/placement/policy.py); saved field by field
    per_scene: int = DEFAULT_PER_SCENE  # the model sees up to this many photos of a scene (engine/placement/scenes.py); 0: every photo
    max_tokens: int = 128
    max_pixels: int = 0  # the model's image budget; 0: what its manifest says, else 448 x 448 (not in the dialog)

    @property
    def sidecar(self) -> bool:
        return self.write_mode == "sidecar"

    def problems(self) -> list[str]:
        """What is wrong with these settings, in words (empty: nothing)."""
        found = []
        if self.device not in DEVICES:
            found.append(f"device must be one of {', '.join(DEVICES)}")
        if self.write_mode not in WRITE_MODES:
            found.append(f"write mode must be one of {', '.join(WRITE_MODES)}")
        if self.threads < 0:
            found.append("threads must be 0 (all cores) or more")
        if self.window_min < 0:
            found.append("the time window cannot be negative")
        if self.per_scene < 0:
            found.append("photos per scene cannot be negative (0: every photo)")
        if not 0.0 <= self.min_confidence <= 1.0:
            found.append("the confidence threshold must lie within 0..1")
        from geor.engine.placement import parse_clock_overrides, parse_utc_offset

        try:
            parse_utc_offset(self.camera_utc_offset, "the cameras' UTC offset")
        except ValueError as exc:
            found.append(str(exc))
        try:
            parse_clock_overrides(self.clock_overrides)
        except ValueError as exc:
            found.append(str(exc).replace("--clock ", "camera clock "))
        found += self.policy.problems()
        return found

    def tag_request(self, folder: Path) -> TagRequest:
        """The job these settings ask for on ``folder``, as ``geor tag`` builds one from its flags; the
        desktop proposes and never writes without a person, so dry_run. Privacy: the user's saved rules."""
        from geor.engine.inference.model_request import ModelRequest
        from geor.engine.pipeline.tag_options import TagOptions
        from geor.engine.pipeline.tag_request import TagRequest

        model = None
        if self.model:
            model = ModelRequest(model=self.model, device=self.device, threads=self.threads or None, max_tokens=self.max_tokens,
                                 max_pixels=self.max_pixels or None, review_below=self.min_confidence, per_scene=self.per_scene)
        return TagRequest(folder=folder, options=TagOptions(
            dry_run=True, sidecar=self.sidecar, overwrite=self.overwrite, min_confidence=self.min_confidence, window_min=self.window_min,
            tracks=tuple(self.track_files), tz=self.camera_utc_offset or None, clocks=tuple(self.clock_overrides),
            infer_clocks=self.infer_clocks, policy=self.policy, model=model))


def load_settings(store: QSettings | None = None) -> AppSettings:
    """Saved settings; a value that is missing or of the wrong type falls back to its default."""
    store = store or QSettings(ORGANISATION, APPLICATION)
    settings = AppSettings()
    policy = {}
    for spec in fields(PlacementPolicy):  # each number under its own key, as before the policy was one field
        if store.contains(spec.name):
            try:
                policy[spec.name] = float(store.value(spec.name))
            except (TypeError, ValueError):
                continue
    settings.policy = PlacementPolicy(**policy)
    for spec in fields(AppSettings):
        if spec.name == "policy":
            continue
        name = spec.name
        if not store.contains(name) and name in RENAMED and store.contains(RENAMED[name]):
            name = RENAMED[name]  # a setting saved by an older Geo-R under its old name
        elif not store.contains(name):
            continue
        raw: Any = store.value(name)
        default = getattr(settings, spec.name)
        try:
            if isinstance(default, bool):
                value: Any = raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true", "yes")
            elif isinstance(default, list):
                value = [str(x) for x in raw] if isinstance(raw, list) else ([str(raw)] if raw else [])
            else:
                value = type(default)(raw)
        except (TypeError, ValueError):
            continue
        setattr(settings, spec.name, value)
    if settings.problems():
        return AppSettings(model=settings.model, track_files=settings.track_files)  # keep what cannot be wrong
    return settings


def save_settings(settings: AppSettings, store: QSettings | None = None) -> None:
    store = store or QSettings(ORGANISATION, APPLICATION)
    for name, value in asdict(settings).items():
        if name == "policy":
            for key, number in value.items():
                store.setValue(key, number)
        else:
            store.setValue(name, value)
    store.sync()
