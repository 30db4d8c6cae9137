"""The model as a location source: the last resort for photos that neither their own GPS, a GPX
track nor a GPS-tagged neighbour could place.

Each answer is stored in the job store as soon as it exists, so an interrupted job resumes without
asking the model again. Answers the predictor marks for review (low confidence, or regions that do
not contain the coordinates) become decisions that are never written without a human. With
``pool_events``, photos of the same folder and camera taken in one burst (each within ``window`` of
the previous one) are one event: their answers are pooled (confidence-weighted geometric median)
and every photo of the event gets the pooled position.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from geor.engine.geo import geometric_median, haversine_km

from .jobstore import JobStore
from .sources import Decision, PhotoRecord
from .vocabulary import Source, Step

SPREAD_SCALE_KM = 750.0
#: A single answer's radius by the finest region it names: the evaluation's city, region and country
#: thresholds (25, 200, 750 km), the distances within which such an answer usually lies.
LEVEL_RADIUS_KM = {"city": 25.0, "state": 200.0, "country": 750.0}


def _radius_m(answer: dict[str, Any]) -> float:
    level = "city" if answer.get("city") else "state" if answer.get("state") else "country"
    return 1000.0 * max(LEVEL_RADIUS_KM[level], answer.get("radius_km") or 0.0)


def _taken_at(photo: PhotoRecord) -> dt.datetime:
    assert photo.taken_at is not None  # only photos with a time are pooled
    return photo.taken_at


class ModelSource:
    name = Source.MODEL
    only_unplaced = True

    def __init__(self, predictor: Any, model_id: str, store: JobStore | None = None, pool_events: bool = False,
                 window: dt.timedelta = dt.timedelta(minutes=10), progress: Callable[[str, int, int], None] | None = None) -> None:
        self.predictor, self.model_id, self.store = predictor, model_id, store
        self.pool_events, self.window = pool_events, window
        self.progress = progress or (lambda stage, done, total: None)
        self.notes: dict[int, str] = {}

    def _answer(self, photo: PhotoRecord) -> dict[str, Any]:
        if self.store is not None:
            cached = self.store.prediction(photo.id, self.model_id)
            if cached is not None:
                return cached
        data: dict[str, Any] = self.predictor.predict_path(photo.path).as_dict()
        for sample in data.get("samples", []):  # a runaway answer need not fill the job store
            sample["text"] = sample["text"][:2000]
        if self.store is not None:
            self.store.save_prediction(photo.id, self.model_id, data)
        return data

    def locate(self, photos: list[PhotoRecord]) -> dict[int, Decision]:
        answers: dict[int, dict[str, Any]] = {}
        for done, photo in enumerate(photos, start=1):
            answers[photo.id] = self._answer(photo)
            self.progress(Step.MODEL, done, len(photos))
        decisions = {}
        for photo in photos:
            answer = answers[photo.id]
            if answer["status"] != "ok":
                self.notes[photo.id] = f"model: {answer['reason']}"
                continue
            chain = " > ".join(x or "?" for x in (answer["country"], answer["state"], answer["city"]))
            note = f"model: {chain}" + (f"; {answer['reason']}" if answer["reason"] else "")
            decisions[photo.id] = Decision(source=Source.MODEL, lat=answer["lat"], lon=answer["lon"], altitude_m=None,
                                           confidence=answer["confidence"], note=note, review=answer["needs_review"],
                                           radius_m=_radius_m(answer))
        if self.pool_events:
            decisions.update(self._pooled(photos, answers))
        return decisions

    def _pooled(self, photos: list[PhotoRecord], answers: dict[int, dict[str, Any]]) -> dict[int, Decision]:
        groups: dict[tuple[Path, str], list[PhotoRecord]] = defaultdict(list)
        for photo in photos:
            if photo.taken_at is not None:
                groups[(photo.path.parent, photo.camera)].append(photo)
        review_below = getattr(getattr(self.predictor, "options", None), "review_below", 0.5)
        decisions = {}
        for members in groups.values():
            members.sort(key=lambda p: (p.taken_at, p.id))
            event = [members[0]]
            for following in [*members[1:], None]:
                if following is not None and _taken_at(following) - _taken_at(event[-1]) <= self.window:
                    event.append(following)
                    continue
                placed = [p for p in event if answers[p.id]["status"] == "ok"]
                if len(event) >= 2 and len(placed) >= 2:
                    points = np.array([[answers[p.id]["lat"], answers[p.id]["lon"]] for p in placed])
                    weights = np.array([max(answers[p.id]["confidence"], 1e-3) for p in placed])
                    median = geometric_median(points, weights)
                    lat, lon = float(median.lat), float(median.lon)
                    radius = float(np.median(haversine_km(points[:, 0], points[:, 1], lat, lon)))
                    confidence = float(np.median(weights)) * math.exp(-radius / SPREAD_SCALE_KM)
                    note = f"model: pooled from {len(placed)} photos of one event (spread {radius:,.0f} km)"
                    for p in event:
                        decisions[p.id] = Decision(source=Source.MODEL, lat=lat, lon=lon, altitude_m=None, confidence=confidence, note=note,
                                                   review=confidence < review_below,
                                                   radius_m=max(radius * 1000, min(_radius_m(answers[x.id]) for x in placed)))
                        self.notes.pop(p.id, None)
                if following is not None:
                    event = [following]
        return decisions
