"""Where a photo's position can come from, besides its own EXIF: each source is a small object
with ``locate(photos) -> {photo id: Decision}``, run in order; the first that places a photo wins.
The user's own data (anchors.py: other photos' GPS and tracks, on one clock-corrected timeline)
comes first; the model plugs in as one more source without changing the pipeline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol


class Source(StrEnum):
    """Where a photo's position came from (the ``photos.source`` column)."""

    EXIF = "exif"  # the photo's own GPS
    GPX = "gpx"  # a GPX track (job stores made before every track format was read)
    TRACK = "track"  # a track file, matched by the capture time
    INTERPOLATED = "interpolated"  # GPS photos of any device taken at the same time
    MODEL = "model"
    MANUAL = "manual"  # placed by hand


#: Sources that place a photo by its capture time, which a ModifyDate-only time makes doubtful.
TIME_BASED_SOURCES = frozenset({Source.GPX, Source.TRACK, Source.INTERPOLATED})
#: Sources that are facts about the photo, not inferences: the plausibility checks trust them.
FACT_SOURCES = frozenset({Source.EXIF, Source.MANUAL})


@dataclass(frozen=True, kw_only=True)
class PhotoRecord:
    id: int
    path: Path
    taken_at: dt.datetime | None  # the camera's clock reading
    utc_offset: dt.timedelta | None  # from the photo's own tags
    camera: str  # make + model + serial (clocks.camera_key)
    gps: tuple[float, float, float | None] | None
    utc: dt.datetime | None = None  # its moment on the job's timeline, when its camera's clock is known (clocks.py)
    clock_strength: str = "unknown"  # set, exact, declared, strong, weak, unknown
    clock: str = ""  # the camera's clock in words ("+1:03:27, from 14 co-occurring bursts with ...")
    clock_uncertainty_s: float = 0.0
    gps_accuracy_m: float | None = None
    look: int | None = None  # its perceptual hash (scenes.fingerprint), when the job took it

    @property
    def local_s(self) -> float | None:
        """The camera's clock reading as seconds (read as if it were UTC): its own timeline."""
        return self.taken_at.replace(tzinfo=dt.UTC).timestamp() if self.taken_at is not None else None

    @property
    def utc_s(self) -> float | None:
        return self.utc.timestamp() if self.utc is not None else None


@dataclass(frozen=True, kw_only=True)
class Decision:
    source: str  # track, interpolated (other photos' GPS), model, manual
    lat: float
    lon: float
    altitude_m: float | None
    confidence: float  # 0..1
    note: str = ""  # the evidence in words
    review: bool = False  # the source itself asks for a human to check it (e.g. the model's regions disagree)
    radius_m: float | None = None  # how far off it may be


class LocationSource(Protocol):
    """Optional attributes: ``only_unplaced = True`` (the source sees only photos no earlier source
    placed and that have no GPS of their own: for costly sources such as the model), and
    ``notes: dict[int, str]`` (why it could not place a photo it saw)."""

    @property
    def name(self) -> str:  # what Decision.source says of its placements (a Source for Geo-R's own)
        ...

    def locate(self, photos: list[PhotoRecord]) -> dict[int, Decision]: ...
