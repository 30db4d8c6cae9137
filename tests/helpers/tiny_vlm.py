"""Tiny real vision-language models for the tests, built offline.

``build`` writes a random-weight Qwen2.5-VL checkpoint (geor.training.random_models), optionally
teaches it one answer (a few dozen optimiser steps on "this photo is in Biei, Hokkaido"), and
converts it with llama.cpp's own converter to a GGUF model + vision projector, which
llama-cpp-python then really loads and runs. The taught model lets the tests see the whole path
(image -> llama.cpp -> Chain of Region -> parser -> geocoder check) produce a real answer; the
untrained one produces noise, which the engine must survive.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from geor.engine.cor import CorAnswer, render_answer

TAUGHT = CorAnswer("Japan", "Hokkaido", "Biei", 43.588, 142.467)
IMAGE_SIDE = 112
MAX_PIXELS = IMAGE_SIDE * IMAGE_SIDE  # the image budget of the tiny models (16 image tokens)
# shapes it is taught on (multiples of 28 pixels, within llama.cpp's minimum and the budget), so
# that photos of any aspect ratio get the same answer
SHAPES = ((112, 112), (84, 112), (112, 84), (140, 84), (84, 140), (56, 112), (112, 56))


@dataclass(frozen=True)
class TinyVlm:
    checkpoint: Path
    model: Path  # GGUF f16
    mmproj: Path  # GGUF f16


def teach(checkpoint: Path, answer: CorAnswer = TAUGHT, steps: int = 200) -> None:
    """Overfit the checkpoint to answer ``answer`` for any photo (plain PyTorch, a few seconds)."""
    import numpy as np
    import torch
    from PIL import Image
    from transformers import AutoModelForImageTextToText, AutoProcessor

    from geor.engine.cor import chat_messages

    processor = AutoProcessor.from_pretrained(checkpoint)
    model = AutoModelForImageTextToText.from_pretrained(checkpoint, dtype=torch.float32)
    prompt = processor.apply_chat_template(chat_messages(), add_generation_prompt=True, tokenize=False)
    target = render_answer(answer) + "<|im_end|>"
    optimiser = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.train()
    rng = np.random.default_rng(0)
    for _ in range(steps):
        width, height = SHAPES[rng.integers(len(SHAPES))]
        images = [Image.fromarray((rng.random((height, width, 3)) * 255).astype("uint8")) for _ in range(2)]
        batch = processor(text=[prompt + target] * 2, images=images, return_tensors="pt")
        prompt_length = processor(text=[prompt], images=images[:1], return_tensors="pt")["input_ids"].shape[1]
        labels = batch["input_ids"].clone()
        labels[:, :prompt_length] = -100
        loss = model(**batch, labels=labels).loss
        loss.backward()
        optimiser.step()
        optimiser.zero_grad()
    model.eval()
    model.save_pretrained(checkpoint, safe_serialization=True)


def build(folder: Path, taught: bool) -> TinyVlm:
    from geor.export.llama_cpp_converter import convert
    from geor.training.random_models import build_checkpoint

    checkpoint = build_checkpoint("qwen2.5-vl", folder / "checkpoint", image_side=IMAGE_SIDE)
    if taught:
        teach(checkpoint)
    model = convert(checkpoint, folder / "model-f16.gguf", "f16")
    mmproj = convert(checkpoint, folder / "mmproj-f16.gguf", "f16", mmproj=True)
    return TinyVlm(checkpoint, model, mmproj)
