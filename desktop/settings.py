"""The app's settings: one dataclass, remembered between runs with QSettings (the platform's own
place: the registry on Windows, a plist on macOS, an INI file under ~/.config on Linux)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from PySide6.QtCore import QSettings

ORGANISATION, APPLICATION = "Geo-R", "Geo-R"
DEVICES = ("auto", "cpu", "cuda")
WRITE_MODES = ("in-place", "sidecar")


@dataclass
class AppSettings:
    model: str = ""  # a .gguf file, a model folder, or an installed registry name; "": no model stage
    device: str = "auto"
    threads: int = 0  # 0: all cores
    write_mode: str = "in-place"  # in-place: into the photo (sidecar for formats that cannot take EXIF safely); sidecar: always XMP beside
    overwrite: bool = False  # replace GPS a photo already has
    window_min: float = 10.0  # propagate GPS to photos taken this close in time
    min_confidence: float = 0.5  # proposals below it need a person's review
    gpx_files: list[str] = field(default_factory=list)
    camera_utc_offset: str = ""  # e.g. +09:00: the camera clock's zone, to match photos without one in their EXIF to GPX tracks
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
        if not 0.0 <= self.min_confidence <= 1.0:
            found.append("the confidence threshold must lie within 0..1")
        try:
            from geor.engine.pipeline.gpx import parse_utc_offset

            parse_utc_offset(self.camera_utc_offset, "the camera's UTC offset")
        except ValueError as exc:
            found.append(str(exc))
        return found


def load_settings(store: QSettings | None = None) -> AppSettings:
    """Saved settings; a value that is missing or of the wrong type falls back to its default."""
    store = store or QSettings(ORGANISATION, APPLICATION)
    settings = AppSettings()
    for spec in fields(AppSettings):
        if not store.contains(spec.name):
            continue
        raw: Any = store.value(spec.name)
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
        return AppSettings(model=settings.model, gpx_files=settings.gpx_files)  # keep what cannot be wrong
    return settings


def save_settings(settings: AppSettings, store: QSettings | None = None) -> None:
    store = store or QSettings(ORGANISATION, APPLICATION)
    for name, value in asdict(settings).items():
        store.setValue(name, value)
    store.sync()
