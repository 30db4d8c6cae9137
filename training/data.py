"""From a config's ``data`` section to supervised train and eval rows, with a summary of every
step (what each reader skipped, what the split and de-duplication dropped, how chains fell back)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from geor.engine.errors import BadInput

from .config import TrainConfig
from .samples import read_sources
from .splits import drop_near, split_samples
from .supervision import Supervised, supervise


@dataclass
class PreparedData:
    train: list[Supervised]
    eval: list[Supervised]
    summary: dict[str, Any] = field(default_factory=dict)


def open_geocoder(config: TrainConfig) -> Any:
    from geor.engine.geo.geocoder import Geocoder
    from geor.engine.geo.geocoder.default_location import default_pack_path

    return Geocoder(config.geocoder_pack or default_pack_path(progress=print))


def prepare(config: TrainConfig, geocoder: Any) -> PreparedData:
    settings = config.data
    if not settings.train:
        raise BadInput(f"{config.path}: data.train lists no dataset")
    train, reports = read_sources(settings.train)
    summary: dict[str, Any] = {"read": [r.summary() for r in reports]}
    if settings.eval:
        held, eval_reports = read_sources(settings.eval)
        summary["read"] += [r.summary() for r in eval_reports]
        train, dropped = drop_near(train, held, settings.dedup_km)
    else:
        split = split_samples(train, settings.eval_fraction, settings.seed, settings.dedup_km)
        train, held, dropped = split.train, split.eval, split.dropped_near_eval
    summary["dropped_near_eval"] = dropped
    rng = random.Random(settings.seed)
    if settings.max_train_samples is not None and len(train) > settings.max_train_samples:
        train = rng.sample(train, settings.max_train_samples)
    if settings.max_eval_samples is not None and len(held) > settings.max_eval_samples:
        held = rng.sample(held, settings.max_eval_samples)
    train_rows, train_fallbacks = supervise(train, geocoder, settings.city_km)
    eval_rows, _ = supervise(held, geocoder, settings.city_km)
    summary |= {"train": len(train_rows), "eval": len(eval_rows), "chain_fallbacks": dict(train_fallbacks)}
    return PreparedData(train_rows, eval_rows, summary)
