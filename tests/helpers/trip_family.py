"""A family of generated trips for judging camera clocks and the positions written from them: a
phone with GPS (local time, OffsetTimeOriginal and GPS times) and a camera without GPS whose clock
is on some zone and minutes off, both used at the same stops and on the way between them.

Each trip is a sequence of days; each day a walk or a drive through stops of 10-60 minutes, joined
by travel at walking (4-5 km/h) or driving (25-70 km/h) speed. The phone shoots sparsely (1-4 a
stop, the first often on arriving) or densely (5-12 a stop), and now and then on the way; the camera
shoots 2-20 photos a stop, in bursts (in one shape only in the second half of each stop, a bias all
its bursts share), and a few on the way. Every photo's true position and moment
is known, so a test can ask how far each written position is from the truth and whether it lies
within the radius Geo-R stated.

Shapes are named so that a failure says which kind of trip broke; ``trips()`` yields them over
seeds. Metadata only (ClockPhoto and PhotoRecord, no files): hundreds of trips run in seconds.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from geor.engine.pipeline.decision import decision_stage
from geor.engine.pipeline.vocabulary import Stage
from geor.engine.placement.anchors import AnchorSource
from geor.engine.placement.clocks import CameraClock, ClockPhoto, infer_clocks
from geor.engine.placement.policy import PlacementPolicy, distance_m
from geor.engine.placement.sources import PhotoRecord

PHONE = "Apple iPhone 15 Pro"
CAMERA = "NIKON CORPORATION NIKON Z 6 6012345"
DAY0 = dt.datetime(2025, 5, 3, tzinfo=dt.UTC).timestamp()


@dataclass(frozen=True, kw_only=True)
class Shape:
    name: str
    zone_h: float  # the trip's local time (the phone's clock)
    camera_offset_s: float  # the camera's clock minus UTC
    travel: str  # walk, drive or mixed
    phone: str  # sparse or dense
    days: int = 2
    stops: tuple[int, int] = (5, 9)  # per day, low and high
    shared: float = 0.0  # the share of camera bursts the phone also photographs, within a minute (the same scene)
    camera_late: bool = False  # the camera shoots in the second half of each stop only (the phone throughout)


SHAPES = [
    Shape(name="home time, minutes fast, walking, sparse phone", zone_h=9, camera_offset_s=3600 + 207, travel="walk", phone="sparse"),
    Shape(name="home time, minutes fast, driving, sparse phone", zone_h=9, camera_offset_s=3600 + 207, travel="drive", phone="sparse"),
    Shape(name="home time, minutes fast, mixed, dense phone", zone_h=9, camera_offset_s=3600 + 207, travel="mixed", phone="dense"),
    Shape(name="local time, right, walking, dense phone", zone_h=2, camera_offset_s=2 * 3600, travel="walk", phone="dense"),
    Shape(name="local time, 11 min slow, driving, sparse phone", zone_h=-5, camera_offset_s=-5 * 3600 - 673, travel="drive",
          phone="sparse"),
    Shape(name="hours off, 42 min fast, mixed, sparse phone", zone_h=5.5, camera_offset_s=-3 * 3600 + 2537, travel="mixed",
          phone="sparse", days=3),
    Shape(name="a short day, driving, dense phone", zone_h=1, camera_offset_s=3600 - 95, travel="drive", phone="dense", days=1,
          stops=(3, 5)),
    Shape(name="home time, minutes fast, mixed, sparse phone, some scenes shared", zone_h=9, camera_offset_s=3600 + 207,
          travel="mixed", phone="sparse", shared=0.4),
    Shape(name="hours off, driving, dense phone, some scenes shared", zone_h=-3, camera_offset_s=2 * 3600 - 1322, travel="drive",
          phone="dense", shared=0.4),
    Shape(name="local time, 11 min slow, driving, dense phone, camera late in its stops", zone_h=-5, camera_offset_s=-5 * 3600 - 673,
          travel="drive", phone="dense", camera_late=True),
]


@dataclass(frozen=True)
class Truth:
    utc: float
    lat: float
    lon: float
    at_stop: bool


@dataclass
class Trip:
    shape: Shape
    seed: int
    photos: list[ClockPhoto] = field(default_factory=list)
    truth: dict[int, Truth] = field(default_factory=dict)  # camera photo id -> where and when it was taken

    @property
    def camera_ids(self) -> list[int]:
        return [p.id for p in self.photos if p.camera == CAMERA]


def _speed_ms(travel: str, rng: np.random.Generator) -> float:
    mode = travel if travel != "mixed" else ("walk" if rng.random() < 0.5 else "drive")
    return float(rng.uniform(4, 5) if mode == "walk" else rng.uniform(25, 70)) / 3.6


def _travel_km(speed_ms: float, rng: np.random.Generator) -> float:
    return float(rng.uniform(0.6, 3.0)) if speed_ms < 2 else float(rng.uniform(4, 30))


class _Shutters:
    """The phone's and the camera's shutters on one trip: each shot a ClockPhoto (the phone's with its
    GPS and zone, the camera's with its clock) and, for the camera, the truth."""

    def __init__(self, trip: Trip, rng: np.random.Generator) -> None:
        self.trip, self.rng, self.serial = trip, rng, 0

    def look_of(self, scene: int | None, bits: float) -> int:
        """A photo's perceptual hash: its scene's with a few bits flipped (another device, another
        framing); a photo of no shared scene looks like nothing else."""
        if scene is None:
            return int(self.rng.integers(0, 2**63))
        flips = self.rng.choice(64, size=int(np.clip(self.rng.normal(bits, 2), 0, 16)), replace=False)
        return scene ^ int(sum(1 << int(b) for b in flips))

    def shoot(self, device: str, t: float, at: tuple[float, float], at_stop: bool, scene: int | None = None) -> None:
        rng, shape = self.rng, self.trip.shape
        self.serial += 1
        serial, zone = self.serial, shape.zone_h * 3600
        if device == PHONE:
            gps_time = t - float(rng.uniform(0, 4))  # the fix a moment before the shutter
            pos = (at[0] + float(rng.normal(0, 4e-5)), at[1] + float(rng.normal(0, 4e-5)))
            self.trip.photos.append(ClockPhoto(serial, PHONE, f"IMG_{serial:04d}.HEIC", round(t + zone), zone, round(gps_time), pos,
                                               look=self.look_of(scene, 9)))
        else:
            self.trip.photos.append(ClockPhoto(serial, CAMERA, f"DSC_{serial:04d}.NEF", round(t + shape.camera_offset_s),
                                               look=self.look_of(scene, 3)))
            self.trip.truth[serial] = Truth(t, at[0], at[1], at_stop)


def make_trip(shape: Shape, seed: int) -> Trip:
    rng = np.random.default_rng(seed)
    trip = Trip(shape, seed)
    zone = shape.zone_h * 3600
    lat, lon = float(rng.uniform(-40, 60)), float(rng.uniform(-120, 140))
    shoot = _Shutters(trip, rng).shoot

    for day in range(shape.days):
        t = DAY0 + day * 86400 - zone + float(rng.uniform(8, 10)) * 3600  # local morning
        stops = int(rng.integers(shape.stops[0], shape.stops[1] + 1))
        for stop in range(stops):
            length = float(rng.uniform(10, 60)) * 60
            here = (lat + float(rng.normal(0, 3e-4)), lon + float(rng.normal(0, 3e-4)))
            if shape.phone == "dense":
                phone_times = rng.uniform(0, length, int(rng.integers(5, 13)))
            else:
                n = int(rng.integers(1, 5))
                phone_times = np.concatenate([rng.uniform(0, 90, min(n, 1)) if rng.random() < 0.6 else rng.uniform(0, length, min(n, 1)),
                                              rng.uniform(0, length, max(n - 1, 0))])
            for m in phone_times:
                shoot(PHONE, t + float(m), here, True)
            bursts = int(rng.integers(1, 5))
            for _ in range(bursts):  # the camera in bursts: a few frames seconds apart, at a moment of the stop
                begin = float(rng.uniform(length / 2 if shape.camera_late else 0, length))
                scene = int(rng.integers(0, 2**63))
                for k in range(int(rng.integers(1, 6))):
                    shoot(CAMERA, min(t + begin + k * float(rng.uniform(2, 40)), t + length), here, True, scene)
                if rng.random() < shape.shared:  # the phone photographs the same scene within a minute
                    shoot(PHONE, min(max(t + begin + float(rng.uniform(-60, 60)), t), t + length), here, True, scene)
            t += length
            if stop == stops - 1:
                break
            speed = _speed_ms(shape.travel, rng)
            km = _travel_km(speed, rng)
            bearing = float(rng.uniform(0, 2 * math.pi))
            to = (lat + km / 111.2 * math.cos(bearing), lon + km / (111.2 * math.cos(math.radians(lat))) * math.sin(bearing))
            duration = km * 1000 / speed
            for device, chance in ((CAMERA, 0.5), (PHONE, 0.25)):  # now and then a photo on the way
                if rng.random() < chance:
                    f = float(rng.uniform(0.05, 0.95))
                    shoot(device, t + f * duration, (lat + f * (to[0] - lat), lon + f * (to[1] - lon)), False)
            t += duration
            lat, lon = to
    trip.photos.sort(key=lambda p: p.id)
    return trip


def trips(seeds: range = range(4)) -> Iterator[Trip]:
    for shape in SHAPES:
        for seed in seeds:
            yield make_trip(shape, seed)


def photo_path(photo: ClockPhoto) -> Path:
    return Path("trip") / ("phone" if photo.camera == PHONE else "camera") / photo.name


def placed(trip: Trip, policy: PlacementPolicy | None = None, typed: bool = False) -> tuple[CameraClock, dict[int, tuple[Stage, float, float]]]:
    """The camera's clock and, per camera photo a source placed, (stage, error in metres, radius)
    as geor tag decides them: the same clocks, anchor source and decision rule, without files.
    ``typed``: the camera's true offset set as the user would with ``--clock``."""
    policy = policy or PlacementPolicy()
    clocks = infer_clocks(trip.photos, overrides={CAMERA: trip.shape.camera_offset_s} if typed else None)
    records = []
    for photo in trip.photos:
        offset, strength = clocks[photo.camera].offset_for(photo)
        records.append(PhotoRecord(
            id=photo.id, path=photo_path(photo), taken_at=dt.datetime.fromtimestamp(photo.local, dt.UTC).replace(tzinfo=None),
            utc_offset=None, camera=photo.camera, gps=(*photo.position, None) if photo.position else None,
            utc=dt.datetime.fromtimestamp(photo.local - offset, dt.UTC) if offset is not None else None, clock_strength=strength,
            clock_uncertainty_s=clocks[photo.camera].uncertainty_s, look=photo.look))
    decisions = AnchorSource(policy).locate(records)
    found = {}
    for photo_id, truth in trip.truth.items():
        decision = decisions.get(photo_id)
        if decision is not None:
            stage, _ = decision_stage(decision, 0.3, policy)
            found[photo_id] = (stage, distance_m(decision.lat, decision.lon, truth.lat, truth.lon), decision.radius_m or 0.0)
    return clocks[CAMERA], found


# -- trips on real tracks -------------------------------------------------------------------------

REAL_SHAPES = [  # (camera offset, zone hours, the camera late in its stops)
    (3600 + 207, 9, False), (-5 * 3600 - 673, -5, False), (2 * 3600 - 1322, -3, True),
]


def stops_of(fixes: list[tuple[float, float, float]]) -> list[tuple[float, float, float, float]]:
    """A real track's stops: (first, last, lat, lon) of each stretch of 4 minutes and more within 60 m."""
    stops, i = [], 0
    while i < len(fixes):
        t0, lat, lon = fixes[i]
        j = i
        while j + 1 < len(fixes) and distance_m(lat, lon, fixes[j + 1][1], fixes[j + 1][2]) < 60:
            j += 1
        if fixes[j][0] - t0 >= 240:
            stops.append((t0, fixes[j][0], lat, lon))
            i = j + 1
        else:
            i += 1
    return stops


def _on_track(fixes: list[tuple[float, float, float]], t: float) -> tuple[float, float]:
    times = [f[0] for f in fixes]
    k = int(np.searchsorted(times, t))
    if k <= 0 or k >= len(fixes):
        return fixes[min(max(k, 0), len(fixes) - 1)][1:]
    (t1, lat1, lon1), (t2, lat2, lon2) = fixes[k - 1], fixes[k]
    f = (t - t1) / max(t2 - t1, 1e-9)
    return lat1 + f * (lat2 - lat1), lon1 + f * (lon2 - lon1)


def trip_on_track(fixes: list[tuple[float, float, float]], seed: int, phone: str, camera_offset_s: float, zone_h: float,
                  camera_late: bool = False) -> Trip:
    """A phone and a camera on a real recorded track (``fixes``: (UTC seconds, lat, lon), sorted):
    both shoot at its real stops as in make_trip, and now and then on its real way between them
    (curves, detours, loops back to a place: what a straight line between two photos is not)."""
    rng = np.random.default_rng(seed)
    shape = Shape(name=f"real track, {phone} phone", zone_h=zone_h, camera_offset_s=camera_offset_s, travel="real", phone=phone,
                  camera_late=camera_late)
    trip = Trip(shape, seed)
    shoot = _Shutters(trip, rng).shoot

    stops = stops_of(fixes)
    for k, (first, last, lat, lon) in enumerate(stops):
        count = int(rng.integers(5, 13)) if phone == "dense" else int(rng.integers(1, 5))
        for t in rng.uniform(first, last, count):
            shoot(PHONE, float(t), (lat, lon), True)
        for _ in range(int(rng.integers(1, 5))):
            begin = float(rng.uniform((first + last) / 2 if camera_late else first, last))
            for i in range(int(rng.integers(1, 6))):
                shoot(CAMERA, min(begin + i * float(rng.uniform(2, 40)), last), (lat, lon), True)
        if k + 1 < len(stops):
            leave, arrive = last, stops[k + 1][0]
            for device, chance in ((CAMERA, 0.5), (PHONE, 0.25)):
                if rng.random() < chance and arrive - leave > 60:
                    t = float(rng.uniform(leave + 0.05 * (arrive - leave), leave + 0.95 * (arrive - leave)))
                    shoot(device, t, _on_track(fixes, t), False)
    trip.photos.sort(key=lambda p: p.id)
    return trip
