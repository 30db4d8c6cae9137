"""Deterministic train/eval splits, with geographic de-duplication.

A sample's split depends only on its id and the seed (a hash), never on file order, so adding
photos to a dataset does not move the old ones between splits. With ``dedup_km`` > 0, training
samples within that distance of any evaluation sample are dropped: photos of one place (the same
landmark, a burst of shots) cannot leak the answer from training into evaluation.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from geor.engine.errors import BadOption
from geor.engine.geo import nearest_k

from .samples import GeoSample


@dataclass(frozen=True)
class Split:
    train: list[GeoSample]
    eval: list[GeoSample]
    dropped_near_eval: int  # training samples removed by the geographic de-duplication


def hash_fraction(key: str, seed: int) -> float:
    """A stable number in [0, 1) for ``key``."""
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def split_samples(samples: list[GeoSample], eval_fraction: float, seed: int = 0, dedup_km: float = 0.0) -> Split:
    if not 0.0 <= eval_fraction < 1.0:
        raise BadOption(f"eval_fraction must be in [0, 1), got {eval_fraction}")
    if dedup_km < 0:
        raise BadOption(f"dedup_km must not be negative, got {dedup_km}")
    train: list[GeoSample] = []
    held: list[GeoSample] = []
    for sample in samples:
        (held if hash_fraction(sample.id, seed) < eval_fraction else train).append(sample)
    train, dropped = drop_near(train, held, dedup_km)
    return Split(train, held, dropped)


def drop_near(samples: list[GeoSample], others: list[GeoSample], km: float) -> tuple[list[GeoSample], int]:
    """``samples`` without those within ``km`` of any of ``others`` (and how many were dropped)."""
    if not samples or not others or km <= 0:
        return list(samples), 0
    _, distance = nearest_k([(s.lat, s.lon) for s in samples], [(s.lat, s.lon) for s in others], k=1)
    keep = np.asarray(distance[:, 0] > km)
    return [s for s, k in zip(samples, keep, strict=True) if k], int((~keep).sum())
