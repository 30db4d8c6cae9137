"""What a tagging job is asked to do, declared once: ``TagOptions`` (composed of the placement
policy, the privacy settings and an optional model request), each field with its help text and
flag. ``geor tag``'s flags are made from these fields (engine/options.py), the desktop's settings
build the same type, and the job store keeps it as JSON (``to_json``/``from_json``), so a resumed
job or a later review works by the same rules. Nothing heavy is imported here (``geor --help``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from geor.engine.errors import BadOption
from geor.engine.inference.model_request import DEFAULT_PER_SCENE, ModelRequest
from geor.engine.options import from_json, option, to_json
from geor.engine.placement.policy import PlacementPolicy
from geor.engine.placement.privacy import PrivacyOptions, PrivacyRules

RUNTIME_ONLY = ("device", "threads", "gpu_layers")  # a model's settings that change the speed, not the answers


@dataclass(frozen=True, kw_only=True)
class TagOptions:
    """Everything a job is asked to do, declaratively."""

    dry_run: bool = field(default=False, metadata=option("decide and report, write nothing"))
    sidecar: bool = field(default=False, metadata=option("write XMP sidecars instead of touching any photo"))
    overwrite: bool = field(default=False, metadata=option("replace the GPS position and place names a photo already has (default: never)"))
    min_confidence: float = field(default=0.3, metadata=option("write only decisions at least this confident"))
    window_min: float = field(default=10.0, metadata=option(
        "with --model: photos of one camera each within this of another and alike to look at are one scene"))
    tracks: tuple[str, ...] = field(default=(), metadata=option(
        "a track: GPX, KML/KMZ, FIT, TCX, GeoJSON, NMEA, CSV (time, lat, lon; GPS loggers' exports) or Google location history "
        "(Records.json, Timeline export); "
        "repeat for several", flag="--track", aliases=("--gpx",), metavar="FILE"))
    clocks: tuple[str, ...] = field(default=(), metadata=option(
        "set a camera's clock offset from UTC, e.g. \"NIKON Z 6=+01:03:27\" (the camera named by words of its make, model or serial "
        "number); repeat for several", flag="--clock", metavar="CAMERA=OFFSET"))
    tz: str | None = field(default=None, metadata=option("UTC offset of the clock of cameras nothing else tells about, e.g. +02:00"))
    infer_clocks: bool = field(default=True, metadata=option(
        "do not infer clocks from other devices' photos or tracks (only --clock, GPS times, OffsetTime tags, --tz)",
        flag="--no-clock-inference"))
    policy: PlacementPolicy = field(default_factory=PlacementPolicy, metadata=option("the interpolation policy",
                                                                                     group="interpolation policy"))
    privacy: PrivacyOptions = field(default_factory=PrivacyOptions, metadata=option(
        "privacy zones", group="privacy zones (saved ones come from the user's config; see README)"))
    model: ModelRequest | None = field(default=None, metadata=option("the model stage (its flags: engine/inference/model_request.py)", cli=False))

    def clock_overrides(self) -> dict[str, str]:
        """camera words -> clock offset, as the user set them with --clock."""
        from geor.engine.placement.clock_offsets import parse_clock_overrides

        return parse_clock_overrides(list(self.clocks))

    def privacy_rules(self) -> PrivacyRules:
        return self.privacy.rules()

    def resolved(self, saved: PrivacyRules) -> TagOptions:
        """As the job records it: tracks as absolute paths (sorted), the saved privacy rules merged
        in, the model by its identity (a resolved path or a registry name)."""
        return replace(self, tracks=tuple(sorted(str(Path(p).expanduser().resolve()) for p in self.tracks)),
                       privacy=self.privacy.resolved(saved),
                       model=replace(self.model, model=self.model.identity) if self.model is not None else None)

    def check(self) -> None:
        """Raise a UserError naming the first setting that cannot work."""
        from geor.engine.placement.clock_offsets import parse_clock_offset, parse_utc_offset

        if not 0 <= self.min_confidence <= 1:
            raise BadOption("the minimum confidence must be within 0..1")
        if self.window_min < 0:
            raise BadOption("the scene window (--window-min) cannot be negative")
        if self.model is not None and self.model.per_scene < 0:
            raise BadOption("photos per scene (--per-scene) cannot be negative; 0 asks about every photo")
        problems = self.policy.problems()
        if problems:
            raise BadOption(problems[0])
        parse_utc_offset(self.tz, "--tz")
        for words, offset in self.clock_overrides().items():
            parse_clock_offset(offset, f"--clock {words!r}")
        self.privacy_rules()  # every zone parsed

    def to_json(self) -> dict[str, Any]:
        return to_json(self)

    def job_key(self) -> str:
        """What makes two runs the same job (to resume): every option but the model's speed settings."""
        data = self.to_json()
        if data.get("model"):
            data["model"] = {k: v for k, v in data["model"].items() if k not in RUNTIME_ONLY}
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TagOptions:
        """The options a job store holds; a store written before the options were one type (flat
        keys: same_place_m, privacy_zones, model as a name...) reads as the same options."""
        if "policy" in data or "privacy" in data:
            return from_json(cls, data)
        flat = dict(data)
        policy = from_json(PlacementPolicy, {k: flat.pop(k) for k in list(flat) if k in PlacementPolicy.__dataclass_fields__})
        privacy = PrivacyOptions(zones=tuple(flat.pop("privacy_zones", None) or ()), mode=flat.pop("privacy_mode", None),
                                 decimals=flat.pop("privacy_decimals", None), names=flat.pop("privacy_names", None))
        model_name, samples, per_scene = flat.pop("model", None), flat.pop("samples", 1), flat.pop("per_scene", DEFAULT_PER_SCENE)
        clocks = flat.pop("clocks", None) or {}
        options = from_json(cls, flat)
        return replace(options, policy=policy, privacy=privacy, clocks=tuple(f"{k}={v}" for k, v in dict(clocks).items()),
                       model=ModelRequest(model=model_name, samples=samples, per_scene=per_scene) if model_name else None)
