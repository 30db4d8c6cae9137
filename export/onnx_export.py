"""Qwen2.5-VL / Qwen2-VL checkpoint -> ONNX files the engine's onnxruntime backend runs.

optimum has no exporter for these families, so the graphs are traced here with
``torch.onnx.export``:

- ``vision.onnx``: the vision tower + merger, traced for one fixed image size (its window-attention
  layout depends on the grid); the runtime resizes every photo to that size.
- ``decoder.onnx``: the text decoder with an explicit key/value cache (``past.i.key`` ->
  ``present.i.key``), written as a small traceable module over the checkpoint's own weights
  (RMSNorm, grouped-query attention with multimodal RoPE, SwiGLU MLP); :func:`check_decoder`
  compares it with transformers' forward before anything is written.
- ``embed_tokens.npy``: the token embedding matrix (a lookup needs no graph).
- ``tokenizer.json``, ``onnx_config.json`` (sizes, special tokens, preprocessing, chat template)
  and the manifest.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

from geor.engine.errors import UserError
from geor.engine.models.manifest import ModelManifest, file_entry

SUPPORTED = {"qwen2_5_vl": "qwen2.5-vl", "qwen2_vl": "qwen2-vl"}


class OnnxExportError(UserError, RuntimeError):
    pass


def _decoder_module(model: Any) -> Any:
    import torch
    from torch import nn

    text = model.model.language_model
    config = model.config.text_config
    heads, kv_heads = config.num_attention_heads, config.num_key_value_heads
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // heads
    sections = list(config.rope_parameters.get("mrope_section", [16, 24, 24]))
    lm_head = model.lm_head

    def rms(x: Any, norm: Any) -> Any:
        variance = x.pow(2).mean(-1, keepdim=True)
        return norm.weight * (x * torch.rsqrt(variance + norm.variance_epsilon))

    def rotate_half(x: Any) -> Any:
        half = x.shape[-1] // 2
        return torch.cat((-x[..., half:], x[..., :half]), dim=-1)

    class Decoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.text, self.lm_head = text, lm_head
            self.register_buffer("inv_freq", text.rotary_emb.inv_freq.detach().clone(), persistent=False)

        def forward(self, inputs_embeds: Any, position_ids: Any, *past: Any) -> tuple[Any, ...]:
            batch, length, _ = inputs_embeds.shape
            past_length = past[0].shape[2]
            freqs = position_ids[..., None].float() * self.inv_freq  # (3, B, T, hd/2)
            chunks = freqs.split(sections, dim=-1)
            freqs = torch.cat([chunk[i % 3] for i, chunk in enumerate(chunks)], dim=-1)  # (B, T, hd/2)
            emb = torch.cat((freqs, freqs), dim=-1)
            cos, sin = emb.cos()[:, None], emb.sin()[:, None]  # (B, 1, T, hd)
            query_pos = torch.arange(length, device=inputs_embeds.device)[:, None] + past_length
            key_pos = torch.arange(past_length + length, device=inputs_embeds.device)[None, :]
            mask = torch.where(key_pos > query_pos, torch.tensor(float("-inf")), torch.tensor(0.0))
            x = inputs_embeds
            presents = []
            for i, layer in enumerate(self.text.layers):
                attention = layer.self_attn
                h = rms(x, layer.input_layernorm)
                q = attention.q_proj(h).view(batch, length, heads, head_dim).transpose(1, 2)
                k = attention.k_proj(h).view(batch, length, kv_heads, head_dim).transpose(1, 2)
                v = attention.v_proj(h).view(batch, length, kv_heads, head_dim).transpose(1, 2)
                q = q * cos + rotate_half(q) * sin
                k = k * cos + rotate_half(k) * sin
                k = torch.cat((past[2 * i], k), dim=2)
                v = torch.cat((past[2 * i + 1], v), dim=2)
                presents += [k, v]
                repeat = heads // kv_heads
                keys = k.repeat_interleave(repeat, dim=1)
                values = v.repeat_interleave(repeat, dim=1)
                scores = q @ keys.transpose(2, 3) / math.sqrt(head_dim) + mask
                out = torch.softmax(scores.float(), dim=-1).to(q.dtype) @ values
                out = out.transpose(1, 2).reshape(batch, length, heads * head_dim)
                x = x + attention.o_proj(out)
                h = rms(x, layer.post_attention_layernorm)
                x = x + layer.mlp.down_proj(torch.nn.functional.silu(layer.mlp.gate_proj(h)) * layer.mlp.up_proj(h))
            x = rms(x[:, -1:], self.text.norm)  # only the last position's logits are ever needed
            return (self.lm_head(x), *presents)

    return Decoder().eval(), len(text.layers), kv_heads, head_dim


def check_decoder(model: Any, decoder: Any, n_layers: int, kv_heads: int, head_dim: int, vocab: int) -> float:
    """Largest |logit difference| between the traceable decoder and transformers' own forward."""
    import torch

    torch.manual_seed(0)
    length = 12
    ids = torch.randint(0, vocab, (1, length))
    embeds = model.model.language_model.embed_tokens(ids)
    positions = torch.arange(length)[None, None].expand(3, 1, length).clone()
    positions[1, 0, 3:7] += torch.tensor([0, 0, 1, 1])  # an image-like stretch with distinct h/w positions
    positions[2, 0, 3:7] += torch.tensor([0, 1, 0, 1])
    with torch.no_grad():
        reference = model(inputs_embeds=embeds, position_ids=positions, attention_mask=torch.ones(1, length, dtype=torch.long)).logits[:, -1:]
        empty = [torch.zeros(1, kv_heads, 0, head_dim) for _ in range(2 * n_layers)]
        ours = decoder(embeds, positions, *empty)[0]
        # the same sequence in two steps through the cache must agree too
        first = decoder(embeds[:, :-1], positions[:, :, :-1], *empty)
        second = decoder(embeds[:, -1:], positions[:, :, -1:], *first[1:])[0]
    return float(max((ours - reference).abs().max(), (second - reference).abs().max()))


def trace_vision(visual: Any, processor: Any, path: Path, image_side: int | None = None, opset: int = 17) -> dict[str, Any]:
    """Write the vision tower + merger (float32) as an ONNX graph for one image size (default: the
    processor's largest); returns the preprocessing the runtime must repeat (``onnx_config.json``'s
    vision keys)."""
    import torch

    images = processor.image_processor
    patch, merge, temporal = images.patch_size, images.merge_size, images.temporal_patch_size
    factor = patch * merge
    if image_side is None:
        longest = images.size.get("longest_edge") or images.max_pixels
        image_side = max(factor, int(math.sqrt(longest)) // factor * factor)
    if image_side % factor:
        raise OnnxExportError(f"image side {image_side} must be a multiple of {factor}")
    grid = torch.tensor([[1, image_side // patch, image_side // patch]])
    visual = visual.float().eval()

    class Vision(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.visual = visual

        def forward(self, pixel_values: Any) -> Any:
            return self.visual(pixel_values, grid_thw=grid).pooler_output

    pixels = torch.randn(int(grid.prod()), 3 * temporal * patch * patch)
    with torch.no_grad():
        expected = Vision()(pixels)
        torch.onnx.export(Vision(), (pixels,), str(path), input_names=["pixel_values"], output_names=["image_embeds"], opset_version=opset,
                          dynamo=False)
    return {"image_side": image_side, **_preprocessing(processor), "vision_check": {"max_abs": float(expected.abs().max())}}


def _preprocessing(processor: Any) -> dict[str, Any]:
    """What the runtime repeats of the processor's image preparation (engine/inference/onnx_vision.py)."""
    images = processor.image_processor
    return {"patch_size": images.patch_size, "merge_size": images.merge_size, "temporal_patch_size": images.temporal_patch_size,
            "image_mean": list(images.image_mean), "image_std": list(images.image_std), "rescale_factor": images.rescale_factor}


def trace_vision_any_size(visual: Any, processor: Any, path: Path, opset: int = 17) -> dict[str, Any]:
    """Write the vision tower + merger (float32) as an ONNX graph for images of any grid: the window
    attention's layout comes in as inputs (``onnx_vision.vision_inputs`` computes them in NumPy) and
    is applied as an additive mask, so one graph serves every aspect ratio. Returns the settings the
    runtime needs (``onnx_config.json``). Checked against transformers on two grids before writing."""
    import torch
    from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import apply_rotary_pos_emb_vision

    from geor.engine.inference.onnx_vision import vision_inputs

    visual = visual.float().eval()
    config = {**_preprocessing(processor), "window_size": visual.window_size, "any_size": True}
    full = set(visual.fullatt_block_indexes)

    class Vision(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.visual = visual

        def forward(self, pixel_values: Any, position_ids: Any, window_index: Any, window_mask: Any) -> Any:
            v = self.visual
            hidden = v.patch_embed(pixel_values)
            n, unit = hidden.shape[0], v.spatial_merge_unit

            def to_windows(x: Any) -> Any:
                return x.reshape(n // unit, unit, -1)[window_index].reshape(n, -1)

            hidden = to_windows(hidden)
            cos, sin = (to_windows(x) for x in v.rotary_pos_emb(hidden, position_ids))
            for index, block in enumerate(v.blocks):
                attn = block.attn
                q, k, values = attn.qkv(block.norm1(hidden)).reshape(n, 3, attn.num_heads, -1).permute(1, 0, 2, 3).unbind(0)
                q, k = apply_rotary_pos_emb_vision(q, k, cos, sin)
                scores = torch.matmul(q.transpose(0, 1), k.transpose(0, 1).transpose(1, 2)) * attn.scaling
                if index not in full:
                    scores = scores + window_mask
                weights = torch.softmax(scores.float(), dim=-1).to(q.dtype)
                out = torch.matmul(weights, values.transpose(0, 1)).transpose(0, 1).reshape(n, -1)
                hidden = hidden + attn.proj(out)
                hidden = hidden + block.mlp(block.norm2(hidden))
            return v.merger(hidden)[torch.argsort(window_index)]

    graph = Vision()
    patch, merge = config["patch_size"], config["merge_size"]
    worst = 0.0
    for grid in ((2 * merge * 3, 2 * merge * 4), (2 * merge * 4, 2 * merge * 3)):  # two aspect ratios, several windows each
        pixels = torch.randn(grid[0] * grid[1], 3 * config["temporal_patch_size"] * patch * patch)
        feeds = {k: torch.from_numpy(v) for k, v in vision_inputs(grid[0], grid[1], config).items()}
        with torch.no_grad():
            expected = visual(pixels, grid_thw=torch.tensor([[1, *grid]])).pooler_output
            got = graph(pixels, **feeds)
        worst = max(worst, float((got - expected).abs().max() / expected.abs().max()))
    if worst > 1e-4:
        raise OnnxExportError(f"the any-size vision graph differs from transformers by {worst:.1e} (relative)")
    with torch.no_grad():
        torch.onnx.export(graph, (pixels, *feeds.values()), str(path), input_names=["pixel_values", *feeds],
                          output_names=["image_embeds"], opset_version=opset, dynamo=False,
                          dynamic_axes={"pixel_values": {0: "patches"}, "position_ids": {0: "patches"}, "window_index": {0: "units"},
                                        "window_mask": {0: "patches", 1: "patches"}, "image_embeds": {0: "tokens"}})
    return config | {"vision_check": {"relative": worst}}


def export_onnx(checkpoint: Path, out: Path, image_side: int | None = None, opset: int = 17) -> ModelManifest:
    """Write the ONNX model folder ``out`` from ``checkpoint``; return its manifest."""
    import numpy as np
    import torch
    from transformers import AutoModelForImageTextToText, AutoProcessor

    checkpoint, out = Path(checkpoint), Path(out)
    config = json.loads((checkpoint / "config.json").read_text())
    family = SUPPORTED.get(config.get("model_type", ""))
    if family is None:
        raise OnnxExportError(f"{checkpoint}: ONNX export supports {', '.join(SUPPORTED.values())}, not {config.get('model_type')!r}")
    processor = AutoProcessor.from_pretrained(checkpoint)
    model = AutoModelForImageTextToText.from_pretrained(checkpoint, dtype=torch.float32, use_safetensors=True).eval()
    out.mkdir(parents=True, exist_ok=True)
    vision_config = trace_vision(model.model.visual, processor, out / "vision.onnx", image_side, opset)
    image_side = vision_config["image_side"]
    decoder, n_layers, kv_heads, head_dim = _decoder_module(model)
    vocab = model.config.text_config.vocab_size
    drift = check_decoder(model, decoder, n_layers, kv_heads, head_dim, vocab)
    if drift > 1e-3:
        raise OnnxExportError(f"{checkpoint}: the traceable decoder differs from transformers by {drift:.2e} in the logits")
    hidden = model.config.text_config.hidden_size
    past_names = [f"past.{i}.{kind}" for i in range(n_layers) for kind in ("key", "value")]
    present_names = [f"present.{i}.{kind}" for i in range(n_layers) for kind in ("key", "value")]
    sample = (torch.randn(1, 3, hidden), torch.zeros(3, 1, 3, dtype=torch.long),
              *[torch.zeros(1, kv_heads, 2, head_dim) for _ in past_names])
    axes = {"inputs_embeds": {1: "length"}, "position_ids": {2: "length"}}
    axes.update({name: {2: "past"} for name in past_names})
    axes.update({name: {2: "total"} for name in present_names})
    torch.onnx.export(decoder, sample, out / "decoder.onnx", input_names=["inputs_embeds", "position_ids", *past_names],
                      output_names=["logits", *present_names], dynamic_axes=axes, opset_version=opset, dynamo=False)
    np.save(out / "embed_tokens.npy", model.model.language_model.embed_tokens.weight.detach().numpy().astype(np.float32))
    shutil.copy(checkpoint / "tokenizer.json", out / "tokenizer.json")
    tokenizer = processor.tokenizer
    special = {name: tokenizer.convert_tokens_to_ids(name) for name in ("<|image_pad|>", "<|vision_start|>", "<|vision_end|>")}
    eos = sorted({i for i in (model.generation_config.eos_token_id if isinstance(model.generation_config.eos_token_id, list)
                              else [model.generation_config.eos_token_id]) if i is not None})
    onnx_config = {
        "family": family, **vision_config,
        "n_layers": n_layers, "kv_heads": kv_heads, "head_dim": head_dim, "hidden_size": hidden, "eos_token_ids": eos,
        "special_tokens": special, "chat_template": processor.chat_template or tokenizer.chat_template,
    }
    (out / "onnx_config.json").write_text(json.dumps(onnx_config, indent=2, ensure_ascii=False))
    files = {role: file_entry(out, name) for role, name in (
        ("vision", "vision.onnx"), ("decoder", "decoder.onnx"), ("embeddings", "embed_tokens.npy"),
        ("tokenizer", "tokenizer.json"), ("config", "onnx_config.json"))}
    manifest = ModelManifest(name=checkpoint.name, family=family, format="onnx", files=files, quantization="fp32",
                             image_max_pixels=image_side * image_side,
                             source={"checkpoint": str(checkpoint.resolve()), "decoder_check_max_abs": drift})
    manifest.save(out)
    return manifest

