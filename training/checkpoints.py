"""Load the model a run starts from, and write the checkpoint it ends with.

A finished run writes ``OUTPUT_DIR/final``: the full model as safetensors (LoRA adapters merged),
the processor (tokenizer, image processor, chat template) and ``geor-model.json``, the manifest the
engine and ``geor-export`` read (family, prompt version, image budget, where it came from). The
folder appears at once, complete, or not at all: it is written beside and renamed into place.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from geor.engine import __version__
from geor.engine.atomic import atomic_folder
from geor.engine.errors import BadInput
from geor.engine.models.manifest import FileEntry, ManifestError, ModelManifest, family_of

from .config import TrainConfig

FINAL = "final"


class CheckpointError(BadInput):
    """A checkpoint folder that cannot be resumed from or loaded; the message names it."""


def load_for_training(config: TrainConfig) -> tuple[Any, Any]:
    """(model, processor) of the config's starting point, on the CPU or the GPU the trainer picks."""
    import torch
    from transformers import AutoModelForImageTextToText, AutoProcessor

    reference = config.model_reference()
    try:
        processor = AutoProcessor.from_pretrained(reference)
        kwargs: dict[str, Any] = {"dtype": "auto" if config.dtype == "auto" else getattr(torch, config.dtype)}
        if config.attn_implementation:
            kwargs["attn_implementation"] = config.attn_implementation
        model = AutoModelForImageTextToText.from_pretrained(reference, **kwargs)
    except OSError as exc:
        raise CheckpointError(f"cannot load the model {reference!r}: {exc}") from None
    try:
        family_of(model.config.model_type)  # refuse unknown families before any training
    except ManifestError as exc:
        raise CheckpointError(str(exc)) from None
    if config.image_max_pixels:
        _set_image_budget(processor, config.image_max_pixels)
    if config.freeze_vision and config.lora is None:
        for name, parameter in model.named_parameters():
            if _is_vision(name):
                parameter.requires_grad_(False)
    return model, processor


def peft_config(config: TrainConfig) -> Any:
    if config.lora is None:
        return None
    from peft import LoraConfig

    return LoraConfig(r=config.lora.r, lora_alpha=config.lora.alpha, lora_dropout=config.lora.dropout,
                      target_modules=config.lora.target_modules, task_type="CAUSAL_LM")


def _is_vision(name: str) -> bool:
    return any(part in name for part in (".visual.", "visual.", "vision_tower", "vision_model"))


def _set_image_budget(processor: Any, max_pixels: int) -> None:
    """Make the processor resize like the engine: no more than ``max_pixels`` per image."""
    image_processor = getattr(processor, "image_processor", None)
    if image_processor is None:
        return
    if hasattr(image_processor, "max_pixels"):
        image_processor.max_pixels = max_pixels
        if getattr(image_processor, "min_pixels", 0) and image_processor.min_pixels > max_pixels:
            image_processor.min_pixels = max_pixels
    size = getattr(image_processor, "size", None)
    if isinstance(size, dict) and "longest_edge" in size and "shortest_edge" in size:
        size["longest_edge"] = max_pixels
        size["shortest_edge"] = min(size["shortest_edge"], max_pixels)


def save_final(model: Any, processor: Any, config: TrainConfig, stage: str, extra: dict[str, Any] | None = None) -> Path:
    """Merge LoRA (if any), write ``OUTPUT_DIR/final`` atomically and return it."""
    if hasattr(model, "merge_and_unload"):
        model = model.merge_and_unload()
    target = config.output_dir / FINAL
    with atomic_folder(target) as staging:
        model.save_pretrained(staging, safe_serialization=True)
        processor.save_pretrained(staging)
        weights = "model.safetensors" if (staging / "model.safetensors").exists() else "model.safetensors.index.json"
        manifest = ModelManifest(
            name=f"{config.output_dir.parent.name}-{config.output_dir.name}", family=family_of(model.config.model_type), format="transformers",
            files={"config": FileEntry("config.json"), "weights": FileEntry(weights)},
            prompt_version=config.prompt_version, image_max_pixels=config.image_max_pixels,
            source={"stage": stage, "base": config.model, "config": str(config.path), "geor": __version__, **(extra or {})},
        )
        manifest.save(staging)
    return target


def write_json(path: Path, data: dict[str, Any]) -> None:
    from geor.engine.atomic import atomic_text_writer

    with atomic_text_writer(path) as handle:
        json.dump(data, handle, indent=2, ensure_ascii=False, default=str)
        handle.write("\n")
