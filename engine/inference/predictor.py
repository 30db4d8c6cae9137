"""Photo -> located answer: prompt the model, parse its Chain of Region, check it with the geocoder,
pool several samples, and say how far to trust it.

Confidence (0..1) is a heuristic until a trained model's calibration data exists: it combines
whether the answer parsed, whether the regions the model named contain its own coordinates
(country 0.5, state 0.3, city 0.2; a level left Unknown counts half) and, with k samples, the share
that parsed and their spread (radius: the distance from their geometric median within which two
thirds of them lie; the score is multiplied by exp(-radius / 750 km)). Answers under ``review_below`` are
marked for review and the tagging job never writes them silently.
"""

from __future__ import annotations

import math
import time
from dataclasses import KW_ONLY, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from geor.engine.cor import CURRENT_PROMPT_VERSION, CorAnswer, CorParseFailure, chat_messages, parse_answer
from geor.engine.errors import BadOption
from geor.engine.geo import geometric_median, haversine_km
from geor.engine.geo.geocoder import Geocoder, Place

from .agreement import LevelCheck, check_levels
from .backend import Backend, BackendError, SamplingOptions
from .images import DEFAULT_MAX_SIDE, ImageError, PreparedImage, load_image

LEVEL_WEIGHTS = {"country": 0.5, "state": 0.3, "city": 0.2}
SPREAD_SCALE_KM = 750.0
DEFAULT_REVIEW_BELOW = 0.5


@dataclass
class Sample:
    text: str
    answer: CorAnswer | None
    failure: str | None  # parse failure reason
    finished: bool


@dataclass
class Prediction:
    """One photo's answer: ``Prediction(path, status)`` positionally, the rest by name."""

    path: Path | None
    status: str  # "ok", "unparsed" (the model answered but not in the format), "error" (image or runtime)
    _: KW_ONLY
    lat: float | None = None
    lon: float | None = None
    country: str | None = None
    state: str | None = None
    city: str | None = None
    confidence: float = 0.0
    radius_km: float | None = None  # spread of the samples (k > 1)
    needs_review: bool = True
    reason: str = ""
    checks: list[LevelCheck] = field(default_factory=list)
    place: Place | None = None  # what the geocoder has at (lat, lon)
    samples: list[Sample] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def chain(self) -> str:
        """The answer as the readable chain ``Country > State > City``."""
        return " > ".join(x or "?" for x in (self.country, self.state, self.city))

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path) if self.path else None, "status": self.status, "lat": self.lat, "lon": self.lon,
            "country": self.country, "state": self.state, "city": self.city, "confidence": round(self.confidence, 4),
            "radius_km": None if self.radius_km is None else round(self.radius_km, 1), "needs_review": self.needs_review,
            "reason": self.reason,
            "checks": {c.level: {"claimed": c.claimed, "found": c.found, "agrees": c.agrees} for c in self.checks},
            "geocoded": None if self.place is None else {k: v for k, v in self.place.as_dict().items() if v is not None},
            "samples": [{"text": s.text, "parsed": s.answer is not None, "failure": s.failure, "finished": s.finished} for s in self.samples],
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
        }


@dataclass(frozen=True, kw_only=True)
class PredictOptions:
    samples: int = 1  # k answers; > 1 pools them (self-consistency)
    temperature: float | None = None  # None: 0 (greedy) for one sample, 0.7 for several
    max_new_tokens: int = 128
    seed: int = 0
    prompt_version: str = CURRENT_PROMPT_VERSION
    reasoning: bool = False
    review_below: float = DEFAULT_REVIEW_BELOW
    max_side: int = DEFAULT_MAX_SIDE
    max_pixels: int | None = 448 * 448

    def sampling(self) -> SamplingOptions:
        temperature = self.temperature if self.temperature is not None else (0.0 if self.samples <= 1 else 0.7)
        return SamplingOptions(max_new_tokens=self.max_new_tokens, temperature=temperature, seed=self.seed)


class Predictor:
    def __init__(self, backend: Backend, geocoder: Geocoder, options: PredictOptions | None = None) -> None:
        self.backend, self.geocoder = backend, geocoder
        self.options = options or PredictOptions()
        if self.options.samples < 1:
            raise BadOption("samples must be at least 1")
        self.messages = chat_messages(self.options.prompt_version, self.options.reasoning)

    def predict_path(self, path: Path) -> Prediction:
        """Never raises for a bad photo or a bad answer: those become a result with a reason."""
        t0 = time.perf_counter()
        try:
            image = load_image(path, self.options.max_side, self.options.max_pixels)
        except ImageError as exc:
            return Prediction(path=Path(path), status="error", reason=str(exc))
        prediction = self.predict_image(image)
        prediction.timings["load"] = time.perf_counter() - t0 - prediction.timings.get("model", 0.0) - prediction.timings.get("check", 0.0)
        return prediction

    def predict_image(self, image: PreparedImage) -> Prediction:
        t0 = time.perf_counter()
        try:
            generations = self.backend.generate(image, self.messages, self.options.samples, self.options.sampling())
        except BackendError as exc:
            return Prediction(path=image.path, status="error", reason=str(exc))
        t1 = time.perf_counter()
        samples = []
        for generation in generations:
            parsed = parse_answer(generation.text)
            if isinstance(parsed, CorParseFailure):
                failure = parsed.reason.value if generation.finished else f"{parsed.reason.value} (cut off at {len(generation.tokens)} tokens)"
                samples.append(Sample(generation.text, None, failure, generation.finished))
            else:
                samples.append(Sample(generation.text, parsed, None, generation.finished))
        prediction = self._conclude(image.path, samples)
        prediction.timings.update({k: v for k, v in generations[0].timings.items()})
        prediction.timings["model"] = t1 - t0
        prediction.timings["check"] = time.perf_counter() - t1
        return prediction

    def _conclude(self, path: Path | None, samples: list[Sample]) -> Prediction:
        answers = [s.answer for s in samples if s.answer is not None]
        if not answers:
            reasons = sorted({s.failure or "" for s in samples})
            return Prediction(path=path, status="unparsed", samples=samples, reason="no usable answer: " + ", ".join(reasons))
        points = np.array([[a.lat, a.lon] for a in answers])
        radius = None
        if len(answers) > 1:
            median = geometric_median(points)
            lat, lon = float(median.lat), float(median.lon)
            distances = haversine_km(points[:, 0], points[:, 1], lat, lon)
            radius = float(np.percentile(distances, 68))  # a one-sigma-like radius, not fooled by one agreeing pair
            chosen = answers[int(np.argmin(distances))]  # the sample nearest the pooled point names the regions
        else:
            chosen = answers[0]
            lat, lon = chosen.lat, chosen.lon
        place = self.geocoder.lookup(lat, lon)
        checks = check_levels(chosen.country, chosen.state, chosen.city, place)
        score = sum(LEVEL_WEIGHTS[c.level] * (1.0 if c.agrees else 0.5 if c.agrees is None else 0.0) for c in checks)
        if len(samples) > 1:
            score *= len(answers) / len(samples) * math.exp(-(radius or 0.0) / SPREAD_SCALE_KM)
        disagreements = [c.level for c in checks if c.agrees is False]
        review = score < self.options.review_below
        reason = ""
        if disagreements:
            reason = "the coordinates are not in the named " + " / ".join(disagreements)
        elif review:
            reason = "low confidence"
        return Prediction(path=path, status="ok", lat=lat, lon=lon, country=chosen.country, state=chosen.state, city=chosen.city,
                          confidence=score, radius_km=radius, needs_review=review, reason=reason, checks=checks, place=place,
                          samples=samples)
