"""Does the exported model say what the checkpoint says? Both run greedy on the same photos with
the same prompt, through the engine's own backends; the report gives, per photo and overall, how
many generated tokens agree position by position, and whether the whole answer is the same."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from geor.engine.cor import chat_messages
from geor.engine.inference.backend import SamplingOptions
from geor.engine.inference.images import PreparedImage, from_pil, load_image


@dataclass(frozen=True)
class Agreement:
    photos: int
    token_agreement: float  # share of the source's generated tokens reproduced at the same position
    identical: int  # photos whose whole generated token sequence is the same
    first_difference: list[int | None]  # per photo: index of the first differing token, None if identical

    def as_dict(self) -> dict[str, Any]:
        return {"photos": self.photos, "token_agreement": round(self.token_agreement, 4), "identical": self.identical,
                "first_difference": self.first_difference}


def verification_images(count: int = 4, side: int = 224, seed: int = 0) -> list[PreparedImage]:
    """Deterministic pictures with structure (gradients, blocks, noise) when the user gives no photos."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    images = []
    y, x = np.mgrid[0:side, 0:side] / side
    for i in range(count):
        base = np.stack([x, y, (x + y) / 2], axis=-1) * rng.uniform(0.3, 1.0, 3)
        blocks = rng.random((8, 8, 3)).repeat(side // 8, 0).repeat(side // 8, 1)
        pixels = (0.6 * base + 0.3 * blocks + 0.1 * rng.random((side, side, 3))) * 255
        images.append(from_pil(Image.fromarray(pixels.astype(np.uint8)), Path(f"verification-{i}.png")))
    return images


def compare(source: list[list[int]], exported: list[list[int]]) -> Agreement:
    matched = total = identical = 0
    first: list[int | None] = []
    for a, b in zip(source, exported, strict=True):
        same = [x == y for x, y in zip(a, b, strict=False)]  # tokens past the shorter sequence count as mismatches (total)
        matched += sum(same)
        total += max(len(a), 1)
        identical += int(a == b)
        first.append(None if a == b else next((i for i, s in enumerate(same) if not s), min(len(a), len(b))))
    return Agreement(len(source), matched / total if total else 1.0, identical, first)


def generate_tokens(model: Path | str, images: list[PreparedImage], prompt_version: str, max_new_tokens: int,
                    threads: int | None = None) -> list[list[int]]:
    from geor.engine.inference.loader import open_backend, resolve

    backend = open_backend(resolve(model), threads=threads)
    try:
        messages = chat_messages(prompt_version)
        options = SamplingOptions(max_new_tokens=max_new_tokens, temperature=0.0)
        return [backend.generate(image, messages, 1, options)[0].tokens for image in images]
    finally:
        backend.close()


def verify_export(checkpoint: Path, exported: Path, prompt_version: str, photos: list[Path] | None = None,
                  max_pixels: int | None = None, max_new_tokens: int = 48, threads: int | None = None) -> Agreement:
    images = [load_image(p, max_pixels=max_pixels) for p in photos] if photos else verification_images()
    if not photos and max_pixels:
        from PIL import Image

        side = int(max_pixels ** 0.5)
        images = [from_pil(image.to_pil().resize((side, side), Image.Resampling.BICUBIC), image.path) for image in images]
    reference = generate_tokens(checkpoint, images, prompt_version, max_new_tokens, threads)
    candidate = generate_tokens(exported, images, prompt_version, max_new_tokens, threads)
    return compare(reference, candidate)
