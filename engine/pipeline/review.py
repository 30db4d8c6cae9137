"""A person's review of a job's proposals, for any front end (the desktop app drives it).

A job run with ``dry_run`` proposes a position for each photo it can place and writes nothing.
Then, photo by photo or a selection at a time: accept or reject a proposal, place a photo by hand
(coordinates, a click on a map, a place name), or copy one photo's position to others. Writing
takes the accepted positions only (a person said yes to each) through the same safe, journaled
writer as ``geor tag``, as one batch; ``undo_last_write`` puts that batch back.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geor.engine.errors import BadInput
from geor.engine.paths import printable
from geor.engine.placement import camera_key

from .jobstore import JobStore, PhotoRow, Position
from .progress import Progress
from .undo import UndoSummary, undo_job
from .vocabulary import PROPOSED_STAGES, Source, Stage, Verdict
from .write_stage import write_rows

#: Stages whose position a person can accept and write.
VERDICTS = tuple(Verdict)
PlaceNames = Callable[[list[tuple[float, float]]], list[dict[str, str | None]]]


class ReviewError(BadInput):
    """A review action that cannot apply (no position to accept, an impossible coordinate)."""


@dataclass(frozen=True, kw_only=True)
class PhotoView:
    """One photo as a review screen shows it."""

    id: int
    path: Path
    relpath: str
    stage: str
    source: str | None
    lat: float | None
    lon: float | None
    confidence: float | None
    city: str | None
    state: str | None
    country: str | None
    message: str | None
    verdict: str | None
    taken_at: str | None
    had_gps: bool
    model: dict[str, Any] | None = None  # the model's answer (chain, checks, radius, texts) when it was asked
    radius_m: float | None = None  # how far off the position may be
    evidence: str | None = None  # why this position, in words
    camera: str | None = None
    clock: str | None = None  # the camera clock used for this photo, with its evidence ("+1:03:27 strong: from 14 ...")

    @property
    def will_write(self) -> bool:
        """Written by the next write: a person accepted it (or placed it by hand)."""
        return self.stage in PROPOSED_STAGES and self.verdict == Verdict.ACCEPTED

    @property
    def status(self) -> str:
        if self.stage == Stage.WRITTEN:
            return "written"
        if self.stage == Stage.KEPT:
            return "has GPS"
        if self.stage == Stage.FAILED:
            return "error"
        if self.stage == Stage.UNPLACED:
            return "no location"
        if self.stage in (Stage.NEW, Stage.READ):
            return "pending"
        if self.stage == Stage.WITHHELD:
            return "withheld"
        if self.stage == Stage.SKIPPED:
            return "skipped"
        if self.stage == Stage.LEFT_ALONE:
            return "left alone"
        if self.verdict == Verdict.REJECTED:
            return "rejected"
        if self.verdict == Verdict.ACCEPTED:
            return "accepted"
        return "needs review" if self.stage == Stage.REVIEW else "proposed"

    @property
    def place(self) -> str:
        return ", ".join(x for x in (self.city, self.state, self.country) if x)


def photo_views(store: JobStore) -> list[PhotoView]:
    model_answers = store.predictions()
    clocks = {c["camera"]: c for c in json.loads(store.get("clocks") or "[]")}
    views = []
    for row in store.photos():
        answer = model_answers.get(row.id)
        camera = camera_key(row.camera, row.relpath)
        clock = clocks.get(camera)
        clock_words = row.clock
        if clock_words and clock and clock.get("evidence"):
            clock_words = f"{clock_words}: {clock['evidence']}"
        views.append(
            PhotoView(id=row.id, path=store.path_of(row), relpath=printable(os.fsdecode(row.relpath)), stage=row.stage,
                      source=row.source, lat=row.lat, lon=row.lon, confidence=row.confidence, city=row.city,
                      state=row.state, country=row.country, message=row.message, verdict=row.verdict, taken_at=row.taken_at,
                      had_gps=row.gps_lat is not None, model=answer, radius_m=row.radius_m,
                      evidence=row.evidence, camera=camera, clock=clock_words)
        )
    return views



def confident_proposals(store: JobStore) -> list[int]:
    """Photos whose proposal is confident enough to need no scrutiny and that nobody has judged yet."""
    return [int(row.id) for row in store.photos(Stage.DECIDED) if row.verdict is None and row.lat is not None]


def set_verdict(store: JobStore, photo_ids: Iterable[int], verdict: str | None) -> int:
    """Accept or reject (None: clear) the proposals of these photos; returns how many changed.
    Photos without a proposal (no location, already written, failed) are left as they are."""
    if verdict is not None and verdict not in VERDICTS:
        raise ReviewError(f"verdict must be one of {', '.join(VERDICTS)} or None, not {verdict!r}")
    return store.set_verdicts(photo_ids, verdict)


def place(store: JobStore, photo_ids: Iterable[int], lat: float, lon: float, place_names: PlaceNames | None = None,
          note: str = "placed by hand") -> int:
    """Give these photos a position a person chose; accepted at once. Returns how many."""
    lat, lon = float(lat), float(lon)
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise ReviewError(f"latitude {lat:g} is not within -90..90")
    if not math.isfinite(lon):
        raise ReviewError(f"longitude {lon:g} is not a number")
    if not -180.0 <= lon <= 180.0:  # a map that wraps round the world
        lon = (lon + 180.0) % 360.0 - 180.0
    names = place_names([(lat, lon)])[0] if place_names is not None else {}
    position = Position(stage=Stage.DECIDED, source=Source.MANUAL, lat=lat, lon=lon, gps_alt=None, confidence=1.0, message=note, evidence=note,
                        radius_m=None)
    ids = list(photo_ids)
    with store.transaction():
        for photo_id in ids:
            store.record_position(photo_id, position, verdict=Verdict.ACCEPTED, names=names)
    return len(ids)


def copy_location(store: JobStore, from_id: int, photo_ids: Iterable[int]) -> int:
    """Give other photos the position (and place names) of ``from_id``; accepted at once."""
    source = _row(store, from_id)
    if source.lat is None:
        raise ReviewError(f"{printable(store.path_of(source))} has no position to copy")
    names = source.names
    ids = [i for i in photo_ids if i != from_id]
    note = f"copied from {printable(store.path_of(source).name)}"
    assert source.lon is not None  # with its latitude
    return place(store, ids, source.lat, source.lon, lambda positions: [names], note)


def time_neighbours(store: JobStore, photo_id: int, window: dt.timedelta) -> list[int]:
    """Photos of the same folder taken within ``window`` of this one (itself excluded), that do not
    already have a position of their own or a written one: where "copy to neighbours" goes."""
    row = _row(store, photo_id)
    if row.taken_at is None:
        return []
    at = dt.datetime.fromisoformat(row.taken_at)
    folder = os.path.dirname(row.relpath)
    found = []
    for other in store.photos(Stage.REVIEW, Stage.UNPLACED, Stage.DECIDED):
        if other.id == photo_id or other.taken_at is None or os.path.dirname(other.relpath) != folder:
            continue
        if abs(dt.datetime.fromisoformat(other.taken_at) - at) <= window:
            found.append(int(other.id))
    return found


@dataclass
class WriteSummary:
    batch: int | None
    written: int = 0
    failed: list[str] = field(default_factory=list)


def write_accepted(store: JobStore, sidecar: bool, progress: Progress | None = None, photo_ids: Iterable[int] | None = None) -> WriteSummary:
    """Write every accepted position (see :attr:`PhotoView.will_write`), or only those of
    ``photo_ids``; failures are reported per file and leave the file untouched."""
    wanted = set(photo_ids) if photo_ids is not None else None
    rows = [row for row in store.photos(*PROPOSED_STAGES) if row.verdict == Verdict.ACCEPTED and (wanted is None or row.id in wanted)]
    if not rows:
        return WriteSummary(None)
    batch = write_rows(store, rows, sidecar, progress or (lambda stage, done, total: None))
    summary = WriteSummary(batch)
    for row in rows:
        after = _row(store, row.id)
        if after.stage == Stage.WRITTEN:
            summary.written += 1
        else:
            summary.failed.append(f"{printable(store.path_of(after))}: {after.message}")
    store.set("last_write", dt.datetime.now().isoformat(timespec="seconds"))
    return summary


def undo_last_write(store: JobStore) -> UndoSummary | None:
    """Put back the newest write batch; None when nothing is left to undo."""
    batch = store.last_batch()
    if batch is None:
        return None
    return undo_job(store, batch)


def _row(store: JobStore, photo_id: int) -> PhotoRow:
    row = store.photo(photo_id)
    if row is None:
        raise ReviewError(f"no photo {photo_id} in job {store.id}")
    return row
