"""A Qwen2-VL / Qwen2.5-VL vision tower as an ONNX graph (``geor-export`` writes it), run by
onnxruntime: the ONNX backend's image encoder, and the llama.cpp backend's when a GGUF model
folder carries one (its image embeddings then go to llama.cpp's decoder as the projector's would).

onnxruntime's CPU kernels reach a larger share of the machine's GEMM peak than llama.cpp's vision
encoder does (benchmarks/bench_inference.py, README "Inference"); an int8 graph (dynamic
quantisation) uses the CPU's int8 dot products (AVX-512 VNNI, AVX-VNNI, NEON dotprod).
The graph (export/onnx_export.py ``trace_vision_any_size``) takes any grid: the window attention's
layout is an input, computed here in NumPy as transformers computes it, so photos keep their aspect
ratio; NumPy also does the Qwen-VL processor's normalisation and patch layout.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from .backend import BackendError, require
from .images import PreparedImage, from_pil


def pixel_values(image: PreparedImage, config: dict[str, Any]) -> np.ndarray:
    """(patches, 3 * temporal * patch * patch) float32 in the Qwen2-VL processor's layout (merge
    blocks in raster order, the patches of a block in raster order). A graph traced for one size
    (``image_side``) gets the image resized to it; an any-size graph takes it as it is (both sides
    multiples of patch x merge)."""
    patch, merge, temporal = config["patch_size"], config["merge_size"], config["temporal_patch_size"]
    if not config.get("any_size"):
        image = resized(image, config["image_side"], config["image_side"])
    pixels = np.asarray(image.to_pil(), dtype=np.float32) * config["rescale_factor"]
    pixels = (pixels - np.asarray(config["image_mean"], np.float32)) / np.asarray(config["image_std"], np.float32)
    pixels = pixels.transpose(2, 0, 1)  # C, H, W
    gh, gw = image.height // patch, image.width // patch
    patches = pixels.reshape(3, gh // merge, merge, patch, gw // merge, merge, patch)
    patches = patches.transpose(1, 4, 2, 5, 0, 3, 6)  # gh/m, gw/m, m, m, C, P, P
    patches = np.broadcast_to(patches[:, :, :, :, :, None], (*patches.shape[:5], temporal, patch, patch))
    return np.ascontiguousarray(patches.reshape(gh * gw, 3 * temporal * patch * patch), dtype=np.float32)


def vision_inputs(gh: int, gw: int, config: dict[str, Any]) -> dict[str, np.ndarray]:
    """The any-size graph's other inputs for a grid of gh x gw patches, as transformers computes
    them for Qwen2.5-VL: each patch's (row, column) for the rotary embedding (merge blocks first),
    the order that groups the merged units window by window, and the additive mask that keeps the
    windowed layers' attention inside each window (in that order)."""
    merge = config["merge_size"]
    rows, cols = np.meshgrid(np.arange(gh), np.arange(gw), indexing="ij")
    blocks = (gh // merge, merge, gw // merge, merge)
    position_ids = np.stack([rows.reshape(blocks).transpose(0, 2, 1, 3).ravel(), cols.reshape(blocks).transpose(0, 2, 1, 3).ravel()], -1)
    window = config["window_size"] // merge // config["patch_size"]  # merged units a window side
    lh, lw = gh // merge, gw // merge
    padded = np.full((lh + window - lh % window, lw + window - lw % window), -1, dtype=np.int64)  # transformers pads a whole window when it divides
    padded[:lh, :lw] = np.arange(lh * lw).reshape(lh, lw)
    nh, nw = padded.shape[0] // window, padded.shape[1] // window
    windows = padded.reshape(nh, window, nw, window).transpose(0, 2, 1, 3).reshape(nh * nw, window * window)
    window_index = windows[windows >= 0]
    window_of_unit = np.repeat(np.arange(nh * nw), (windows >= 0).sum(axis=1))
    window_of_patch = np.repeat(window_of_unit, merge * merge)
    mask = np.where(window_of_patch[:, None] == window_of_patch[None, :], 0.0, -np.inf).astype(np.float32)
    return {"position_ids": position_ids.astype(np.int64), "window_index": window_index.astype(np.int64), "window_mask": mask}


def fit_to_patches(image: PreparedImage, factor: int) -> PreparedImage:
    """The image resized so that both sides are multiples of ``factor`` (the nearest, at least one),
    as the Qwen-VL processors' smart resize does within the budget."""
    width, height = (max(factor, round(side / factor) * factor) for side in (image.width, image.height))
    return resized(image, width, height)


def resized(image: PreparedImage, width: int, height: int) -> PreparedImage:
    """The image at width x height (bicubic), or itself when it has that size."""
    if (width, height) == (image.width, image.height):
        return image
    from PIL import Image

    return from_pil(image.to_pil().resize((width, height), Image.Resampling.BICUBIC), image.path)


class OnnxVision:
    """``graph``: an any-size vision ONNX file; its preprocessing comes from the ``onnx_config.json``
    (or ``config``) beside it."""

    def __init__(self, graph: Path, config: Path | None = None, device: str = "cpu", n_threads: int | None = None) -> None:
        (ort,) = require("the ONNX vision encoder", "onnx", "onnxruntime")
        self.graph = Path(graph)
        config = config or self.graph.parent / "onnx_config.json"
        try:
            self.config = json.loads(Path(config).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BackendError(f"{config}: cannot read the vision encoder's settings ({exc})") from None
        if not self.config.get("any_size"):
            raise BackendError(f"{self.graph}: a vision graph traced for one image size (an ONNX model's); export the model again with geor-export")
        providers = ["CUDAExecutionProvider", "CPUExecutionProvider"] if device == "cuda" else ["CPUExecutionProvider"]
        options = ort.SessionOptions()
        if n_threads:
            options.intra_op_num_threads = n_threads
        # llama.cpp's decoder runs right after each encoding: onnxruntime's threads must not spin-wait
        # on the cores it needs (measured: the image tokens' prefill took 15-30 % longer with spinning)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self.session = ort.InferenceSession(str(self.graph), options, providers=providers)
        except Exception as exc:  # onnxruntime raises its own exception types for damaged graphs
            raise BackendError(f"{self.graph}: onnxruntime could not load the vision encoder ({exc}); export it again") from None

    @property
    def factor(self) -> int:
        """Image sides must be multiples of this (a merged unit's side in pixels)."""
        return int(self.config["patch_size"]) * int(self.config["merge_size"])

    def encode(self, image: PreparedImage) -> np.ndarray:
        """(image tokens, hidden) float32, C-contiguous: the merger's output in raster order."""
        patch = int(self.config["patch_size"])
        feeds = {"pixel_values": pixel_values(image, self.config),
                 **vision_inputs(image.height // patch, image.width // patch, self.config)}
        try:
            features = self.session.run(None, feeds)[0]
        except Exception as exc:  # onnxruntime's own exception types: a graph that does not fit its settings
            raise BackendError(f"{self.graph}: the ONNX vision encoder failed on {image.path or 'the image'} ({exc})") from None
        return np.ascontiguousarray(features, dtype=np.float32)
