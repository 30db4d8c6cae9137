"""Positions from the user's own data: every GPS-tagged photo of the job (any folder, any device)
and every track fix is an anchor on one UTC timeline, and a photo without GPS takes its position
from the anchors around its moment by the shared policy (policy.py).

A photo's moment on that timeline needs its camera's clock (clocks.py). With a trusted clock it is
placed from everything; with a bounded one too, its radius reaching every position its clock's
uncertainty allows (the job sends it to review when that is too far); with a weak one, a placement
that needs other devices is a proposal for review; with an unknown one, only its own camera's GPS photos place it, on the camera's own clock
(which needs no offset at all)."""

from __future__ import annotations

from collections import defaultdict

from .clocks import PLACING, TRUSTED
from .policy import DEFAULT_ANCHOR_RADIUS_M, Anchor, Placement, PlacementPolicy, Timeline
from .sources import Decision, PhotoRecord
from .tracks import Track
from .vocabulary import Source

TRACK_RADIUS_M = 10.0  # a logger's fix, when the file does not say


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
            decision = self._place(photo, shared, own_clock)
            if decision is not None:
                decisions[photo.id] = decision
        return decisions

    def _place(self, photo: PhotoRecord, shared: Timeline, own_clock: dict[str, Timeline]) -> Decision | None:
        """``own_clock``: each camera's own GPS photos on its own clock."""
        assert photo.local_s is not None
        own = own_clock.get(photo.camera)
        alone = own.place_at(photo.local_s, self.policy) if own is not None else None
        across = None
        if photo.utc_s is not None and photo.clock_strength in PLACING | {"weak"}:
            across = shared.place_at(photo.utc_s, self.policy, photo.clock_uncertainty_s)
        if across is None and alone is None:
            if own_clock.keys() - {photo.camera}:  # other devices have GPS photos
                if photo.clock_strength == "unknown":
                    self.notes[photo.id] = ("other devices have GPS photos, but this camera's clock is unknown (no GPS time, OffsetTime "
                                            "tag or shots at the same moments as another device): set it with --clock or --tz")
                elif not len(shared):
                    self.notes[photo.id] = "other devices have GPS photos, but their clocks are unknown: set them with --clock or --tz"
            return None
        if photo.clock_strength == "weak" or across is None:  # its own camera's GPS needs no clock: prefer it
            if alone is not None:
                return self._decision(alone, photo, across=False)
            assert across is not None
            return self._decision(across, photo, across=True, review=photo.clock_strength == "weak")
        if alone is not None and (alone.confidence, -alone.radius_m) > (across.confidence, -across.radius_m):
            return self._decision(alone, photo, across=False)
        return self._decision(across, photo, across=True)

    def _decision(self, found: Placement, photo: PhotoRecord, across: bool, review: bool = False) -> Decision:
        note = found.note
        if across and photo.clock:
            note = f"{note}; {photo.camera} clock {photo.clock}"
        if review:
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
