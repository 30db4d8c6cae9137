"""GRPO rewards, each a plain function TRL can call: ``f(completions, **columns) -> list[float]``.

TRL passes the dataset's other columns as keyword lists; Geo-R's GRPO rows carry the truth as
``lat``, ``lon`` and the truth's chain as ``country``, ``state``, ``city`` (None where the
geocoder has no name). Completions are message lists (conversational prompts) or plain strings.

* :func:`format_reward`: the completion parses as a Chain of Region with exactly one (lat, lon) pair.
* :func:`coordinate_reward`: the paper's piecewise-linear reward of the Haversine distance d,
  1 - 0.5 d/750 up to 750 km, 0.5 - 0.3 (d - 750)/1750 up to 2,500 km, 0.2 - 0.2 (d - 2500)/17500
  beyond (0 at the antipode), times the format reward (the text of the paper, not its code).
* :func:`dense_coordinate_reward`: the mean of exp(-d / tau) over tau = 1, 25, 200, 750, 2,500 km,
  times the format reward: it still tells 2 km from 20 km apart, where the paper's reward is flat.
* :func:`region_reward`: the share of the truth's known levels (country, state, city) named right.
* :func:`make_consistency_reward`: the share of the named levels that contain the predicted
  coordinates, by the geocoder (is the answer coherent with itself?).

TRL logs each function under its ``__name__`` (``rewards/coordinate_reward/mean``, ...).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from geor.engine.cor import CorAnswer, parse_answer
from geor.engine.errors import BadOption
from geor.engine.geo import THRESHOLDS_KM, haversine_km
from geor.engine.inference.agreement import check_levels, same_name

RewardFunction = Callable[..., list[float]]
DENSE_SCALES_KM = tuple(THRESHOLDS_KM)  # 1, 25, 200, 750, 2500


def completion_text(completion: Any) -> str:
    """The generated text of one completion: a string, or the content of its last message."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list) and completion:
        content = completion[-1].get("content", "") if isinstance(completion[-1], dict) else ""
        if isinstance(content, list):
            return "".join(part.get("text", "") or "" for part in content if isinstance(part, dict))
        return content if isinstance(content, str) else ""
    return ""


def parsed_answers(completions: Sequence[Any]) -> list[CorAnswer | None]:
    """Each completion's answer, or None when it has no usable coordinates."""
    out = []
    for completion in completions:
        result = parse_answer(completion_text(completion))
        out.append(result if isinstance(result, CorAnswer) else None)
    return out


def _format_ok(answer: CorAnswer | None) -> float:
    return 1.0 if answer is not None and answer.coordinate_pairs == 1 else 0.0


def paper_distance_reward(distance_km: float | np.ndarray) -> np.ndarray:
    """The paper's piecewise-linear reward of a distance (NaN -> 0)."""
    d = np.asarray(distance_km, dtype=np.float64)
    r = np.where(d <= 750.0, 1.0 - 0.5 * d / 750.0,
                 np.where(d <= 2500.0, 0.5 - 0.3 * (d - 750.0) / 1750.0, 0.2 - 0.2 * (d - 2500.0) / 17500.0))
    return np.where(np.isnan(d), 0.0, np.clip(r, 0.0, 1.0))


def dense_distance_reward(distance_km: float | np.ndarray, scales_km: Sequence[float] = DENSE_SCALES_KM) -> np.ndarray:
    d = np.asarray(distance_km, dtype=np.float64)
    r = np.mean([np.exp(-d / tau) for tau in scales_km], axis=0)
    return np.where(np.isnan(d), 0.0, r)


def _distances(answers: list[CorAnswer | None], lat: Sequence[float], lon: Sequence[float]) -> np.ndarray:
    guess = np.array([(a.lat, a.lon) if a is not None else (math.nan, math.nan) for a in answers], dtype=np.float64).reshape(-1, 2)
    return np.asarray(haversine_km(guess[:, 0], guess[:, 1], np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)))


def format_reward(completions: Sequence[Any], **_: Any) -> list[float]:
    return [_format_ok(a) for a in parsed_answers(completions)]


def coordinate_reward(completions: Sequence[Any], lat: Sequence[float], lon: Sequence[float], **_: Any) -> list[float]:
    answers = parsed_answers(completions)
    rewards = paper_distance_reward(_distances(answers, lat, lon))
    return [float(r) * _format_ok(a) for r, a in zip(rewards, answers, strict=True)]


def dense_coordinate_reward(completions: Sequence[Any], lat: Sequence[float], lon: Sequence[float], **_: Any) -> list[float]:
    answers = parsed_answers(completions)
    rewards = dense_distance_reward(_distances(answers, lat, lon))
    return [float(r) * _format_ok(a) for r, a in zip(rewards, answers, strict=True)]


def region_reward(completions: Sequence[Any], country: Sequence[str | None], state: Sequence[str | None],
                  city: Sequence[str | None], **_: Any) -> list[float]:
    out = []
    for completion, truth in zip(completions, zip(country, state, city, strict=True), strict=True):
        result = parse_answer(completion_text(completion))
        claimed = (result.country, result.state, result.city)
        levels = [(c, t) for c, t in zip(claimed, truth, strict=True) if t]
        if not levels:
            out.append(0.0)
            continue
        out.append(sum(1.0 for c, t in levels if c and same_name(c, t)) / len(levels))
    return out


def make_consistency_reward(geocoder: Any) -> RewardFunction:
    """A reward for how many of the named levels contain the predicted coordinates (0 if unparsed)."""

    def consistency_reward(completions: Sequence[Any], **_: Any) -> list[float]:
        answers = parsed_answers(completions)
        out = []
        for answer in answers:
            if answer is None:
                out.append(0.0)
                continue
            checks = check_levels(answer.country, answer.state, answer.city, geocoder.lookup(answer.lat, answer.lon))
            out.append(sum(1.0 for c in checks if c.agrees) / len(checks))
        return out

    return consistency_reward


#: Reward names a config may weight.
REWARD_NAMES = ("format", "coordinate", "dense_coordinate", "region", "consistency")


def reward_functions(weights: dict[str, float], geocoder: Any = None) -> tuple[list[RewardFunction], list[float]]:
    """The functions and weights for TRL's GRPOTrainer from a ``{name: weight}`` mapping."""
    unknown = sorted(set(weights) - set(REWARD_NAMES))
    if unknown:
        raise BadOption(f"unknown reward {unknown[0]!r}; known: {', '.join(REWARD_NAMES)}")
    if not weights:
        raise BadOption("GRPO needs at least one reward")
    functions: list[RewardFunction] = []
    for name in weights:
        if name == "consistency":
            if geocoder is None:
                raise BadOption("the consistency reward needs the geocoder")
            functions.append(make_consistency_reward(geocoder))
        else:
            plain: dict[str, RewardFunction] = {"format": format_reward, "coordinate": coordinate_reward,
                                                "dense_coordinate": dense_coordinate_reward, "region": region_reward}
            functions.append(plain[name])
    return functions, [float(w) for w in weights.values()]


__all__ = [
    "REWARD_NAMES", "completion_text", "coordinate_reward", "dense_coordinate_reward", "dense_distance_reward",
    "format_reward", "make_consistency_reward", "paper_distance_reward", "region_reward", "reward_functions",
]
