"""This machine's attainable throughput for the arithmetic the model's stages use, and the work
each stage does for a model of given shapes: the two halves of a roofline (bench_inference.py).

Peaks are measured, not taken from a data sheet: a large single-precision GEMM through NumPy's
BLAS, a large int8 GEMM (u8 x s8 -> s32, the kind llama.cpp's quantised dot products and
onnxruntime's int8 kernels do) through onnxruntime, and the memory read bandwidth (a sum over a
buffer far larger than the caches, on every core). Work is counted from the checkpoint's config:
multiply-adds of every matrix product (2 FLOP each), attention included; norms, activations and
rotary embeddings are left out (under 1 %).
"""

from __future__ import annotations

import os
import platform
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np


def cpu_name() -> str:
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def best_seconds(run: Any, repeats: int, warm: bool = True) -> float:
    """The fastest of ``repeats`` runs (after one untimed run with ``warm``: threads started, pages touched)."""
    if warm:
        run()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return min(times)


def fp32_gemm_peak(n: int = 2048, repeats: int = 5) -> float:
    """FLOP/s of an n x n x n float32 matrix product (NumPy's BLAS, all cores)."""
    rng = np.random.default_rng(0)
    a, b = rng.random((n, n), dtype=np.float32), rng.random((n, n), dtype=np.float32)
    out = np.empty((n, n), dtype=np.float32)
    return 2 * n**3 / best_seconds(lambda: np.matmul(a, b, out=out), repeats)


def int8_gemm_peak(n: int = 2048, repeats: int = 5, threads: int | None = None) -> float:
    """Operations/s (2 per multiply-add) of an n x n x n u8 x s8 -> s32 product (onnxruntime MatMulInteger)."""
    import onnxruntime as ort
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["a", "b"], ["c"])], "gemm",
        [helper.make_tensor_value_info("a", TensorProto.UINT8, [n, n]), helper.make_tensor_value_info("b", TensorProto.INT8, [n, n])],
        [helper.make_tensor_value_info("c", TensorProto.INT32, [n, n])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or cores()
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    feeds = {"a": rng.integers(0, 255, (n, n), dtype=np.uint8), "b": rng.integers(-127, 127, (n, n), dtype=np.int8)}
    return 2 * n**3 / best_seconds(lambda: session.run(None, feeds), repeats)


def read_bandwidth(megabytes: int = 1024, repeats: int = 5) -> float:
    """Bytes/s read from memory: a float32 buffer of ``megabytes`` summed in one slice per core."""
    data = np.ones(megabytes * 2**20 // 4, dtype=np.float32)
    parts = np.array_split(data, cores())
    with ThreadPoolExecutor(len(parts)) as pool:  # NumPy's reductions release the GIL
        seconds = best_seconds(lambda: list(pool.map(np.sum, parts)), repeats)
    return data.nbytes / seconds


def cuda_peaks(n: int = 8192, repeats: int = 10) -> tuple[float, float, float, str]:
    """(bf16 GEMM FLOP/s, int8 GEMM OP/s, memory read bytes/s, the GPU's name) through torch on the first GPU."""
    import torch

    def timed(run: Any) -> float:
        run()
        torch.cuda.synchronize()
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(repeats):
            run()
        end.record()
        torch.cuda.synchronize()
        return start.elapsed_time(end) / 1000 / repeats

    a = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    bf16 = 2 * n**3 / timed(lambda: a @ a)
    q = torch.randint(-127, 127, (n, n), device="cuda", dtype=torch.int8)
    int8 = 2 * n**3 / timed(lambda: torch._int_mm(q, q))
    big = torch.empty(2**30 // 2, device="cuda", dtype=torch.float16)
    bandwidth = big.numel() * 2 / timed(lambda: big.sum())
    return bf16, int8, bandwidth, torch.cuda.get_device_name(0)


@dataclass(frozen=True)
class Peaks:
    fp32: float  # FLOP/s of the float GEMM (CPU: fp32; GPU: bf16 tensor cores)
    int8: float  # OP/s
    bandwidth: float  # bytes/s
    float_name: str = "fp32 GEMM"
    device: str = ""

    @classmethod
    def measure(cls, device: str = "cpu") -> Peaks:
        if device == "cuda":
            bf16, int8, bandwidth, name = cuda_peaks()
            return cls(bf16, int8, bandwidth, "bf16 GEMM", name)
        return cls(fp32_gemm_peak(), int8_gemm_peak(), read_bandwidth(), "fp32 GEMM", f"{cpu_name()}, {cores()} cores")


# -- work per stage (Qwen2-VL / Qwen2.5-VL shapes) -------------------------------------------------


def _text_config(config: dict[str, Any]) -> dict[str, Any]:
    return config.get("text_config") or config


def vision_flops(config: dict[str, Any], height: int, width: int) -> float:
    """The vision tower's FLOPs for one image of height x width pixels (patch embedding, blocks
    with window or full attention, the patch merger)."""
    v = config["vision_config"]
    d, inter, patch = v.get("hidden_size", v.get("embed_dim")), v["intermediate_size"], v["patch_size"]
    merge, temporal = v.get("spatial_merge_size", 2), v.get("temporal_patch_size", 2)
    gh, gw = height // patch, width // patch
    n = gh * gw
    flops = 2.0 * n * (v.get("in_channels", 3) * temporal * patch * patch) * d  # patch embedding (a conv as a GEMM)
    gated = v.get("hidden_act", "silu") == "silu" and "fullatt_block_indexes" in v  # Qwen2.5-VL: SwiGLU; Qwen2-VL: GELU MLP
    mlp = (3 if gated else 2) * d * inter
    window = v.get("window_size", 0) // patch  # patches a window side
    full = set(v.get("fullatt_block_indexes", range(v["depth"]))) if window else set(range(v["depth"]))
    for block in range(v["depth"]):
        flops += 2.0 * n * (4 * d * d + mlp)  # q, k, v, output projections; the MLP
        if block in full:
            flops += 4.0 * n * n * d  # scores and the weighted sum
        else:
            windows = -(-gh // window) * -(-gw // window)
            flops += 4.0 * windows * (window * window) ** 2 * d
    merged, wide = n // merge**2, d * merge**2
    out = v.get("out_hidden_size", _text_config(config)["hidden_size"])
    return flops + 2.0 * merged * (wide * wide + wide * out)


def decoder_token_flops(config: dict[str, Any], position: int, logits: bool = False) -> float:
    """The language model's FLOPs for one token at ``position`` (attention over the ``position``
    earlier tokens); ``logits``: with the output head (prefill computes it for the last token only)."""
    t = _text_config(config)
    d, inter, layers = t["hidden_size"], t["intermediate_size"], t["num_hidden_layers"]
    heads, kv_heads = t["num_attention_heads"], t.get("num_key_value_heads", t["num_attention_heads"])
    head_dim = t.get("head_dim", d // heads)
    per_layer = 2.0 * (d * heads * head_dim + 2 * d * kv_heads * head_dim + heads * head_dim * d + 3 * d * inter)
    attention = 4.0 * (position + 1) * heads * head_dim
    return layers * (per_layer + attention) + (2.0 * d * t["vocab_size"] if logits else 0.0)


def prefill_flops(config: dict[str, Any], start: int, tokens: int, logits: bool) -> float:
    return sum(decoder_token_flops(config, start + i, logits and i == tokens - 1) for i in range(tokens))
