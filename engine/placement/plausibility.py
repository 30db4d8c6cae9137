"""Checks every decision must pass before ``geor tag`` writes it; a decision that fails one goes to
review with the reason (report, desktop filter) and is never written without a person's yes.

- **speed**: consecutive placed photos of one camera (its own GPS and the decisions not already
  waiting for review, on its timeline) implying a speed beyond ``max_speed_kmh`` once both
  positions' radii are allowed for; a track whose own fixes move that fast over the same interval
  justifies it (a flight, a high-speed train);
- **null position**: a decision at (0, 0);
- **far from the day**: a decision more than ``far_km`` from every GPS photo and track fix within
  12 hours of it;
- **another country**: a model answer in a country none of the GPS photos within 12 hours of it
  are in.

Photos' own GPS positions are facts here: they are never flagged, only the decisions beside them.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from .anchors import track_anchors
from .policy import PlacementPolicy, Timeline, distance_m
from .sources import FACT_SOURCES, Source
from .tracks import Track

DAY_S = 12 * 3600.0


@dataclass(frozen=True, kw_only=True)
class Placed:
    id: int
    name: str  # file name, for the reasons
    camera: str
    t: float | None  # seconds on the camera's timeline (UTC when ``on_utc``, else its own clock)
    on_utc: bool
    lat: float
    lon: float
    radius_m: float
    source: str  # exif, interpolated, track, model, manual
    country: str | None = None  # country name (for the reasons) when named
    country_code: str | None = None
    review: bool = False  # already waiting for a person: not evidence against its neighbours


def implausible(placed: Sequence[Placed], policy: PlacementPolicy, track: Track | None = None) -> dict[int, str]:
    """{photo id: the reason} for the decisions that fail a check (facts are never flagged)."""
    reasons: dict[int, list[str]] = defaultdict(list)
    track_line = Timeline(track_anchors(track)) if track and len(track) else None
    for item in placed:
        if item.source not in FACT_SOURCES and abs(item.lat) < 1e-7 and abs(item.lon) < 1e-7:
            reasons[item.id].append("the position is (0, 0), a null position")
    _speeds(placed, policy, track_line, reasons)
    _far_and_foreign(placed, policy, track, reasons)
    return {photo: "; ".join(dict.fromkeys(words)) for photo, words in reasons.items()}


def _speeds(placed: Sequence[Placed], policy: PlacementPolicy, track_line: Timeline | None, reasons: dict[int, list[str]]) -> None:
    by_camera: dict[str, list[Placed]] = defaultdict(list)
    for item in placed:
        if item.t is not None and not item.review:
            by_camera[item.camera].append(item)
    for members in by_camera.values():
        members.sort(key=lambda p: (p.t, p.id))
        for a, b in pairwise(members):
            if a.source in FACT_SOURCES and b.source in FACT_SOURCES:
                continue
            assert a.t is not None and b.t is not None
            apart = distance_m(a.lat, a.lon, b.lat, b.lon)
            beyond = apart - a.radius_m - b.radius_m
            seconds = max(b.t - a.t, 1.0)
            kmh = beyond / seconds * 3.6
            if beyond <= 1000 or kmh <= policy.max_speed_kmh:
                continue
            if track_line is not None and a.on_utc and _track_moves(track_line, a.t, b.t, policy):
                continue
            for item, other in ((a, b), (b, a)):
                if item.source not in FACT_SOURCES:
                    when = "later" if other is b else "earlier"
                    reasons[item.id].append(
                        f"implies {kmh:,.0f} km/h from {other.name} ({_gap(seconds)} {when}, {apart / 1000:,.1f} km away): faster than "
                        f"{policy.max_speed_kmh:g} km/h and no track shows such travel")


def _track_moves(track_line: Timeline, t1: float, t2: float, policy: PlacementPolicy) -> bool:
    """Whether the track itself moves faster than ``max_speed_kmh`` somewhere within [t1, t2]
    (between fixes at most ``interpolate_max_min`` apart, or across the gap of a flight)."""
    times = track_line.times
    start = max(bisect.bisect_left(times, t1) - 1, 0)
    stop = min(bisect.bisect_right(times, t2) + 1, len(times))
    fixes = track_line.anchors[start:stop]
    for f, g in pairwise(fixes):
        seconds = max(g.t - f.t, 1.0)
        if distance_m(f.lat, f.lon, g.lat, g.lon) / seconds * 3.6 > policy.max_speed_kmh:
            return True
    return False


def _far_and_foreign(placed: Sequence[Placed], policy: PlacementPolicy, track: Track | None, reasons: dict[int, list[str]]) -> None:
    """Decisions from sources other than the anchors (the model) against the day's anchors."""
    timed = sorted(((p.t, p) for p in placed if p.source == Source.EXIF and p.t is not None and p.on_utc), key=lambda tp: tp[0])
    fact_times = [t for t, _ in timed]
    facts = [p for _, p in timed]
    fixes = track.fixes if track is not None else []
    fix_times = track.times if track is not None else []
    for item in placed:
        if item.source in FACT_SOURCES or item.source in (Source.INTERPOLATED, Source.TRACK) or item.t is None or not item.on_utc:
            continue
        day = facts[bisect.bisect_left(fact_times, item.t - DAY_S):bisect.bisect_right(fact_times, item.t + DAY_S)]
        day_fixes = fixes[bisect.bisect_left(fix_times, item.t - DAY_S):bisect.bisect_right(fix_times, item.t + DAY_S)]
        nearest: tuple[float, str] | None = None
        for p in day:
            d = distance_m(item.lat, item.lon, p.lat, p.lon)
            if nearest is None or d < nearest[0]:
                nearest = (d, p.name)
        for f in day_fixes[:: max(1, len(day_fixes) // 2000)]:  # a dense track: a sample of it is enough at this scale
            d = distance_m(item.lat, item.lon, f.lat, f.lon)
            if nearest is None or d < nearest[0]:
                nearest = (d, f"the track {f.source}".strip())
        if nearest is not None and nearest[0] > policy.far_km * 1000:
            reasons[item.id].append(f"{nearest[0] / 1000:,.0f} km from the nearest GPS of the same day ({nearest[1]}), "
                                    f"more than {policy.far_km:g} km")
        countries = {p.country_code: p.country for p in day if p.country_code}
        if item.source == Source.MODEL and countries and item.country_code and item.country_code not in countries:
            reasons[item.id].append(f"the model says {item.country or item.country_code}, the same day's GPS photos are in "
                                    f"{' and '.join(sorted(str(c) for c in countries.values()))}")


def _gap(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:,.0f} min" if seconds < 5400 else f"{seconds / 3600:,.1f} h"
