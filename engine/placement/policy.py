"""The interpolation policy every time-based position shares (photos of any device, track fixes):
one function, ``place_at``, so a user can predict what happens from a handful of numbers.

Given the anchors just before and just after a moment (an anchor is a timed position: a GPS photo
or a track fix):

- **the same place**: the two lie within ``same_place_m`` of each other (or within their own
  accuracy) and at most ``same_place_max_min`` apart in time: the photo takes that place, however
  long the user stayed there (default 2 h: a museum, a lunch), with a radius that grows at walking
  pace with the time to the nearer of the two (the user may have walked away and back: a loop from
  the car park; on trips recorded by real loggers such loops put a photo between two photos at one
  place 0.3-1.6 km from it, beyond the anchors' radius);
- **on the move**: they are at most ``interpolate_max_min`` apart in time (default 30 min, exiftool's
  own default): the photo is placed along the great circle between them in proportion to the time,
  with a confidence that falls with the gap;
- **nearby in time**: otherwise the nearer one, when it is at most ``extrapolate_max_min`` away
  (default 30 min, exiftool's too), with a radius that grows at walking pace (at driving pace once
  the user may well have left for the other anchor's place: it is elsewhere, and the photo's moment
  is past the first ``LEFT_SHARE`` of the moments they could have left at, or past ``LEFT_WITHIN_S``
  when the other anchor is hours away: a real location history's user left 2 minutes after a photo
  and the next one at home came hours later; and before an anchor
  they came to from elsewhere from the first second: a phone photo on arriving is common; and at
  a motorway's pace, ``ROAD_M_PER_S``, beside an anchor taken in passing: the only one at its place
  (``Timeline.alone``), a phone photo from a car is where the car was, not where it stopped) and a confidence that
  falls with the square of the gap to zero at the bound (so with the default minimum confidence of
  0.3 a position is written up to 12.7 minutes from its anchor and proposed for review beyond: the
  user may have left);
- else nothing: no data places the photo.

The radius (metres) is the anchors' own accuracy, plus how far the user could have strayed from the
straight line walking from one to the other in the time (the lens within walking reach of both) or, when more, how far
along the way from the interpolated point they may really be: they left the first place and reached
the second at moments nobody saw, moving at most at ``DRIVING_M_PER_S`` or, on a faster leg,
``FASTER`` times its average speed between photos (a car that covered 11.7 km in 13 minutes on a
motorway may have left the first place minutes late) and its average speed between a logger's
fixes (which record the way itself), or at a motorway's pace when either photo was taken in passing,
never beyond ``max_speed_kmh``. A camera clock known
only to +- u seconds places the photo anywhere its moment may have been: ``Timeline.place_at``
places it at moments across [t - u, t + u] and at every anchor in that stretch, and the radius
grows to reach the farthest of them (plus that one's own radius). Across a stop the stretch stays
in one place and the radius stays small; across a departure it reaches the next place, and the
photo goes to review (``max_radius_m``).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from geor.engine.options import option

EARTH_RADIUS_M = 6_371_008.8
WALKING_M_PER_S = 1.4
DRIVING_M_PER_S = 14.0  # 50 km/h: how far a photo's radius grows per second beside an anchor the user may have left
ROAD_M_PER_S = 36.1  # 130 km/h, a motorway's pace: beside an anchor taken in passing (the only one at its place)
FASTER = 3.0  # between two places, the user may have moved this many times faster than their average (or at driving pace)
LEFT_SHARE = 0.05  # ... once its moment is past this share of the moments they could have left at
LEFT_WITHIN_S = 300.0  # ... or past this many seconds (the next anchor hours away: a night, a long stay with few photos)
DEFAULT_ANCHOR_RADIUS_M = 20.0  # a phone's GPS outdoors, when the file does not say
RADIUS_SAFETY = 1.1  # the positions between the sampled moments may reach a little further
CLOCK_SAMPLES = 6  # moments placed on each side of a photo's moment across its clock's uncertainty


@dataclass(frozen=True, kw_only=True)
class PlacementPolicy:
    """The numbers of the rules above, each a flag of ``geor tag`` and a row of the desktop's settings
    (declared here once: engine/options.py)."""

    same_place_m: float = field(default=100.0, metadata=option(
        "two anchors this close are one place: photos between them take it ...", label="Two anchors are one place within"))
    same_place_max_min: float = field(default=120.0, metadata=option(
        "... when they are at most this far apart in time", label="... up to this far apart in time"))
    interpolate_max_min: float = field(default=30.0, metadata=option(
        "between two different places, interpolate along the great circle only when they are this close in time",
        label="Interpolate between places up to"))
    extrapolate_max_min: float = field(default=30.0, metadata=option(
        "else take the nearer anchor's position when it is this close in time", label="Else take the nearer anchor up to"))
    max_speed_kmh: float = field(default=300.0, metadata=option(
        "plausibility: a faster move between two photos of one camera needs review (a track can justify it)",
        label="Review a move faster than"))
    far_km: float = field(default=200.0, metadata=option(
        "plausibility: a decision this far from all of the same day's GPS photos and track points needs review",
        label="Review a position farther from the day's GPS than"))
    max_radius_m: float = field(default=1000.0, metadata=option(
        "write a position from photos or a track only when it may be off by at most this many metres (its radius includes how far "
        "a camera clock's uncertainty can move it); else review", label="Review a position that may be off by more than"))

    def problems(self) -> list[str]:
        found = []
        for name in ("same_place_m", "same_place_max_min", "interpolate_max_min", "extrapolate_max_min"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                found.append(f"{name.replace('_', ' ')} must be a number at least 0, not {value:g}")
        for name in ("max_speed_kmh", "far_km", "max_radius_m"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                found.append(f"{name.replace('_', ' ')} must be a number above 0, not {value:g}")
        return found


@dataclass(frozen=True)
class Anchor:
    """A timed position. ``t``: seconds on the timeline the caller uses (UTC, or one camera's own
    clock); ``label``: how the evidence names it ("IMG_0012.HEIC (iPhone 12)", "track day1.gpx")."""

    t: float
    lat: float
    lon: float
    radius_m: float
    label: str
    kind: str = "photo"  # photo or track
    altitude_m: float | None = None


@dataclass(frozen=True, kw_only=True)
class Placement:
    lat: float
    lon: float
    altitude_m: float | None
    radius_m: float
    confidence: float
    note: str  # the evidence in words
    kind: str  # the nearer anchor's kind: photo or track


class Timeline:
    """Anchors sorted by time, asked for the position at a moment."""

    def __init__(self, anchors: Sequence[Anchor]) -> None:
        self.anchors = sorted(anchors, key=lambda a: a.t)
        self.times = [a.t for a in self.anchors]
        self._alone: dict[tuple[float, float], list[bool]] = {}

    def __len__(self) -> int:
        return len(self.anchors)

    def around(self, t: float) -> tuple[Anchor | None, Anchor | None]:
        return self._pair(bisect.bisect_right(self.times, t))

    def _pair(self, i: int) -> tuple[Anchor | None, Anchor | None]:
        """The anchors just before and at index ``i`` (None past either end)."""
        return (self.anchors[i - 1] if i > 0 else None), (self.anchors[i] if i < len(self.anchors) else None)

    def between(self, t: float, policy: PlacementPolicy) -> Placement | None:
        """place_between with the anchors around ``t`` and whether each is alone at its place."""
        i = bisect.bisect_right(self.times, t)
        alone = self.alone(policy)
        return place_between(t, *self._pair(i), policy, passing=(i > 0 and alone[i - 1], i < len(alone) and alone[i]))

    def alone(self, policy: PlacementPolicy) -> list[bool]:
        """Per anchor, whether it may have been taken in passing: the anchors on both sides of it,
        each within the policy's same-place time, are at other places (two at one place say the
        user stayed there a while). A phone photo from a car, or the only photo of a stop between
        two others of the day: nobody can tell the two apart. (One with nothing near in time on a
        side, the only photo of its day or trip, is not called so; nor is a track's fix: the fixes
        record the way itself.)"""
        key = (policy.same_place_m, policy.same_place_max_min)
        if key not in self._alone:
            anchors, window = self.anchors, policy.same_place_max_min * 60
            # per pair of neighbours: 1 one place, 0 two places moments apart, -1 too far apart in time to tell
            pairs = [(1 if _one_place(a, b, distance_m(a.lat, a.lon, b.lat, b.lon), policy) else 0) if b.t - a.t <= window else -1
                     for a, b in zip(anchors, anchors[1:], strict=False)]
            self._alone[key] = [anchors[k].kind == "photo" and 0 < k < len(pairs) and pairs[k - 1] == pairs[k] == 0 for k in range(len(anchors))]
        return self._alone[key]

    def place_at(self, t: float, policy: PlacementPolicy, clock_uncertainty_s: float = 0.0) -> Placement | None:
        """The position at ``t``; with a clock uncertain by ``clock_uncertainty_s``, its radius
        reaches every position of the moments the clock allows (module docstring)."""
        centre = self.between(t, policy)
        if centre is None or clock_uncertainty_s <= 0:
            return centre
        reach = centre.radius_m
        for k in range(1, CLOCK_SAMPLES + 1):
            for sign in (-1, 1):
                moment = t + sign * clock_uncertainty_s * k / CLOCK_SAMPLES
                other = self.between(moment, policy)
                if other is None:  # at a moment the clock allows, nothing places the photo: it may be anywhere
                    return replace(centre, radius_m=math.inf, note=f"{centre.note}; at a moment within the clock's +-{ago(clock_uncertainty_s)} "
                                   "no anchor is near enough to place it")
                reach = max(reach, distance_m(centre.lat, centre.lon, other.lat, other.lon) + other.radius_m)
        low = bisect.bisect_left(self.times, t - clock_uncertainty_s)
        high = bisect.bisect_right(self.times, t + clock_uncertainty_s)
        if high > low:  # every anchor the stretch holds: the positions between samples
            within = self.anchors[low:high]
            import numpy as np  # here, not at the top: the policy's numbers alone import nothing heavy

            from geor.engine.geo.reference import haversine_km  # NumPy: a few points per call, no kernel to load

            far = 1000 * np.asarray(haversine_km(centre.lat, centre.lon, np.array([a.lat for a in within]), np.array([a.lon for a in within])))
            reach = max(reach, float(np.max(far + np.array([a.radius_m for a in within]))))
        reach *= RADIUS_SAFETY
        if reach <= centre.radius_m:
            return centre
        words = f"; the clock's +-{ago(clock_uncertainty_s)} reach{'es' if reach > centre.radius_m + 1 else ''} {_distance(reach)}"
        return replace(centre, radius_m=reach, note=centre.note + words)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in metres (scalar, pure Python: called once per photo)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _one_place(a: Anchor, b: Anchor, apart: float, policy: PlacementPolicy) -> bool:
    """Whether two anchors ``apart`` metres apart are one place: within the policy's distance or their own accuracy."""
    return apart <= max(policy.same_place_m, a.radius_m + b.radius_m)


def place_between(t: float, before: Anchor | None, after: Anchor | None, policy: PlacementPolicy,
                  passing: tuple[bool, bool] = (False, False)) -> Placement | None:
    """The position at ``t`` from the anchors on either side of it, by the rules in the module
    docstring; None when neither is close enough. ``passing``: whether each was taken in passing
    (Timeline.alone): the user may have been moving there at a motorway's pace."""
    left_at = math.inf  # seconds from the nearer anchor past which the user may have left it for the other's place (or not yet arrived)
    if before is not None and after is not None:
        span = after.t - before.t
        gap_before, gap_after = t - before.t, after.t - t
        apart = distance_m(before.lat, before.lon, after.lat, after.lon)
        one_place = _one_place(before, after, apart, policy)
        # two places: the user left at some moment between (any alike, less the way at DRIVING_M_PER_S)
        left_at = math.inf if one_place else min(LEFT_SHARE * max(span - apart / DRIVING_M_PER_S, 0.0), LEFT_WITHIN_S)
        fraction = gap_before / span if span > 0 else 0.0
        lat, lon = _great_circle_point(before.lat, before.lon, after.lat, after.lon, fraction)
        altitude = _between(before.altitude_m, after.altitude_m, fraction)
        kind = before.kind if gap_before <= gap_after else after.kind
        words = f"between {before.label}, {ago(gap_before)} before, and {after.label}, {ago(gap_after)} after"
        if one_place and span <= policy.same_place_max_min * 60:
            # at either anchor or between them, or away and back on foot in the time to the nearer one (a loop from the car)
            radius = max(before.radius_m, after.radius_m) + max(max(fraction, 1 - fraction) * apart, WALKING_M_PER_S * min(gap_before, gap_after))
            confidence = 0.95 - 0.15 * span / max(policy.same_place_max_min * 60, 1.0)
            return Placement(lat=lat, lon=lon, altitude_m=altitude, radius_m=radius, confidence=confidence,
                             note=f"{words}, {apart:,.0f} m apart: the same place", kind=kind)
        if span <= policy.interpolate_max_min * 60:
            nearest = min(gap_before, gap_after)
            # how far along the way the user may really be: they left and arrived at unknown moments, moving at most at
            # driving pace or, between photos, three times the leg's average speed (a motorway's 11.7 km in 13 min); a
            # logger's fixes record the way itself, so between two of them at most its average; within the plausibility bound
            faster = 1.0 if before.kind == after.kind == "track" else FASTER
            fastest = min(max(ROAD_M_PER_S if any(passing) else DRIVING_M_PER_S, faster * apart / max(span, 1.0)), policy.max_speed_kmh / 3.6)
            ahead = min(apart, fastest * gap_before) - fraction * apart
            behind = fraction * apart - max(0.0, apart - fastest * gap_after)
            along = max(ahead, behind, 0.0)
            stray = max(min(apart / 2, WALKING_M_PER_S * nearest), _walk_reach(apart, fraction, gap_before, gap_after))
            radius = max(before.radius_m, after.radius_m) + max(along, stray)
            confidence = 0.95 * (1 - 0.5 * nearest / max(policy.interpolate_max_min * 60, 1.0))
            return Placement(lat=lat, lon=lon, altitude_m=altitude, radius_m=radius, confidence=confidence,
                             note=f"{words}, {_distance(apart)} apart: interpolated", kind=kind)
    candidates = [(abs(t - a.t), a) for a in (before, after) if a is not None]
    if not candidates:
        return None
    gap, nearest_anchor = min(candidates, key=lambda item: item[0])
    limit = policy.extrapolate_max_min * 60
    if gap > limit:
        return None
    # before the photo of a place the user came to from elsewhere, they may not have arrived yet: a phone photo on arriving
    # is common (real loggers' trips: camera photos 1-3 min before one were taken 0.8-1.4 km down the road)
    arriving = nearest_anchor is after and math.isfinite(left_at)
    pace = DRIVING_M_PER_S if arriving or gap > left_at else WALKING_M_PER_S
    if passing[0 if nearest_anchor is before else 1]:  # taken in passing: the user may be on the road, before it and after
        pace = max(pace, min(ROAD_M_PER_S, policy.max_speed_kmh / 3.6))  # (never less than without: a plausibility bound set low)
    radius = nearest_anchor.radius_m + pace * gap
    confidence = 0.9 * (1 - gap / limit) ** 2 if limit > 0 else 0.9  # written (0.3) up to 42 % of the bound, then for review
    side = "before" if nearest_anchor is before else "after"
    return Placement(lat=nearest_anchor.lat, lon=nearest_anchor.lon, altitude_m=nearest_anchor.altitude_m, radius_m=radius,
                     confidence=confidence,
                     note=f"{ago(gap)} {'after' if side == 'before' else 'before'} {nearest_anchor.label}: its position",
                     kind=nearest_anchor.kind)


def _walk_reach(apart: float, fraction: float, gap_before: float, gap_after: float) -> float:
    """How far from the interpolated point a user walking from the first place to the second could be
    at the photo's moment: the farthest point within walking reach of both (the lens where a disc of
    ``WALKING_M_PER_S * gap_before`` round the first meets one of ``WALKING_M_PER_S * gap_after`` round
    the second), on a plane along the line between them. A walk that wandered (a path round a hill,
    a stroll through a town) strays further than half the way: real walkers' tracks between two photos
    384 m apart put a photo 262 m off the line. Where walking cannot join the two in the time, the
    user rode, and the way along the line (the caller's driving bound) is the reach; 0 here."""
    r1, r2, d = WALKING_M_PER_S * gap_before, WALKING_M_PER_S * gap_after, apart
    if d == 0:
        return min(r1, r2)
    if r1 + r2 < d:
        return 0.0
    at = fraction * d  # the interpolated point, on the axis from the first place (0) to the second (d)
    reach = 0.0
    if d + r1 <= r2:  # the first disc lies within the second: its far side counts
        reach = max(reach, at + r1)
    if d + r2 <= r1:
        reach = max(reach, d + r2 - at)
    x = (r1 * r1 - r2 * r2 + d * d) / (2 * d)  # where the two circles cross
    if r1 * r1 >= x * x:
        reach = max(reach, math.hypot(x - at, math.sqrt(r1 * r1 - x * x)))
    return reach


_GREAT_CIRCLE: list[Callable[[float, float, float, float, float], tuple[float, float]]] = []


def _great_circle_point(lat1: float, lon1: float, lat2: float, lon2: float, fraction: float) -> tuple[float, float]:
    """geo.interpolate's, loaded on first use: the policy's numbers (the options the CLI and the
    desktop declare from them) import nothing heavy."""
    if not _GREAT_CIRCLE:
        from geor.engine.geo.interpolate import great_circle_point

        _GREAT_CIRCLE.append(great_circle_point)
    return _GREAT_CIRCLE[0](lat1, lon1, lat2, lon2, fraction)


def _between(a: float | None, b: float | None, fraction: float) -> float | None:
    return None if a is None or b is None else a + fraction * (b - a)


def ago(seconds: float) -> str:
    seconds = abs(seconds)
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _distance(metres: float) -> str:
    return f"{metres:,.0f} m" if metres < 1000 else f"{metres / 1000:,.1f} km"
