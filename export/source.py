"""What ``geor-export`` is given: a full checkpoint folder (``geor-train``'s ``final/`` or any
transformers checkpoint in safetensors), or a LoRA adapter folder, which is merged into its base
model first. Problems are named before any slow work starts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geor.engine.errors import UserError
from geor.engine.models.manifest import MANIFEST_NAME, ManifestError, ModelManifest, family_of


class SourceError(UserError):
    pass


@dataclass
class Source:
    folder: Path  # a full checkpoint (the merged one, for an adapter)
    family: str
    model_type: str
    given: Path  # what the user passed
    base: str | None = None  # the base model an adapter was merged into
    training_manifest: ModelManifest | None = None
    info: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"checkpoint": str(self.given.resolve())}
        if self.base:
            out["lora_base"] = self.base
        if self.training_manifest is not None:
            out["training"] = self.training_manifest.source
        return out


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(f"{path}: not readable JSON ({exc})") from None
    if not isinstance(data, dict):
        raise SourceError(f"{path}: expected a JSON object")
    return data


def is_adapter(folder: Path) -> bool:
    return (folder / "adapter_config.json").is_file()


def open_source(path: Path, base: str | Path | None = None, workdir: Path | None = None) -> Source:
    """Check ``path`` and, for a LoRA adapter, merge it into ``base`` (or the base the adapter names)
    under ``workdir``."""
    path = Path(path)
    if not path.exists():
        raise SourceError(f"{path}: no such folder")
    if not path.is_dir():
        raise SourceError(f"{path}: expected a checkpoint folder (config.json + *.safetensors) or a LoRA adapter folder")
    if is_adapter(path):
        if workdir is None:
            raise SourceError("merging a LoRA adapter needs a working folder")
        return _merged(path, base, workdir)
    if not (path / "config.json").is_file():
        raise SourceError(f"{path}: no config.json: not a checkpoint folder")
    weights = sorted(path.glob("*.safetensors"))
    if not weights:
        pickled = sorted(p.name for p in path.glob("*.bin"))
        hint = f" (it has {', '.join(pickled)}: pickled weights, which Geo-R never loads)" if pickled else ""
        raise SourceError(f"{path}: no *.safetensors weights{hint}")
    index = path / "model.safetensors.index.json"
    if index.is_file():
        missing = sorted({name for name in _read_json(index).get("weight_map", {}).values() if not (path / name).is_file()})
        if missing:
            raise SourceError(f"{path}: weight shards listed in model.safetensors.index.json are missing: {', '.join(missing)}")
    for required in ("tokenizer.json", "tokenizer_config.json"):
        if not (path / required).is_file():
            raise SourceError(f"{path}: no {required}: the exported model needs the tokenizer")
    model_type = str(_read_json(path / "config.json").get("model_type", ""))
    try:
        family = family_of(model_type)
    except ManifestError as exc:
        raise SourceError(f"{path}: {exc}") from None
    manifest = None
    if (path / MANIFEST_NAME).is_file():
        try:
            manifest = ModelManifest.load(path)
        except ManifestError:
            manifest = None
    return Source(path, family, model_type, path, training_manifest=manifest)


def _merged(adapter: Path, base: str | Path | None, workdir: Path) -> Source:
    config = _read_json(adapter / "adapter_config.json")
    base_ref = str(base) if base is not None else config.get("base_model_name_or_path")
    if not base_ref:
        raise SourceError(f"{adapter}: a LoRA adapter without its base model: pass --base BASE_CHECKPOINT")
    base_path = Path(base_ref).expanduser()
    if not base_path.is_dir():
        raise SourceError(
            f"{adapter}: its base model {base_ref!r} is not a folder here (Geo-R exports offline); "
            "pass --base with the base checkpoint's folder"
        )
    base_source = open_source(base_path)
    import torch
    from peft import PeftModel
    from transformers import AutoModelForImageTextToText, AutoProcessor

    model = AutoModelForImageTextToText.from_pretrained(base_path, dtype=torch.float32, use_safetensors=True)
    try:
        model = PeftModel.from_pretrained(model, adapter).merge_and_unload()
    except (ValueError, KeyError, RuntimeError) as exc:
        raise SourceError(f"{adapter}: does not fit the base model {base_path} ({exc})") from None
    merged = Path(workdir) / "merged"
    model.save_pretrained(merged, safe_serialization=True)
    processor_from = adapter if (adapter / "tokenizer.json").is_file() else base_path
    AutoProcessor.from_pretrained(processor_from).save_pretrained(merged)
    source = open_source(merged)
    source.given, source.base = adapter, str(base_path.resolve())
    source.training_manifest = base_source.training_manifest
    return source
