"""The model as a location source: the last resort for photos that neither their own GPS, a GPX
track nor a GPS-tagged neighbour could place.

The model is asked once per *scene* (scenes.py: one camera's photos close in time that look
alike), about up to ``per_scene`` of its most distinct photos; their answers are pooled
(confidence-weighted geometric median) and every photo of the scene gets the pooled decision,
which says how many photos it rests on and how far their answers lie apart. ``per_scene`` 0 asks
about every photo on its own.

Each answer is stored in the job store as soon as it exists, so an interrupted job resumes without
asking the model again. Answers the predictor marks for review (low confidence, or regions that do
not contain the coordinates) become decisions that are never written without a human.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from geor.engine.geo import geometric_median, haversine_km
from geor.engine.inference.model_request import DEFAULT_PER_SCENE
from geor.engine.paths import printable
from geor.engine.placement import Decision, PhotoRecord, Scene, group_scenes, stored_fingerprints

from .jobstore import JobStore, Position
from .vocabulary import PROPOSED_STAGES, SCENE_WORDS, Source, Stage, Step

SPREAD_SCALE_KM = 750.0
#: A single answer's radius by the finest region it names: the evaluation's city, region and country
#: thresholds (25, 200, 750 km), the distances within which such an answer usually lies.
LEVEL_RADIUS_KM = {"city": 25.0, "state": 200.0, "country": 750.0}

Answer = dict[str, Any]  # Prediction.as_dict()
ASKABLE_STAGES = (*PROPOSED_STAGES, Stage.UNPLACED)
ALONE_WORDS = "asked about this photo alone"
_ASKED_ALONE_KEY = "model_asked_alone"  # job store: the photos a person had asked about on their own


def asked_alone(store: JobStore) -> set[int]:
    """The photos a person asked the model about on their own (ask_alone); their own answer stays
    their proposal when the job decides again."""
    value = store.get(_ASKED_ALONE_KEY)
    return set(json.loads(value)) if value else set()


def _radius_m(answer: Answer) -> float:
    level = "city" if answer.get("city") else "state" if answer.get("state") else "country"
    return 1000.0 * max(LEVEL_RADIUS_KM[level], answer.get("radius_km") or 0.0)


def _chain(answer: Answer) -> str:
    return " > ".join(x or "?" for x in (answer["country"], answer["state"], answer["city"]))


def _km(distance: float) -> str:
    return f"{distance:.1f} km" if distance < 10 else f"{distance:,.0f} km"


def answer_decision(answer: Answer, scope: str = "") -> Decision:
    """The decision one usable answer gives; ``scope``: words on which photos it rests on."""
    note = f"model: {_chain(answer)}" + (f"; {scope}" if scope else "") + (f"; {answer['reason']}" if answer["reason"] else "")
    return Decision(source=Source.MODEL, lat=answer["lat"], lon=answer["lon"], altitude_m=None, confidence=answer["confidence"],
                    note=note, review=answer["needs_review"], radius_m=_radius_m(answer))


def pooled_decision(answers: list[Answer], members: int, review_below: float) -> Decision:
    """One decision from two or more usable answers about one scene of ``members`` photos."""
    points = np.array([[a["lat"], a["lon"]] for a in answers])
    weights = np.array([max(a["confidence"], 1e-3) for a in answers])
    median = geometric_median(points, weights)
    lat, lon = float(median.lat), float(median.lon)
    distances = haversine_km(points[:, 0], points[:, 1], lat, lon)
    spread = float(np.median(distances))
    confidence = float(np.median(weights)) * math.exp(-spread / SPREAD_SCALE_KM)
    nearest = answers[int(np.argmin(distances))]  # the answer nearest the pooled point names the regions
    note = f"model: {_chain(nearest)}; pooled over {len(answers)} of {members} {SCENE_WORDS}; spread {_km(spread)}"
    return Decision(source=Source.MODEL, lat=lat, lon=lon, altitude_m=None, confidence=confidence, note=note,
                    review=confidence < review_below or bool(nearest["needs_review"]),
                    radius_m=max(spread * 1000, min(_radius_m(a) for a in answers)))


class ModelSource:
    name = Source.MODEL
    only_unplaced = True

    def __init__(self, predictor: Any, model_id: str, store: JobStore | None = None, *, per_scene: int = DEFAULT_PER_SCENE,
                 window: dt.timedelta = dt.timedelta(minutes=10), progress: Callable[[str, int, int], None] | None = None) -> None:
        self.predictor, self.model_id, self.store = predictor, model_id, store
        self.per_scene, self.window = per_scene, window
        self.progress = progress or (lambda stage, done, total: None)
        self.notes: dict[int, str] = {}
        self.scenes: list[Scene] = []  # of the last locate(), for reports and benchmarks

    def answer(self, photo: PhotoRecord) -> Answer:
        """The model's answer about one photo: from the job store when it was asked before."""
        if self.store is not None:
            cached = self.store.prediction(photo.id, self.model_id)
            if cached is not None:
                return cached
        data: Answer = self.predictor.predict_path(photo.path).as_dict()
        for sample in data.get("samples", []):  # a runaway answer need not fill the job store
            sample["text"] = sample["text"][:2000]
        if self.store is not None:
            self.store.save_prediction(photo.id, self.model_id, data)
        return data

    def _fingerprints(self, photos: list[PhotoRecord]) -> dict[int, int | None]:
        return stored_fingerprints(self.store, {p.id: p.path for p in photos}, lambda done, total: self.progress(Step.SCENES, done, total))

    def locate(self, photos: list[PhotoRecord]) -> dict[int, Decision]:
        by_id = {p.id: p for p in photos}
        hashes: dict[int, int | None] = {}
        if self.per_scene > 0 and len(photos) > 1:
            hashes = self._fingerprints(photos)
        self.scenes = group_scenes(photos, hashes, self.window, self.per_scene)
        asked = [photo_id for scene in self.scenes for photo_id in scene.asked]
        answers: dict[int, Answer] = {}
        for done, photo_id in enumerate(asked, start=1):
            answers[photo_id] = self.answer(by_id[photo_id])
            self.progress(Step.MODEL, done, len(asked))
        review_below = getattr(getattr(self.predictor, "options", None), "review_below", 0.5)
        decisions = {}
        for scene in self.scenes:
            usable = [answers[i] for i in scene.asked if answers[i]["status"] == "ok"]
            n = len(scene.members)
            if not usable:
                reasons = "; ".join(sorted({answers[i]["reason"] for i in scene.asked}))
                for photo_id in scene.members:
                    self.notes[photo_id] = f"model: {reasons}" if scene.alone else \
                        f"model: no usable answer about the {len(scene.asked)} of {n} {SCENE_WORDS} asked: {reasons}"
                continue
            if scene.alone:
                decision = answer_decision(usable[0])
            elif len(usable) == 1:
                failed = len(scene.asked) - 1
                decision = answer_decision(usable[0], f"from 1 of {n} {SCENE_WORDS}" + (f" ({failed} more asked, no usable answer)" if failed else ""))
            else:
                decision = pooled_decision(usable, n, review_below)
            for photo_id in scene.members:
                decisions[photo_id] = decision
        if self.store is not None:  # a person's "ask about this photo" outlives deciding again
            for photo_id in asked_alone(self.store) & by_id.keys():
                own = self.answer(by_id[photo_id])  # from the job store
                if own["status"] == "ok":
                    decisions[photo_id] = answer_decision(own, ALONE_WORDS)
        return decisions


@dataclass(frozen=True, kw_only=True)
class AskSummary:
    placed: int  # photos with the model's own answer as their new proposal
    failures: list[str]  # "NAME: reason" of the photos it gave no usable answer about
    skipped: int  # photos with their own GPS, a written position or a person's verdict: not asked


def ask_alone(store: JobStore, photo_ids: list[int], predictor: Any, model_id: str,
              place_names: Callable[[list[tuple[float, float]]], list[dict[str, str | None]]] | None = None) -> AskSummary:
    """Ask the model about each photo on its own (the desktop's "Ask the Model About This Photo"),
    whatever its scene's pooled answer was. Its own answer (from the job store when it was one of
    the scene's representatives) becomes its proposal, for review like any other model answer.
    Photos with their own GPS, written ones and those a person has reviewed are left as they are."""
    source = ModelSource(predictor, model_id, store, per_scene=0)
    min_confidence = store.options().min_confidence
    rows = {row.id: row for row in store.photos()}
    placed, failures, skipped = 0, [], 0
    for photo_id in photo_ids:
        row = rows[photo_id]
        if row.stage not in ASKABLE_STAGES or row.verdict is not None or row.source == Source.MANUAL or row.gps_lat is not None:
            skipped += 1
            continue
        path = store.path_of(row)
        answer = source.answer(PhotoRecord(id=photo_id, path=path, taken_at=None, utc_offset=None, camera="", gps=None))
        if answer["status"] != "ok":
            failures.append(f"{printable(path.name)}: {answer['reason']}")
            continue
        decision = answer_decision(answer, ALONE_WORDS)
        confident = decision.confidence >= min_confidence and not decision.review
        names = place_names([(decision.lat, decision.lon)])[0] if place_names is not None else {}
        with store.transaction():
            store.record_position(photo_id, Position(
                stage=Stage.DECIDED if confident else Stage.REVIEW, source=Source.MODEL, lat=decision.lat, lon=decision.lon, gps_alt=None,
                confidence=round(decision.confidence, 3), radius_m=decision.radius_m, evidence=decision.note,
                message=decision.note if confident else f"{decision.note}: review before writing"), names=names)
            store.set(_ASKED_ALONE_KEY, json.dumps(sorted(asked_alone(store) | {photo_id})))
        placed += 1
    return AskSummary(placed=placed, failures=failures, skipped=skipped)
