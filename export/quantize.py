"""GGUF quantisation with llama.cpp's own quantiser (through llama-cpp-python)."""

from __future__ import annotations

import os
from pathlib import Path

from geor.engine.errors import UserError

#: Geo-R's names -> llama.cpp file types (llama_ftype).
QUANT_TYPES = {"f16": 1, "q8": 7, "q8_0": 7, "q5": 17, "q5_k_m": 17, "q4": 15, "q4_k_m": 15}
QUANT_LABELS = {1: "F16", 7: "Q8_0", 17: "Q5_K_M", 15: "Q4_K_M"}


class QuantizeError(UserError, RuntimeError):
    pass


def quantize(source: Path, target: Path, quant: str, threads: int | None = None) -> Path:
    """Write ``target``, ``source`` quantised to ``quant`` (q4 = Q4_K_M, q5 = Q5_K_M, q8 = Q8_0, f16).

    Tensors whose rows do not suit a K-quant (width not a multiple of 256) fall back to a type that
    fits, as llama.cpp decides."""
    try:
        import llama_cpp
    except ImportError as exc:
        raise QuantizeError(f"quantising needs llama-cpp-python ({exc}): pip install 'geor[gguf]'") from None
    ftype = QUANT_TYPES.get(quant.lower())
    if ftype is None:
        raise QuantizeError(f"unknown quantisation {quant!r}; choose one of q4, q5, q8, f16")
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = ftype
    params.nthread = threads or os.cpu_count() or 1
    status = llama_cpp.llama_model_quantize(str(source).encode(), str(target).encode(), params)
    if status != 0 or not Path(target).is_file():
        raise QuantizeError(f"{source}: llama.cpp could not quantise it to {QUANT_LABELS[ftype]} (status {status})")
    return Path(target)
