"""Checkpoint -> GGUF language model + GGUF vision projector, with llama.cpp's own converter and
quantiser, + the vision tower as an any-size ONNX graph for onnxruntime. The projector stays f16
for an f16 export and is Q8_0 otherwise (the vision tower is where quantisation costs the most
accuracy for the least size). The engine encodes images with the ONNX graph on the CPU, where it
runs 2-5x faster than llama.cpp's encoder (benchmarks/bench_inference.py): float32 beside an f16
export (lossless), dynamic int8 beside a quantised one; the projector still tells llama.cpp how
an image becomes tokens, and encodes them where the ONNX graph is not used (CUDA)."""

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
    vision = timed("export the vision encoder to ONNX (torch.onnx)", lambda: export_vision_encoder(source.folder, folder, int8=quant != "f16"))
    if quant == "f16":
        return {"model": f16.name, "mmproj": projector_f16.name, **vision}, label
    model = folder / f"model-{label}.gguf"
    timed(f"quantise the language model to {label}", lambda: quantize(f16, model, quant, threads))
    f16.unlink()
    projector = folder / "mmproj-Q8_0.gguf"
    timed("quantise the vision projector to Q8_0", lambda: quantize(projector_f16, projector, "q8", threads))
    projector_f16.unlink()
    return {"model": model.name, "mmproj": projector.name, **vision}, label


def export_vision_encoder(checkpoint: Path, folder: Path, int8: bool) -> dict[str, str]:
    """``vision.onnx`` (weights in one ``vision.onnx.data`` beside it when over protobuf's 2 GB) or,
    with ``int8``, its dynamic int8 form, and ``vision_config.json``; returns their manifest roles."""
    import shutil
    import tempfile

    import torch
    from transformers import AutoModelForImageTextToText, AutoProcessor

    from .onnx_export import trace_vision_any_size
    from .onnx_quantize import quantize_vision, write_vision_config

    model = AutoModelForImageTextToText.from_pretrained(checkpoint, dtype=torch.bfloat16, use_safetensors=True)
    visual, processor = model.model.visual, AutoProcessor.from_pretrained(checkpoint)
    del model
    with tempfile.TemporaryDirectory(dir=folder) as work:  # torch writes one file per tensor beside a big graph
        traced = Path(work) / "vision.onnx"
        config = trace_vision_any_size(visual, processor, traced)
        del visual
        if int8:
            quantize_vision(traced, folder / "vision-int8.onnx")
            graph = folder / "vision-int8.onnx"
        else:
            import onnx

            graph = folder / "vision.onnx"
            big = sum(p.stat().st_size for p in Path(work).iterdir()) > 2**31 - 2**26
            if big:
                onnx.save_model(onnx.load(str(traced)), str(graph), save_as_external_data=True, all_tensors_to_one_file=True,
                                location="vision.onnx.data")
            else:
                shutil.move(traced, graph)
    write_vision_config(folder, config, "vision_config.json")
    roles = {"vision_onnx": graph.name, "vision_config": "vision_config.json"}
    if (folder / "vision.onnx.data").is_file():
        roles["vision_onnx_data"] = "vision.onnx.data"
    return roles
