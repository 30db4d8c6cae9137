"""A synthetic geolocation task whose answer is in the pixels: each of eight cities has a colour,
and a photo of a city is that colour under noise. A model that learns it places held-out photos
exactly; one that does not is thousands of km off. Tests, the demo and a first smoke test on a
new GPU box use it to prove a training pipeline really learns, in minutes, with no data download.

    write_task(folder, per_city=16)  # folder/photos/*.jpg + folder/train.csv (MP16 layout)

For reinforcement learning the task has an *ambiguous* labelling: half of each city's photos are
labelled with the position of the next city in the list (:func:`partner`). SFT on it learns the format and the pair but cannot tell the two cities apart (it names
either, about half the time right); only a reward computed from the true position can. That is the
starting point the learning test gives GRPO. (A start from shuffled labels, which teaches the
format alone, makes a tiny model stop looking at the image at all: measured, the image's effect on
the first answer token falls 50-fold, and GRPO does not revive it within a CPU test's budget.)
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

#: (name, lat, lon, RGB): far apart, on land, in different countries.
CITIES = (
    ("Paris", 48.8566, 2.3522, (220, 40, 40)),
    ("Tokyo", 35.6895, 139.6917, (40, 200, 40)),
    ("Nairobi", -1.2921, 36.8219, (40, 40, 220)),
    ("Sydney", -33.8688, 151.2093, (230, 220, 40)),
    ("Rio de Janeiro", -22.9068, -43.1729, (220, 40, 220)),
    ("Montreal", 45.5019, -73.5674, (40, 220, 220)),
    ("Mumbai", 19.076, 72.8777, (240, 140, 20)),
    ("San Francisco", 37.7749, -122.4194, (120, 60, 20)),
)
#: Photo sizes (width, height) of several aspect ratios.
SHAPES = ((112, 112), (140, 84), (84, 140), (112, 84))


def colour_photo(rgb: tuple[int, int, int], rng: np.random.Generator, size: tuple[int, int]) -> np.ndarray:
    width, height = size
    noise = rng.normal(0.0, 25.0, (height, width, 3))
    return np.clip(np.asarray(rgb, dtype=np.float64) + noise, 0, 255).astype(np.uint8)


def partner(city: int) -> int:
    """The city each one is confused with in the ambiguous labelling: the next one, in a ring, so
    that every colour has its own pair of candidates (red: Paris or Tokyo, green: Tokyo or Nairobi,
    ...) and the SFT model must keep telling every colour apart."""
    return (city + 1) % len(CITIES)


def write_task(folder: Path, per_city: int = 16, seed: int = 0, csv_name: str = "train.csv", ambiguous_csv: str | None = None) -> Path:
    """Write ``per_city`` photos of each city and a CSV listing them; returns the CSV's path.
    ``ambiguous_csv`` also writes the same photos with every other one labelled as its city's partner."""
    from PIL import Image

    folder = Path(folder)
    photos = folder / "photos"
    photos.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    rows, ambiguous = [], []
    for c, (_name, lat, lon, rgb) in enumerate(CITIES):
        for i in range(per_city):
            ident = f"c{c}_{seed}_{i:04d}.jpg"
            Image.fromarray(colour_photo(rgb, rng, SHAPES[i % len(SHAPES)])).save(photos / ident, quality=90)
            rows.append((ident, lat, lon))
            other = CITIES[partner(c)]
            ambiguous.append((ident, other[1], other[2]) if i % 2 else (ident, lat, lon))
    if ambiguous_csv:
        _write_csv(folder / ambiguous_csv, ambiguous)
    return _write_csv(folder / csv_name, rows)


def _write_csv(path: Path, rows: list[tuple[str, float, float]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["IMG_ID", "LAT", "LON"])
        writer.writerows(rows)
    return path


def _yaml(path: Path, text: str) -> Path:
    path.write_text(text.lstrip(), encoding="utf-8")
    return path


def _config(path: Path, comment: str, model: str, output_dir: str, train_csv: str, trainer: str, extra: str = "") -> Path:
    text = f"""# {comment}
model: {model}
output_dir: {output_dir}
image_max_pixels: 12544   # 112 x 112: 16 image tokens for the tiny model
dtype: float32
freeze_vision: false
data:
  train: [{{csv: {train_csv}, images: photos}}]
  eval: [{{csv: eval.csv, images: photos}}]
  dedup_km: 0     # the synthetic cities repeat exact positions on purpose
evaluation: {{max_new_tokens: 64}}
{extra}trainer: {trainer}
"""
    path.write_text(text, encoding="utf-8")
    return path


def write_starter(folder: Path, per_city: int = 24) -> list[Path]:
    """The synthetic task, a tiny random-weight Qwen2.5-VL and three configs that train it on a CPU
    in minutes: SFT; a short SFT on the ambiguous labelling; GRPO from the ambiguous model, on photos
    the SFT never saw (on its own training photos the SFT model has memorised which label each got,
    and confident answers leave GRPO's groups without a spread to learn from)."""
    from .random_models import build_checkpoint

    folder = Path(folder)
    train = write_task(folder, per_city=per_city, seed=0, csv_name="train.csv", ambiguous_csv="ambiguous.csv")
    held = write_task(folder, per_city=max(2, per_city // 4), seed=1, csv_name="eval.csv")
    fresh = write_task(folder, per_city=per_city, seed=2, csv_name="rl.csv")  # GRPO's photos: not seen in SFT
    base = build_checkpoint("qwen2.5-vl", folder / "base-model", image_side=112)
    # 2e-3 for 160 steps places every held-out photo from any of the ten seeds tried; 3e-3 for 120
    # (the first choice) did for some seeds only, and which ones changed with the CPU
    sft_trainer = "{max_steps: 160, per_device_train_batch_size: 8, learning_rate: 2.0e-3, lr_scheduler_type: constant, save_steps: 80}"
    # the ambiguous start takes the same recipe: 80 steps at 3e-3 left 37 % of held-out answers out of
    # format once the chains named municipalities (Shinjuku, Montréal); 160 at 2e-3 leaves none, and
    # GRPO from it lifts the held-out coordinate reward 0.33 -> 0.89
    ambiguous_trainer = "{max_steps: 160, per_device_train_batch_size: 8, learning_rate: 2.0e-3, lr_scheduler_type: constant, save_steps: 80}"
    return [
        train, folder / "ambiguous.csv", held, fresh, base,
        _config(folder / "sft.yaml", "SFT of the tiny model on the synthetic task: held-out error drops to about 0 km.",
                "base-model", "runs/sft", "train.csv", sft_trainer),
        _config(folder / "ambiguous-sft.yaml", "SFT on the ambiguous labels: the format and the pair of cities, not which of the two.",
                "base-model", "runs/ambiguous-sft", "ambiguous.csv", ambiguous_trainer),
        _config(folder / "grpo.yaml", "GRPO from the ambiguous model: the Haversine reward tells the two cities apart.",
                "runs/ambiguous-sft/final", "runs/grpo", "rl.csv",
                "{max_steps: 100, per_device_train_batch_size: 32, num_generations: 8, max_completion_length: 64,\n"
                "          learning_rate: 3.0e-4, lr_scheduler_type: constant, temperature: 0.5, save_steps: 50}",
                extra="rewards: {coordinate: 1.0, region: 1.0, format: 0.2}\n"),
    ]
