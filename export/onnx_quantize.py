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
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantised = graph.with_suffix(".int8.onnx")
    quantize_dynamic(graph, quantised, weight_type=QuantType.QInt8)
    quantised.replace(graph)


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
