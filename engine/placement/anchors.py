"""Positions from the user's own data: every GPS-tagged photo of the job (any folder, any device)
and every track fix is an anchor on one UTC timeline, and a photo without GPS takes its position
from the anchors around its moment by the shared policy (policy.py).

A photo's moment on that timeline needs its camera's clock (clocks.py). With a trusted clock it is
placed from everything; with a bounded one too, its radius reaching every position its clock's
uncertainty allows (the job sends it to review when that is too far); with a weak one, a placement
that needs other devices is a proposal for review; with an unknown one, only its own camera's GPS photos place it, on the camera's own clock
(which needs no offset at all).

A photo that looks like another device's GPS photo (perceptual hashes at most ``PAIR_BITS`` apart,
as the clocks stage pairs them) taken within ``SCENE_WINDOW_S`` of its moment, its clock's
uncertainty included, shows the same scene: it takes that photo's position, with a radius of the
scene's own reach (``SCENE_REACH_M``: two people photographing one thing) plus walking pace over
the longest the two moments may be apart. That holds however the user moved before and after, so
it places the photos at a stop's edges that the timeline cannot (they may have been on the road
minutes before); it is used when its radius is the smaller.

Last, a camera's own firmly placed photos (written, not proposals) place its other photos on the
camera's own clock, whose differences are exact whatever its offset: a frame between two placed at
one place is there; else it lies within the nearer one's radius plus driving pace over the seconds
between them (``AnchorSource._from_own_placed``).

Photos without make, model or serial are one "camera" per folder (clocks.camera_key), but may be of
several devices: placed from one another on their own clock, they are proposals for review."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np

from .bursts import PAIR_CAP_S
from .clocks import MAX_ALIKE, PAIR_BITS, PLACING, TRUSTED, is_anonymous
from .policy import (
    DEFAULT_ANCHOR_RADIUS_M,
    DRIVING_M_PER_S,
    WALKING_M_PER_S,
    Anchor,
    Placement,
    PlacementPolicy,
    Timeline,
    ago,
    distance_m,
    place_between,
)
from .scenes import hamming, telling
from .sources import Decision, PhotoRecord, Source
from .tracks import Track

TRACK_RADIUS_M = 10.0  # a logger's fix, when the file does not say
SCENE_WINDOW_S = PAIR_CAP_S  # two photos of one scene by two devices, this near in time: the same visit
FIRM_CONFIDENCE = 0.5  # a placed photo this sure (and written: within the radius limit, no review) anchors its own camera's others
CHAIN_CONFIDENCE = 0.85  # ... which are at most this sure
SCENE_REACH_M = 100.0  # how far apart two people photographing the same thing may stand (a facade across a square)


@dataclass(frozen=True)
class Scenes:
    """Other devices' GPS photos with looks, on UTC, sorted by time: asked which one shows the same
    scene as a photo, near its moment."""

    times: np.ndarray
    looks: np.ndarray
    anchors: list[Anchor]
    cameras: list[str]

    @classmethod
    def of(cls, photos: list[PhotoRecord]) -> Scenes:
        kept = sorted((p for p in photos if p.gps is not None and telling(p.look) and p.utc_s is not None and p.clock_strength in TRUSTED),
                      key=lambda p: p.utc_s or 0.0)
        return cls(np.asarray([p.utc_s for p in kept], dtype=np.float64), np.asarray([p.look for p in kept], dtype=np.uint64),
                   [_anchor(p, p.utc_s) for p in kept], [p.camera for p in kept])

    def place(self, photo: PhotoRecord) -> Placement | None:
        """The position of the photo of another device that shows the same scene within
        ``SCENE_WINDOW_S`` (plus the clock's uncertainty) of ``photo``'s moment, the nearest in time;
        None when none does, when more than ``MAX_ALIKE`` look like it (a wall of alike frames), or
        when its look is a flat picture's, which looks like every other (scenes.telling)."""
        if not telling(photo.look) or photo.utc_s is None or not len(self.times):
            return None
        reach_s = SCENE_WINDOW_S + photo.clock_uncertainty_s
        low = int(np.searchsorted(self.times, photo.utc_s - reach_s, side="left"))
        high = int(np.searchsorted(self.times, photo.utc_s + reach_s, side="right"))
        if high <= low:
            return None
        alike = low + np.flatnonzero(hamming(np.full(1, photo.look, dtype=np.uint64), self.looks[low:high]) <= PAIR_BITS)
        alike = np.asarray([k for k in alike if self.cameras[k] != photo.camera])
        if not 0 < len(alike) <= MAX_ALIKE:
            return None
        k = int(alike[np.argmin(np.abs(self.times[alike] - photo.utc_s))])
        anchor = self.anchors[k]
        apart_s = abs(anchor.t - photo.utc_s)
        radius = anchor.radius_m + SCENE_REACH_M + WALKING_M_PER_S * (apart_s + photo.clock_uncertainty_s)
        return Placement(lat=anchor.lat, lon=anchor.lon, altitude_m=anchor.altitude_m, radius_m=radius, confidence=0.9,
                         note=f"looks like {anchor.label}, {ago(apart_s)} apart: the same scene", kind="photo")


class AnchorSource:
    """``name`` is the source of placements from photos; those from track fixes are "track"."""

    name = Source.INTERPOLATED

    def __init__(self, policy: PlacementPolicy | None = None, track: Track | None = None) -> None:
        self.policy = policy or PlacementPolicy()
        self.track = track
        self.notes: dict[int, str] = {}

    def locate(self, photos: list[PhotoRecord]) -> dict[int, Decision]:
        fixes = track_anchors(self.track)
        shared = Timeline([*fixes, *(_anchor(p, p.utc_s) for p in photos
                                             if p.gps is not None and p.utc_s is not None and p.clock_strength in TRUSTED)])
        tracks_only = Timeline(fixes)
        own: dict[str, list[Anchor]] = defaultdict(list)
        for photo in photos:
            if photo.gps is not None and photo.local_s is not None:
                own[photo.camera].append(_anchor(photo, photo.local_s))
        own_clock = {camera: Timeline(anchors) for camera, anchors in own.items()}
        scenes = Scenes.of(photos)
        decisions = {}
        for photo in photos:
            if photo.local_s is None:
                continue
            if photo.gps is not None:  # an anchor itself; re-placed (from tracks only) just for --overwrite
                if photo.utc_s is not None and photo.clock_strength in TRUSTED and len(tracks_only):
                    found = tracks_only.place_at(photo.utc_s, self.policy, photo.clock_uncertainty_s)
                    if found is not None:
                        decisions[photo.id] = self._decision(found, photo, across=True)
                continue
            decision = self._place(photo, shared, own_clock, scenes)
            if decision is not None:
                decisions[photo.id] = decision
        self._from_own_placed(photos, decisions)
        return decisions

    def _from_own_placed(self, photos: list[PhotoRecord], decisions: dict[int, Decision]) -> None:
        """A photo left unplaced or too vague takes its position from its own camera's photos that
        were placed firmly, on the camera's own clock: the time between two photos of one camera is
        exact whatever its offset, so a frame shot 20 s after one placed at a stop lies within
        that one's radius plus 20 s of travel (policy.place_between's rules, the anchors' radii
        included, except interpolation between two places). One pass: a photo placed so is not an
        anchor in turn."""
        firm: dict[str, list[Anchor]] = defaultdict(list)
        for photo in photos:
            decision = decisions.get(photo.id)
            if photo.gps is None and photo.local_s is not None and decision is not None and self._firm(decision):
                assert decision.radius_m is not None
                firm[photo.camera].append(Anchor(t=photo.local_s, lat=decision.lat, lon=decision.lon, radius_m=decision.radius_m,
                                                 label=f"{photo.path.name} (placed)", altitude_m=decision.altitude_m))
        timelines = {camera: Timeline(anchors) for camera, anchors in firm.items()}
        for photo in photos:
            decision = decisions.get(photo.id)
            timeline = timelines.get(photo.camera)
            if photo.gps is not None or photo.local_s is None or timeline is None or (decision is not None and self._firm(decision)):
                continue
            if is_anonymous(photo.camera):  # placed ones of no known camera may be another device's
                continue
            found = self._chained(photo.local_s, timeline)
            if found is None or found.radius_m > self.policy.max_radius_m:
                continue
            if decision is not None and decision.radius_m is not None and decision.radius_m <= found.radius_m:
                continue
            decisions[photo.id] = self._decision(replace(found, confidence=min(found.confidence, CHAIN_CONFIDENCE)), photo, across=False)

    def _chained(self, t: float, timeline: Timeline) -> Placement | None:
        """Between two placed photos of one place (policy.place_between's same-place rule, the two
        within ``same_place_m`` themselves, not only within their radii): that place. Else the nearer of the two with a radius that grows at driving pace from the first
        second: a camera's photos are mostly shot at stops, and when the user left one, or was still
        there minutes before the next, nothing says; no interpolation along the way, and nothing past
        the camera's first or last placed photo."""
        before, after = timeline.around(t)
        if before is None or after is None:
            return None
        found = place_between(t, before, after, replace(self.policy, interpolate_max_min=0.0))
        one_place = distance_m(before.lat, before.lon, after.lat, after.lon) <= self.policy.same_place_m  # not within their radii
        if found is None or (one_place and found.note.endswith("the same place")):
            return found
        nearest = before if t - before.t <= after.t - t else after
        return replace(found, radius_m=nearest.radius_m + DRIVING_M_PER_S * abs(t - nearest.t))

    def _firm(self, decision: Decision) -> bool:
        return (not decision.review and decision.radius_m is not None and decision.radius_m <= self.policy.max_radius_m
                and decision.confidence >= FIRM_CONFIDENCE)

    def _place(self, photo: PhotoRecord, shared: Timeline, own_clock: dict[str, Timeline], scenes: Scenes) -> Decision | None:
        """``own_clock``: each camera's own GPS photos on its own clock; ``scenes``: other devices' GPS photos by look."""
        assert photo.local_s is not None
        own = own_clock.get(photo.camera)
        alone = own.place_at(photo.local_s, self.policy) if own is not None else None
        across = None
        if photo.utc_s is not None and photo.clock_strength in PLACING | {"weak"}:
            across = shared.place_at(photo.utc_s, self.policy, photo.clock_uncertainty_s)
        if photo.clock_strength in PLACING:
            scene = scenes.place(photo)
            if scene is not None and (across is None or scene.radius_m < across.radius_m):
                across = scene
        if across is None and alone is None:
            if own_clock.keys() - {photo.camera}:  # other devices have GPS photos
                if photo.clock_strength == "unknown":
                    self.notes[photo.id] = ("other devices have GPS photos, but this camera's clock is unknown (no GPS time, OffsetTime "
                                            "tag or shots at the same moments as another device): set it with --clock or --tz")
                elif not len(shared):
                    self.notes[photo.id] = "other devices have GPS photos, but their clocks are unknown: set them with --clock or --tz"
            return None
        anonymous = is_anonymous(photo.camera)  # its "own" GPS photos may be another device's
        if photo.clock_strength == "weak" or across is None:
            if alone is not None:
                return self._decision(alone, photo, across=False, review=anonymous)
            assert across is not None
            return self._decision(across, photo, across=True, review=photo.clock_strength == "weak")
        if alone is not None and not anonymous and (alone.confidence, -alone.radius_m) > (across.confidence, -across.radius_m):
            return self._decision(alone, photo, across=False)
        return self._decision(across, photo, across=True)

    def _decision(self, found: Placement, photo: PhotoRecord, across: bool, review: bool = False) -> Decision:
        note = found.note
        if across and photo.clock:
            note = f"{note}; {photo.camera} clock {photo.clock}"
        if review and not across:
            note = f"{note} (photos of no known camera, maybe of another device: review)"
        elif review:
            note = f"{note} (a weak clock: review)"
        return Decision(source=Source.TRACK if found.kind == "track" else self.name, lat=found.lat, lon=found.lon,
                        altitude_m=found.altitude_m, confidence=found.confidence, note=note, review=review, radius_m=found.radius_m)


def track_anchors(track: Track | None) -> list[Anchor]:
    """A track's fixes as anchors (a logger's accuracy where the file says, else TRACK_RADIUS_M)."""
    fixes = track.fixes if track is not None else []
    return [
        Anchor(t=f.t, lat=f.lat, lon=f.lon, radius_m=f.accuracy_m or TRACK_RADIUS_M, label=f"the track {f.source}".strip(), kind="track",
               altitude_m=f.ele)
        for f in fixes
    ]


def _anchor(photo: PhotoRecord, t: float | None) -> Anchor:
    assert photo.gps is not None and t is not None
    device = photo.camera if len(photo.camera) <= 40 else photo.camera[:39] + "…"
    return Anchor(t=t, lat=photo.gps[0], lon=photo.gps[1], radius_m=photo.gps_accuracy_m or DEFAULT_ANCHOR_RADIUS_M,
                  label=f"{photo.path.name} ({device})", kind="photo", altitude_m=photo.gps[2])
