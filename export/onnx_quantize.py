"""Checkpoint -> ONNX (vision graph, KV-cached decoder, embeddings) and onnxruntime's quantisers:
int8 = dynamic int8 weights (``quantize_dynamic``, both graphs), int4 = 4-bit block-wise MatMul
weights in the decoder (``MatMulNBitsQuantizer``; the vision graph stays fp32)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .onnx_export import export_onnx
from .source import Source

ROLES = {"vision": "vision.onnx", "decoder": "decoder.onnx", "embeddings": "embed_tokens.npy",
         "tokenizer": "tokenizer.json", "config": "onnx_config.json"}


def _int8(graph: Path) -> None:
    quantised = graph.with_suffix(".int8.onnx")
    quantize_vision(graph, quantised)
    quantised.replace(graph)


def quantize_vision(graph: Path, out: Path) -> None:
    """Dynamic int8 (weights int8 per tensor, activations quantised per batch at run time): onnxruntime's
    MatMulInteger kernels, which use the CPU's int8 dot products."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(graph, out, weight_type=QuantType.QInt8)


def _int4(graph: Path) -> None:
    import onnx
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    quantizer = MatMulNBitsQuantizer(onnx.load(graph), block_size=32, is_symmetric=True)
    quantizer.process()
    quantizer.model.save_model_to_file(str(graph), use_external_data_format=False)


def export_onnx_quantised(source: Source, folder: Path, quant: str,
                          timed: Callable[[str, Callable[[], Any]], Any]) -> tuple[dict[str, str], str]:
    timed("export the vision and decoder graphs (torch.onnx)", lambda: export_onnx(source.folder, folder))
    (folder / "geor-model.json").unlink()  # the pipeline writes the final manifest
    if quant == "int8":
        def both() -> None:
            _int8(folder / "vision.onnx")
            _int8(folder / "decoder.onnx")

        timed("quantise both graphs to int8 (onnxruntime)", both)
    elif quant == "int4":
        timed("quantise the decoder's MatMuls to int4 (onnxruntime)", lambda: _int4(folder / "decoder.onnx"))
    return dict(ROLES), quant


def write_vision_config(folder: Path, config: dict[str, Any], name: str = "onnx_config.json") -> Path:
    """The preprocessing a vision graph needs (``trace_vision``'s answer) as a JSON file in ``folder``."""
    import json

    path = folder / name
    path.write_text(json.dumps(config, indent=2))
    return path
