"""GGUF quantisation with llama.cpp's own quantiser (through llama-cpp-python)."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from geor.engine.errors import UserError

#: Geo-R's names -> llama.cpp file types (llama_ftype).
QUANT_TYPES = {"f16": 1, "q8": 7, "q8_0": 7, "q5": 17, "q5_k_m": 17, "q4": 15, "q4_k_m": 15}
QUANT_LABELS = {1: "F16", 7: "Q8_0", 17: "Q5_K_M", 15: "Q4_K_M"}


class QuantizeError(UserError, RuntimeError):
    pass


@contextmanager
def native_output_to(log: list[str]) -> Iterator[None]:
    """Send what native code prints (llama.cpp writes a line per tensor) to ``log`` instead of the
    user's terminal; the caller shows its tail if something fails."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with tempfile.TemporaryFile(mode="w+b") as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
            sink.seek(0)
            log.extend(sink.read().decode("utf-8", "replace").splitlines())


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
    log: list[str] = []
    with native_output_to(log):
        status = llama_cpp.llama_model_quantize(str(source).encode(), str(target).encode(), params)
    if status != 0 or not Path(target).is_file():
        tail = "\n".join(log[-5:])
        raise QuantizeError(f"{source}: llama.cpp could not quantise it to {QUANT_LABELS[ftype]} (status {status}):\n{tail}")
    return Path(target)
