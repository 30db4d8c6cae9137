"""Where a photo's position can come from, besides its own EXIF: each source is a small object
with ``locate(photos) -> {photo id: Decision}``, run in order; the first that places a photo wins.
GPX tracks and time propagation from GPS-tagged neighbours live here; the model (next stage of the
product) plugs in as one more source without changing the pipeline."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from geor.engine.geo.interpolate import great_circle_point

from .gpx import Track


@dataclass(frozen=True)
class PhotoRecord:
    id: int
    path: Path
    taken_at: dt.datetime | None
    utc_offset: dt.timedelta | None
    camera: str
    gps: tuple[float, float, float | None] | None


@dataclass(frozen=True)
class Decision:
    source: str  # gpx, interpolated, model, manual
    lat: float
    lon: float
    altitude_m: float | None
    confidence: float  # 0..1
    note: str = ""
    review: bool = False  # the source itself asks for a human to check it (e.g. the model's regions disagree)


class LocationSource(Protocol):
    """Optional attributes: ``only_unplaced = True`` (the source sees only photos no earlier source
    placed and that have no GPS of their own: for costly sources such as the model), and
    ``notes: dict[int, str]`` (why it could not place a photo it saw)."""

    name: str

    def locate(self, photos: list[PhotoRecord]) -> dict[int, Decision]: ...


class GpxSource:
    """Positions from GPX track logs by the photo's UTC time (EXIF offset, else ``tz``)."""

    name = "gpx"

    def __init__(self, track: Track, tz: dt.timedelta | None) -> None:
        self.track = track
        self.tz = tz
        self.unzoned: list[int] = []  # photos skipped because their time zone is unknown

    def locate(self, photos: list[PhotoRecord]) -> dict[int, Decision]:
        decisions = {}
        for photo in photos:
            if photo.taken_at is None:
                continue
            offset = photo.utc_offset if photo.utc_offset is not None else self.tz
            if offset is None:
                self.unzoned.append(photo.id)
                continue
            found = self.track.position_at((photo.taken_at - offset).replace(tzinfo=dt.UTC))
            if found is None:
                continue
            lat, lon, ele, gap_s = found
            confidence = 1.0 if gap_s <= 60 else max(0.5, 1.0 - gap_s / 3600.0)
            decisions[photo.id] = Decision("gpx", lat, lon, ele, confidence, f"{gap_s:.0f} s from the nearest track point")
        return decisions


class TimePropagation:
    """A photo without GPS taken within ``window`` of GPS-tagged photos of the same folder and
    camera takes their position: interpolated along the great circle when it lies between two of
    them, else the nearest one's. Confidence falls linearly with the time to the nearest anchor."""

    name = "interpolated"

    def __init__(self, window: dt.timedelta) -> None:
        self.window = window

    def locate(self, photos: list[PhotoRecord]) -> dict[int, Decision]:
        groups: dict[tuple[Path, str], list[PhotoRecord]] = defaultdict(list)
        for photo in photos:
            if photo.taken_at is not None:
                groups[(photo.path.parent, photo.camera)].append(photo)
        decisions = {}
        for members in groups.values():
            anchors = sorted((p for p in members if p.gps is not None), key=lambda p: (p.taken_at, p.id))
            if not anchors:
                continue
            for photo in members:
                if photo.gps is not None:
                    continue
                decision = self._between(photo, anchors)
                if decision is not None:
                    decisions[photo.id] = decision
        return decisions

    def _between(self, photo: PhotoRecord, anchors: list[PhotoRecord]) -> Decision | None:
        t = photo.taken_at
        assert t is not None
        before = [a for a in anchors if a.taken_at <= t]
        after = [a for a in anchors if a.taken_at >= t]
        a, b = (before[-1] if before else None), (after[0] if after else None)
        gaps = [(abs((x.taken_at - t).total_seconds()), x) for x in (a, b) if x is not None]
        window_s = self.window.total_seconds()
        near = [(gap, x) for gap, x in gaps if gap <= window_s]
        if not near:
            return None
        nearest_gap, nearest = min(near, key=lambda item: item[0])
        confidence = max(0.0, 1.0 - nearest_gap / window_s) if window_s > 0 else 1.0
        if len(near) == 2 and a is not b:
            span = (b.taken_at - a.taken_at).total_seconds()
            fraction = (t - a.taken_at).total_seconds() / span if span > 0 else 0.0
            lat, lon = great_circle_point(a.gps[0], a.gps[1], b.gps[0], b.gps[1], fraction)
            return Decision(self.name, lat, lon, None, confidence, f"between {a.path.name} and {b.path.name}")
        return Decision(self.name, nearest.gps[0], nearest.gps[1], nearest.gps[2], confidence,
                        f"{nearest_gap / 60:.1f} min from {nearest.path.name}")
