"""``geor-export``'s work, phase by phase: check the source (merging a LoRA adapter), convert,
quantise, checksum, write the manifest, verify against the checkpoint, and only then move the
finished folder into place. A failure at any phase leaves no half-written output folder behind."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geor.engine import __version__
from geor.engine.atomic import atomic_folder
from geor.engine.cor import CURRENT_PROMPT_VERSION
from geor.engine.errors import UserError
from geor.engine.models.manifest import ModelManifest, file_entry

from .source import Source, is_adapter, open_source

GGUF_QUANTS = ("q4", "q5", "q8", "f16")
ONNX_QUANTS = ("fp32", "int8", "int4")


class ExportError(UserError):
    pass


@dataclass(kw_only=True)
class ExportRequest:
    checkpoint: Path
    format: str = "gguf"
    quant: str = "q4"
    out: Path | None = None
    base: str | None = None
    force: bool = False
    verify: bool = True
    photos: list[Path] = field(default_factory=list)
    threads: int | None = None
    eval_config: Path | None = None  # a geor-train config: evaluate checkpoint and export on its evaluation set

    def output_folder(self) -> Path:
        if self.out is not None:
            return Path(self.out)
        return Path(self.checkpoint).with_name(f"{Path(self.checkpoint).name}-{self.format}-{self.quant}")


@dataclass
class ExportResult:
    folder: Path
    manifest: ModelManifest
    seconds: dict[str, float]
    verification: dict[str, Any] | None


Phase = Callable[[str], Any]


def check_request(request: ExportRequest) -> None:
    quants = GGUF_QUANTS if request.format == "gguf" else ONNX_QUANTS if request.format == "onnx" else None
    if quants is None:
        raise ExportError(f"unknown format {request.format!r}; choose gguf or onnx")
    if request.quant not in quants:
        raise ExportError(f"--quant {request.quant} is not available for {request.format}; choose one of {', '.join(quants)}")
    out = request.output_folder()
    if out.exists() and not request.force:
        raise ExportError(f"{out}: already exists; choose another --out or pass --force to replace it")
    for photo in request.photos:
        if not Path(photo).is_file():
            raise ExportError(f"{photo}: no such photo (for --verify-photo)")
    if request.eval_config is not None:
        try:
            from geor.training.config import load_config
        except ImportError as exc:
            raise ExportError(f"--eval-config needs the train extra ({exc})") from None
        load_config(request.eval_config)  # a bad config fails now, not after the conversion


def _weights_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.glob("*.safetensors"))


def check_disk(source: Path, target_parent: Path, fmt: str) -> None:
    """Refuse before converting when the output's disk cannot hold the intermediate files."""
    config = json.loads((source / "config.json").read_text())
    dtype_bytes = 4 if (config.get("dtype") or config.get("torch_dtype") or "float32") == "float32" else 2
    weights = _weights_bytes(source)
    need = int(weights * 2 / dtype_bytes * 1.6) if fmt == "gguf" else int(weights * 4 / dtype_bytes * 1.6)
    free = shutil.disk_usage(target_parent).free
    if free < need:
        raise ExportError(f"{target_parent}: not enough disk space: the export needs about {need / 2**30:.1f} GiB, "
                          f"{free / 2**30:.1f} GiB are free")


def _image_budget(source: Source) -> int | None:
    if source.training_manifest is not None and source.training_manifest.image_max_pixels:
        return source.training_manifest.image_max_pixels
    try:
        processor = json.loads((source.folder / "preprocessor_config.json").read_text())
    except (OSError, json.JSONDecodeError):
        try:
            processor = json.loads((source.folder / "processor_config.json").read_text()).get("image_processor", {})
        except (OSError, json.JSONDecodeError):
            return None
    return processor.get("max_pixels") or (processor.get("size") or {}).get("longest_edge")


#: Metrics whose change an evaluation reports (see ``geor-train eval``).
EVAL_KEYS = ("acc_1km", "acc_25km", "acc_200km", "acc_750km", "acc_2500km", "median_km", "mean_km")


def compare_evaluations(config_path: Path, checkpoint: Path, exported: Path, work: Path) -> dict[str, Any]:
    """``geor-train eval`` of the checkpoint and of the export on the config's evaluation set, and
    the change in each metric (export minus checkpoint). Training's evaluation is used only here,
    when asked for, so that exporting needs no training code otherwise."""
    from geor.training.config import load_config
    from geor.training.evaluation import run_eval

    config = load_config(config_path)
    before = run_eval(config, model=str(checkpoint), out=work / "eval-checkpoint", restart=True).report
    after = run_eval(config, model=str(exported), out=work / "eval-export", restart=True).report
    out: dict[str, Any] = {"photos": after["photos"], "checkpoint": {}, "export": {}, "change": {}}
    for key in EVAL_KEYS:
        out["checkpoint"][key] = before["metrics"][key]
        out["export"][key] = after["metrics"][key]
        out["change"][key] = after["metrics"][key] - before["metrics"][key]
    for key in ("parse_failure_rate", "coordinate_reward"):
        out["checkpoint"][key], out["export"][key] = before[key], after[key]
        out["change"][key] = after[key] - before[key]
    return out


def export(request: ExportRequest, phase: Phase | None = None) -> ExportResult:
    """Run the export; ``phase(name)`` is called as each phase starts (for progress display)."""
    phase = phase or (lambda name: print(name, file=sys.stderr))
    check_request(request)
    out = request.output_folder()
    timings: list[tuple[str, float]] = []

    def timed(name: str, work: Callable[[], Any]) -> Any:
        phase(name)
        started = time.perf_counter()
        result = work()
        timings.append((name, time.perf_counter() - started))
        return result

    with tempfile.TemporaryDirectory(prefix="geor-export-") as work:
        source = timed("merge the LoRA adapter into its base" if is_adapter(Path(request.checkpoint)) else "check the checkpoint",
                       lambda: open_source(request.checkpoint, request.base, Path(work)))
        out.parent.mkdir(parents=True, exist_ok=True)
        check_disk(source.folder, out.parent, request.format)
        prompt_version = source.training_manifest.prompt_version if source.training_manifest else CURRENT_PROMPT_VERSION
        image_max_pixels = _image_budget(source)
        with atomic_folder(out) as staging:
            if request.format == "gguf":
                from .gguf_export import export_gguf

                files, label = export_gguf(source, staging, request.quant, request.threads, timed)
            else:
                from .onnx_quantize import export_onnx_quantised

                files, label = export_onnx_quantised(source, staging, request.quant, timed)
            entries = timed("checksum the files", lambda: {role: file_entry(staging, name) for role, name in files.items()})
            manifest = ModelManifest(
                name=out.name, family=source.family, format=request.format, files=entries, quantization=label,
                prompt_version=prompt_version, image_max_pixels=image_max_pixels,
                source=source.describe() | {"geor": __version__},
            )
            manifest.save(staging)
            verification = None
            if request.verify:
                from .verify import verify_export

                agreement = timed("verify against the checkpoint", lambda: verify_export(
                    source.folder, staging, prompt_version, request.photos or None, image_max_pixels, threads=request.threads))
                verification = agreement.as_dict()
                if label in ("F16", "fp32") and agreement.identical != agreement.photos:
                    raise ExportError(
                        f"verification failed: the {label} export does not reproduce the checkpoint's greedy tokens "
                        f"({agreement.identical} of {agreement.photos} photos identical, {100 * agreement.token_agreement:.1f} % of tokens)"
                    )
                manifest.source["verification"] = verification
                manifest.save(staging)
            eval_config = request.eval_config
            if eval_config is not None:
                evaluation = timed("evaluate checkpoint and export (geor-train eval)",
                                   lambda: compare_evaluations(eval_config, source.folder, staging, Path(work)))
                manifest.source["evaluation"] = evaluation
                manifest.save(staging)
                verification = (verification or {}) | {"evaluation": evaluation}
        manifest.folder = out
    return ExportResult(out, manifest, dict(timings), verification)
