"""Checkpoint -> GGUF language model + GGUF vision projector, with llama.cpp's own converter and
quantiser. The projector stays f16 for an f16 export and is Q8_0 otherwise (the vision tower is
where quantisation costs the most accuracy for the least size)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .llama_cpp_converter import convert
from .quantize import QUANT_LABELS, QUANT_TYPES, quantize
from .source import Source


def export_gguf(source: Source, folder: Path, quant: str, threads: int | None,
                timed: Callable[[str, Callable[[], Any]], Any]) -> tuple[dict[str, str], str]:
    """Write the model and projector into ``folder``; return ({role: file name}, quantisation label)."""
    label = QUANT_LABELS[QUANT_TYPES[quant]]
    f16 = folder / "model-F16.gguf"
    timed("convert the language model (llama.cpp)", lambda: convert(source.folder, f16, "f16"))
    projector_f16 = folder / "mmproj-F16.gguf"
    timed("convert the vision projector (llama.cpp)", lambda: convert(source.folder, projector_f16, "f16", mmproj=True))
    if quant == "f16":
        return {"model": f16.name, "mmproj": projector_f16.name}, label
    model = folder / f"model-{label}.gguf"
    timed(f"quantise the language model to {label}", lambda: quantize(f16, model, quant, threads))
    f16.unlink()
    projector = folder / "mmproj-Q8_0.gguf"
    timed("quantise the vision projector to Q8_0", lambda: quantize(projector_f16, projector, "q8", threads))
    projector_f16.unlink()
    return {"model": model.name, "mmproj": projector.name}, label
