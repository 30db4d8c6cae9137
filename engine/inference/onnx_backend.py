"""ONNX models (as ``geor.export.onnx_export`` writes them) on onnxruntime, CPU or CUDA, no torch.

Everything around the graphs is NumPy: the image is resized to the exported size, normalised and
cut into patches in the Qwen2-VL layout; the prompt is the model's chat template rendered in a
sandbox and tokenised with ``tokenizers``; image features replace the image placeholder tokens'
embeddings; positions follow Qwen2-VL's multimodal RoPE (text: one position per token; image:
temporal/height/width grid positions); generation runs the decoder with its key/value cache.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from geor.engine.models.manifest import ManifestError, ModelManifest

from .backend import BackendError, Generation, SamplingOptions, check_device, check_memory, require
from .images import PreparedImage
from .onnx_vision import pixel_values

IMAGE_PLACEHOLDER = "<|image_pad|>"


class OnnxBackend:
    name = "onnx"

    def __init__(self, manifest: ModelManifest, device: str = "auto", n_threads: int | None = None) -> None:
        ort, tokenizers = require("ONNX models", "onnx", "onnxruntime", "tokenizers")
        try:
            paths = {role: manifest.path_of(role) for role in ("vision", "decoder", "embeddings", "tokenizer", "config")}
        except ManifestError as exc:
            raise BackendError(str(exc)) from None
        missing = [str(p) for p in paths.values() if not p.is_file()]
        if missing:
            raise BackendError(f"{missing[0]}: missing from the ONNX model folder; export it again")
        self.folder = manifest.folder
        self.config = json.loads(paths["config"].read_text(encoding="utf-8"))
        requested = check_device(device)
        available = ort.get_available_providers()
        cuda = "CUDAExecutionProvider" in available
        if requested == "cuda" and not cuda:
            raise BackendError("--device cuda: this onnxruntime has no CUDA execution provider (pip install onnxruntime-gpu), or use --device cpu")
        self.device = "cuda" if requested == "cuda" or (requested == "auto" and cuda) else "cpu"
        providers = ["CUDAExecutionProvider", "CPUExecutionProvider"] if self.device == "cuda" else ["CPUExecutionProvider"]
        if self.device == "cpu":
            check_memory({str(p): p.stat().st_size for p in paths.values()})
        options = ort.SessionOptions()
        if n_threads:
            options.intra_op_num_threads = n_threads
        self.n_threads = n_threads
        try:
            self.vision = ort.InferenceSession(str(paths["vision"]), options, providers=providers)
            self.decoder = ort.InferenceSession(str(paths["decoder"]), options, providers=providers)
        except Exception as exc:  # onnxruntime raises its own exception types for damaged graphs
            raise BackendError(f"{self.folder}: onnxruntime could not load the model ({exc}); export it again") from None
        self.embeddings = np.load(paths["embeddings"], mmap_mode="r", allow_pickle=False)
        self.tokenizer = tokenizers.Tokenizer.from_file(str(paths["tokenizer"]))
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        self._template = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True).from_string(self.config["chat_template"])
        self.quantization = manifest.quantization

    def describe(self) -> dict[str, Any]:
        return {"backend": self.name, "device": self.device, "threads": self.n_threads, "model": str(self.folder),
                "family": self.config["family"], "quantization": self.quantization, "image_side": self.config["image_side"]}

    def render(self, messages: list[dict[str, Any]]) -> str:
        return self._template.render(messages=messages, add_generation_prompt=True)

    # -- pieces, each testable against transformers -------------------------------------------

    def pixel_values(self, image: PreparedImage) -> np.ndarray:
        """(patches, 3 * temporal * patch * patch) float32 in the Qwen2-VL processor's layout."""
        return pixel_values(image, self.config)

    def prompt(self, messages: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, int]:
        """Token ids with the image placeholder expanded, their positions (3, n), the image grid side."""
        c = self.config
        merged = c["image_side"] // c["patch_size"] // c["merge_size"]
        text = self.render(messages).replace(IMAGE_PLACEHOLDER, IMAGE_PLACEHOLDER * (merged * merged), 1)
        ids = np.asarray(self.tokenizer.encode(text, add_special_tokens=False).ids, dtype=np.int64)
        image = np.flatnonzero(ids == c["special_tokens"][IMAGE_PLACEHOLDER])
        if len(image) != merged * merged:
            raise BackendError(f"{self.folder}: the chat template did not place exactly one image ({len(image)} image tokens)")
        start = int(image[0])
        positions = np.empty((3, len(ids)), dtype=np.int64)
        positions[:, :start] = np.arange(start)
        rows, cols = np.divmod(np.arange(merged * merged), merged)
        positions[0, image] = start
        positions[1, image] = start + rows
        positions[2, image] = start + cols
        after = len(ids) - start - len(image)
        positions[:, start + len(image):] = start + merged + np.arange(after)
        return ids, positions, merged

    def generate(self, image: PreparedImage, messages: list[dict[str, Any]], n: int, options: SamplingOptions) -> list[Generation]:
        c = self.config
        t0 = time.perf_counter()
        features = self.vision.run(None, {"pixel_values": self.pixel_values(image)})[0]
        t1 = time.perf_counter()
        ids, positions, _ = self.prompt(messages)
        embeds = np.asarray(self.embeddings[ids], dtype=np.float32)
        embeds[ids == c["special_tokens"][IMAGE_PLACEHOLDER]] = features
        empty = np.zeros((1, c["kv_heads"], 0, c["head_dim"]), dtype=np.float32)
        past_names = [f"past.{i}.{kind}" for i in range(c["n_layers"]) for kind in ("key", "value")]
        feeds = {"inputs_embeds": embeds[None], "position_ids": positions[:, None, :], **dict.fromkeys(past_names, empty)}
        outputs = self.decoder.run(None, feeds)
        prompt_cache = outputs[1:]
        prompt_logits = outputs[0][0, -1]
        t2 = time.perf_counter()
        next_position = int(positions.max()) + 1
        eos = set(c["eos_token_ids"])
        results = []
        for sample in range(max(1, n)):
            rng = np.random.default_rng(options.seed + sample)
            logits, cache, position = prompt_logits, prompt_cache, next_position
            tokens: list[int] = []
            finished = False
            t3 = time.perf_counter()
            for _ in range(options.max_new_tokens):
                token = _choose(logits, options, rng)
                if token in eos:
                    finished = True
                    break
                tokens.append(token)
                feeds = {"inputs_embeds": np.asarray(self.embeddings[[token]], dtype=np.float32)[None],
                         "position_ids": np.full((3, 1, 1), position, dtype=np.int64), **dict(zip(past_names, cache, strict=True))}
                outputs = self.decoder.run(None, feeds)
                logits, cache, position = outputs[0][0, -1], outputs[1:], position + 1
            text = self.tokenizer.decode(tokens, skip_special_tokens=True)
            timings = {"image": t1 - t0, "prompt": t2 - t1, "generate": time.perf_counter() - t3}
            results.append(Generation(text, tokens, finished, timings, len(ids), 0))
        return results

    def close(self) -> None:
        self.vision = self.decoder = None


def _choose(logits: np.ndarray, options: SamplingOptions, rng: np.random.Generator) -> int:
    """Greedy, or llama.cpp's sampler order: top-k, then top-p on the untempered distribution, then temperature."""
    if options.temperature == 0:
        return int(np.argmax(logits))
    values = logits.astype(np.float64)
    top = np.argsort(values)[::-1][: options.top_k] if options.top_k > 0 else np.argsort(values)[::-1]
    probs = np.exp(values[top] - values[top].max())
    probs /= probs.sum()
    keep = max(1, int(np.searchsorted(np.cumsum(probs), options.top_p) + 1))  # the smallest set reaching top_p
    top = top[:keep]
    scaled = values[top] / options.temperature
    probs = np.exp(scaled - scaled.max())
    probs /= probs.sum()
    return int(top[rng.choice(len(top), p=probs)])


def load(folder: Path) -> OnnxBackend:
    return OnnxBackend(ModelManifest.load(folder))
