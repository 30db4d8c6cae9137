"""Every camera's clock, on one UTC timeline: how far each camera's clock is from UTC (its time zone
plus its error), with a strength and the evidence behind it in words.

A camera is its Make + Model + body serial number (photos without any are grouped per folder, and
what their GPS times or zones say covers only the times those photos span: the others may be of
another device: weak, or --tz when given). Its offset comes, in this order of trust:

1. **set by you**: ``--clock "NIKON Z 6=+01:03:27"`` (or the desktop settings);
2. **exact**: the GPS time (GPSDateStamp + GPSTimeStamp, always UTC) of its own GPS photos; a GPS
   time equal to the second to the camera's time at a place whose sun says another zone is a copy
   written by some program, and is ignored; one more than 26 hours from the camera's time (a
   position a program added years later, or a clock reset) counts only as a run of photos whose
   GPS times advance with the clock over ten minutes and more;
3. **declared**: its OffsetTimeOriginal / OffsetTimeDigitized / OffsetTime tags, photo by photo (a
   phone that crossed a time zone says so in each photo); where both tags and GPS times exist and
   differ by more than a minute, the GPS times win (the clock drifted), and by more than 15
   minutes the camera contradicts itself: the clock is weak;
4. **inferred** (can be switched off): the offset, hours + minutes + seconds, that best explains the
   bursts this camera shot at the moments other devices with a trusted clock were shooting
   (bursts.py), and the photos of it that look like one of theirs (the same scene, by perceptual
   hash: the job takes them when the bursts alone leave the clock unsure). Its spread is measured
   by a bootstrap over bursts; strong when it matches at least 12 bursts, no rival offset fits
   almost as well and the spread is within 2 minutes; bounded when only the spread is wider (its
   photos are placed only where the spread cannot move them); weak otherwise. A block of bursts that another offset explains instead is a clock change
   (a time zone set mid-trip, a DST switch): a segment with its own offset, and the photos between
   two segments are weak. A camera with declared tags is checked the same way for drift.
   Without other devices, the times a track covers can suggest an offset (always weak);
   A camera's videos whose CreateDate has no zone (a device of their own, ``NIKON Z 6 (video
   clock)``) take the camera's clock when their file names sit among its photos' and their times
   fall between those photos' read one way for all: the camera's local time, or UTC as QuickTime
   says (the camera's offset less its zone); said so in the evidence, at most strong.
5. ``--tz``: the offset for cameras nothing else tells about, exactly as typed (a weak guess that
   disagrees is reported, never applied).

Set, exact, declared, strong and bounded clocks place a photo from another device's anchors without
a person's review (within the radius limit); a weak one makes a proposal for review; an unknown one places nothing across
devices (the camera's own GPS photos still place its other photos, on its own clock).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from geor.engine.inference.images import VIDEO_SUFFIXES
from geor.engine.paths import printable

from .bursts import (
    PAIR_CAP_S,
    STRONG_MARGIN,
    SURE_BURSTS,
    SURE_MARGIN,
    TOLERANCE_S,
    Activity,
    Change,
    align,
    find_clock_change,
    independent_pairs,
)
from .clock_offsets import ClockOffsetError, format_offset, format_spread, names_camera
from .policy import PlacementPolicy
from .scenes import hamming, telling
from .tracks import Track

TRUSTED = frozenset({"set", "exact", "declared", "strong"})
#: Clocks whose photos are placed from other devices' anchors: trusted ones, and bounded ones where
#: their uncertainty cannot move the position (the radius over it is within the policy's limit).
PLACING = TRUSTED | {"bounded"}
STRENGTH_WORDS = {"set": "set by you", "exact": "exact", "declared": "declared by the camera", "strong": "strong",
                  "bounded": "bounded", "weak": "weak: review", "unknown": "unknown"}
DRIFT_S = 60.0  # tags and GPS times closer than this agree
CONTRADICTION_S = 15 * 60.0  # further apart than this, a camera contradicts itself
RUN_TOLERANCE_S = 300.0  # GPS-time offsets within this of each other are one clock setting
#: Beyond this a GPS-time offset is no time zone (UTC-12 to +14) with a wrong day or a drift: a clock
#: reset to its factory date, or a GPS block a program added later with the time of its own edit (an
#: archive's 2003 scan geotagged by a phone app in 2018). Only a run of photos whose GPS times advance
#: with their clock over FAR_RUN_SPAN_S tells the two apart; one photo, or a few within minutes, does not.
FAR_OFFSET_S = 26 * 3600.0
FAR_RUN_SPAN_S = 600.0
MIN_GPS_YEAR = 1995
ANONYMOUS = "(no camera model)"
MAX_ALIKE = 4  # a camera photo alike to more reference photos than this tells no moment
PAIR_BITS = 16  # a camera photo and another device's this alike are one scene (stricter than a scene's 20: other devices, many pairs)
MIN_AGREEING_PAIRS = 3


@dataclass(frozen=True)
class ClockPhoto:
    id: int
    camera: str  # the grouping key (clocks.camera_key)
    name: str  # the file name, for the evidence
    local: float  # the camera's clock reading, as seconds since 1970 read as if it were UTC
    tag_offset: float | None = None  # OffsetTime* in seconds
    gps_time: float | None = None  # UTC seconds of the GPS fix
    position: tuple[float, float] | None = None
    weak_time: bool = False  # ModifyDate only: not used as evidence
    look: int | None = None  # its 64-bit perceptual hash (scenes.fingerprint), when the job took it


@dataclass(frozen=True)
class ClockSegment:
    first: float  # local seconds of the first and last photo it covers
    last: float
    offset_s: float
    strength: str


@dataclass(kw_only=True)
class CameraClock:
    camera: str
    photos: int
    strength: str = "unknown"
    source: str = ""  # set, gps-time, offset-tags, bursts, track, tz
    evidence: str = ""
    uncertainty_s: float = 0.0
    segments: list[ClockSegment] = field(default_factory=list)
    per_photo: dict[int, float] = field(default_factory=dict)  # photos whose own tag (plus drift) gives their offset
    beyond: tuple[float, str] | None = None  # --tz's offset for a model-less group's photos its GPS times or zones do not speak for

    @property
    def partial(self) -> bool:
        """A group of photos without make, model or serial (camera_key) whose clock some of them tell
        (GPS times, zones): they may be of several devices, so it does not reach the others beyond
        the times it covers (``end_segment``), and a zone tag speaks for its own photo only."""
        return is_anonymous(self.camera) and self.source in ("gps-time", "offset-tags")

    def end_segment(self, local: float) -> ClockSegment | None:
        """The first segment for a moment before all of them, the last for one after; else None."""
        if not self.segments or self.segments[0].first <= local <= self.segments[-1].last:
            return None
        return self.segments[0] if local < self.segments[0].first else self.segments[-1]

    @property
    def offset_s(self) -> float | None:
        """The offset of most of its photos (what the CLI prints first)."""
        if self.per_photo:
            return Counter(self.per_photo.values()).most_common(1)[0][0]
        if not self.segments:
            return None
        return max(self.segments, key=lambda s: s.last - s.first).offset_s

    @property
    def trusted(self) -> bool:
        return self.strength in TRUSTED

    def offset_for(self, photo: ClockPhoto) -> tuple[float | None, str]:
        """(offset, strength) for one of this camera's photos: a photo between two segments with
        different offsets (the clock was changed somewhere in between) is weak."""
        if photo.id in self.per_photo:
            return self.per_photo[photo.id], self.strength
        if self.partial and self.source == "offset-tags":  # the others' zones are other devices' word
            offset, strength = self.from_segments(photo)
            if self.speaks_for_itself(photo, offset):
                return (photo.tag_offset, "declared") if photo.tag_offset is not None else (offset, strength)
            return self.beyond or (offset, min(strength, "weak", key=_rank))
        return self.from_segments(photo)

    @staticmethod
    def speaks_for_itself(photo: ClockPhoto, offset: float | None) -> bool:
        """Whether a model-less photo outside ``per_photo`` tells its own clock: a zone tag on a
        time that is no evidence (ModifyDate), or a GPS time that agrees with ``offset``."""
        if photo.tag_offset is not None:
            return True
        return photo.gps_time is not None and offset is not None and abs(photo.local - photo.gps_time - offset) <= DRIFT_S

    def from_segments(self, photo: ClockPhoto) -> tuple[float | None, str]:
        """(offset, strength) from the segments alone: the photo's place among them."""
        segments = self.segments
        if not segments:
            return None, "unknown"
        for segment in segments:
            if segment.first <= photo.local <= segment.last:
                return segment.offset_s, segment.strength
        end = self.end_segment(photo.local)
        if end is not None:
            if self.partial:  # not another device's word: --tz, else review
                return self.beyond or (end.offset_s, min(end.strength, "weak", key=_rank))
            return end.offset_s, end.strength
        for before, after in pairwise(segments):
            if before.last < photo.local < after.first:
                nearer = before if photo.local - before.last <= after.first - photo.local else after
                same = abs(before.offset_s - after.offset_s) < DRIFT_S
                return nearer.offset_s, min(before.strength, after.strength, key=_rank) if same else "weak"
        return segments[-1].offset_s, "weak"

    def describe(self) -> str:
        """"+1:03:27 (strong): from 14 co-occurring bursts with Apple iPhone 12 Pro"."""
        offset = self.offset_s
        spread = f" {format_spread(self.uncertainty_s)}" if self.source in ("bursts", "track") and offset is not None else ""
        head = "unknown" if offset is None else f"{format_offset(offset)}{spread} ({STRENGTH_WORDS[self.strength]})"
        return f"{head}: {self.evidence}" if self.evidence else head

    def as_dict(self) -> dict[str, Any]:
        offset = self.offset_s
        return {"camera": self.camera, "photos": self.photos, "strength": self.strength, "source": self.source,
                "offset": None if offset is None else format_offset(offset), "evidence": self.evidence,
                "uncertainty_s": round(self.uncertainty_s, 1),
                "segments": [{"from": _local_text(s.first), "to": _local_text(s.last), "offset": format_offset(s.offset_s),
                              "strength": s.strength} for s in self.segments]}


def camera_key(camera: str | None, relpath: bytes) -> str:
    """The camera of a photo (make + model + serial, spaces tidied) by its job-store row; photos
    without any are one camera per folder (an export, a scanner, a messenger)."""
    camera = " ".join((camera or "").split())
    folder = printable(os.fsdecode(os.path.dirname(relpath)))
    return camera if camera else f"{ANONYMOUS} in {folder or '.'}"


def is_anonymous(camera: str) -> bool:
    """A camera_key of photos without make, model or serial."""
    return camera.startswith(ANONYMOUS)


def _rank(strength: str) -> int:
    return ["unknown", "weak", "bounded", "strong", "declared", "exact", "set"].index(strength)


def infer_clocks(photos: Iterable[ClockPhoto], *, overrides: dict[str, float] | None = None, default_offset: float | None = None,
                 infer: bool = True, track: Track | None = None, policy: PlacementPolicy | None = None) -> dict[str, CameraClock]:
    """Every camera's clock (see the module docstring). ``overrides``: the user's words naming a
    camera -> offset seconds; words naming no camera or several are an error."""
    policy = policy or PlacementPolicy()
    groups: dict[str, list[ClockPhoto]] = defaultdict(list)
    for photo in photos:
        groups[photo.camera].append(photo)
    for members in groups.values():
        members.sort(key=lambda p: (p.local, p.id))
    chosen = _match_overrides(overrides or {}, list(groups))
    clocks: dict[str, CameraClock] = {}
    for camera, members in groups.items():
        clock = CameraClock(camera=camera, photos=len(members))
        if camera in chosen:
            words, offset = chosen[camera]
            clock.strength, clock.source, clock.evidence = "set", "set", f"set by you (--clock {words!r})"
            clock.segments = [ClockSegment(members[0].local, members[-1].local, offset, "set")]
        else:
            _declared(clock, members)
        clocks[camera] = clock
    if infer:
        # cameras whose only evidence is their own tags are checked against the clocks GPS times
        # confirm (or, without any, against each other: two that disagree both become weak)
        exact = {c for c, clock in clocks.items() if clock.strength in ("set", "exact")}
        declared = [c for c, clock in clocks.items() if clock.strength == "declared"]
        checks = {c: _references(clocks, groups, exclude=c, only=exact - {c} or None) for c in declared}
        for camera, reference in checks.items():
            _check_drift(clocks[camera], groups[camera], reference)
        for _ in range(3):  # a camera placed on the timeline becomes a reference for the next
            changed = False
            for camera, clock in clocks.items():
                if clock.strength == "unknown" or (clock.source == "bursts" and clock.strength == "weak"):
                    before = (clock.strength, clock.offset_s)
                    _from_bursts(clock, groups[camera], _references(clocks, groups, exclude=camera))
                    changed |= (clock.strength, clock.offset_s) != before and clock.trusted
            if not changed:
                break
        for camera, clock in clocks.items():  # a camera's videos on its photos' clock, by the order of their file names
            base = _photos_camera(camera, clocks)
            if base is not None and clock.strength in ("unknown", "weak") and clock.source in ("", "bursts"):
                _videos_by_file_order(clock, groups[camera], clocks[base], groups[base])
        if track is not None and len(track):
            for camera, clock in clocks.items():
                if clock.strength == "unknown":
                    _from_track(clock, groups[camera], track, policy)
    if default_offset is not None:
        for camera, clock in clocks.items():
            _apply_default(clock, groups[camera], default_offset)
    return clocks


#: The device of a camera's videos whose QuickTime CreateDate has no zone (video_metadata.py).
VIDEO_CLOCK = " (video clock)"
#: A video's time may lie this far outside the photos shot before and after it by file name (a
#: CreateDate at the end of the recording, a few minutes of clock error beside a zone).
FILE_ORDER_TOLERANCE_S = 15 * 60.0
ZONE_STEP_S = 15 * 60.0


def _photos_camera(videos: str, clocks: dict[str, CameraClock]) -> str | None:
    """The camera whose photos a video device's clock is read beside: the one of the same name, else
    the only one whose name holds every word of the videos' (QuickTime's ``NIKON Z 6`` beside EXIF's
    ``NIKON CORPORATION NIKON Z 6 3012345``)."""
    name = videos.removesuffix(VIDEO_CLOCK)
    if name == videos:
        return None
    if name in clocks:
        return name
    words = set(name.lower().split())
    found = [c for c in clocks if not c.endswith(VIDEO_CLOCK) and words and words <= set(c.lower().split())]
    return found[0] if len(found) == 1 else None


def _videos_by_file_order(clock: CameraClock, videos: list[ClockPhoto], camera: CameraClock, photos: list[ClockPhoto]) -> None:
    """A camera's videos take its photos' clock when their file names sit among its photos'
    (``DSC_0011.JPG``, ``DSC_0012.MOV``, ``DSC_0013.JPG``) and their CreateDate falls between those
    photos' times read one way for all of them: as the camera's local time (offset: the photos'), or
    as UTC, as QuickTime's specification says (the photos' offset less its zone, the nearest quarter
    hour: the camera's error stays). Neither, or both where the zone is not 0: left as it was."""
    by_name = sorted([*((p.name.lower(), 0, p) for p in photos), *((v.name.lower(), 1, v) for v in videos)], key=lambda t: t[:2])
    local_fits = utc_fits = checked = 0
    offsets: list[float] = []
    for i, (_, kind, video) in enumerate(by_name):
        if kind != 1:
            continue
        before = next((p for _, k, p in reversed(by_name[:i]) if k == 0), None)
        after = next((p for _, k, p in by_name[i + 1:] if k == 0), None)
        if before is None or after is None:
            continue
        offset, strength = camera.offset_for(before)
        if offset is None or strength not in PLACING:
            continue
        zone = round(offset / ZONE_STEP_S) * ZONE_STEP_S
        low, high = before.local - FILE_ORDER_TOLERANCE_S, after.local + FILE_ORDER_TOLERANCE_S
        checked += 1
        local_fits += low <= video.local <= high
        utc_fits += low <= video.local + zone <= high
        offsets.append(offset)
    if not checked:
        return
    offset = Counter(offsets).most_common(1)[0][0]
    zone = round(offset / ZONE_STEP_S) * ZONE_STEP_S
    as_local, as_utc = local_fits == checked, utc_fits == checked
    if as_local == as_utc and (not as_local or zone != 0):  # neither reading fits, or both do and they differ
        return
    strength = min(camera.strength, "strong", key=_rank)
    clock.strength, clock.source, clock.uncertainty_s = strength, "file-order", camera.uncertainty_s
    clock.per_photo = {}
    clock.segments = [ClockSegment(videos[0].local, videos[-1].local, offset if as_local else offset - zone, strength)]
    reading = "the camera's local time" if as_local else "UTC"
    clock.evidence = (f"its CreateDate is {reading}: {checked} of its videos {'fits' if checked == 1 else 'fit'} between "
                      f"{camera.camera}'s photos by file name on its clock {format_offset(offset)}")


def _match_overrides(overrides: dict[str, float], cameras: list[str]) -> dict[str, tuple[str, float]]:
    chosen: dict[str, tuple[str, float]] = {}
    for words, offset in overrides.items():
        named = [c for c in cameras if names_camera(words, c)]
        if not named:
            known = "; ".join(sorted(cameras)[:8]) or "none"
            raise ClockOffsetError(f"--clock {words!r}: no camera of that name in this folder (cameras: {known})")
        if len(named) > 1:
            raise ClockOffsetError(f"--clock {words!r} names {len(named)} cameras ({'; '.join(sorted(named))}): "
                                   "add the serial number or more of the model name")
        for camera in named:
            if camera in chosen:
                raise ClockOffsetError(f"--clock {words!r} and --clock {chosen[camera][0]!r} both name {camera}")
            chosen[camera] = (words, offset)
    return chosen


# -- what the camera's own files say ----------------------------------------------------------------

def _declared(clock: CameraClock, members: list[ClockPhoto]) -> None:
    _own_word(clock, members)
    if clock.partial:
        clock.evidence += _beyond_note(clock, members, "weak, for review")


def _own_word(clock: CameraClock, members: list[ClockPhoto]) -> None:
    gps_points, copies = _gps_offsets(members)
    gps_runs = _runs(gps_points)
    far = [r for r in gps_runs if abs(r.offset_s) > FAR_OFFSET_S and r.last - r.first < FAR_RUN_SPAN_S]
    if far:
        gps_runs = [r for r in gps_runs if r not in far]
        kept = [p for p in gps_points if not any(r.first <= p[0] <= r.last and abs(p[1] - r.offset_s) <= RUN_TOLERANCE_S for r in far)]
        far_note = (f"the GPS time of {len(gps_points) - len(kept)} photo{'s' if len(gps_points) - len(kept) != 1 else ''} is "
                    f"{_far_words(far[0].offset_s)} its clock: a position added later by a program, or a clock reset, and no run of "
                    "photos tells which; not used as its clock")
        gps_points = kept
    tagged = [p for p in members if p.tag_offset is not None and not p.weak_time]
    if tagged:
        tags = Counter(format_offset(p.tag_offset) for p in tagged if p.tag_offset is not None)
        tag_words = ", ".join(t for t, _ in tags.most_common(3))
    if gps_runs and tagged:
        tag_values = np.asarray([p.tag_offset for p in tagged], dtype=np.float64)
        gps_local, gps_offset = (np.asarray(column, dtype=np.float64) for column in zip(*gps_points, strict=True))
        nearest_tags = tag_values[_nearest(np.asarray([p.local for p in tagged], dtype=np.float64), gps_local)]
        differences = list(gps_offset - nearest_tags)
        gap = statistics.median(differences)
        if abs(gap) <= DRIFT_S:
            _use_tags(clock, members, tagged, strength="exact")
            clock.evidence = (f"from its OffsetTime tags ({tag_words}), which the GPS time of {len(gps_points)} of its photos "
                              "confirms")
            return
        if abs(gap) <= CONTRADICTION_S:
            _use_gps(clock, gps_runs)
            clock.evidence = (f"from the GPS time of {len(gps_points)} of its photos; its OffsetTime tags ({tag_words}) are "
                              f"{format_offset(gap)} off: the clock drifted")
        else:
            _use_gps(clock, gps_runs, strength="weak")
            clock.evidence = (f"contradictory: the GPS time of {len(gps_points)} photos says {_run_words(gps_runs)}, "
                              f"its OffsetTime tags say {tag_words}")
        return
    if gps_runs:
        _use_gps(clock, gps_runs)
        clock.evidence = f"from the GPS time of {len(gps_points)} of its photos"
        if len(gps_runs) > 1:
            clock.evidence += f" ({_run_words(gps_runs)}: the clock was changed)"
    elif tagged:
        _use_tags(clock, members, tagged)
        videos = all(Path(p.name).suffix.lower() in VIDEO_SUFFIXES for p in tagged)
        clock.evidence = f"from the zone its videos' times carry ({tag_words})" if videos else f"from its OffsetTime tags ({tag_words})"
    if copies:
        note = f"{copies} GPS time{'s' if copies != 1 else ''} equal to the camera's time at a place in another zone: copied by a program, ignored"
        clock.evidence = f"{clock.evidence}; {note}" if clock.evidence else note
    if far:
        clock.evidence = f"{clock.evidence}; {far_note}" if clock.evidence else far_note


def _beyond_note(clock: CameraClock, members: list[ClockPhoto], fate: str) -> str:
    """What becomes of a partial clock's photos outside the times it covers, in words ('' when none)."""
    if clock.source == "offset-tags":  # each tag speaks for its own photo only
        beyond = sum(1 for p in members if p.id not in clock.per_photo and not clock.speaks_for_itself(p, clock.from_segments(p)[0]))
        where = "without a zone of their own" if beyond != 1 else "without a zone of its own"
    else:
        beyond = sum(1 for p in members if p.id not in clock.per_photo and clock.end_segment(p.local) is not None)
        where = "outside the times those span"
    return f"; {beyond} photo{'s' if beyond != 1 else ''} {where} may be of another device (no camera model): {fate}" if beyond else ""


def _far_words(offset_s: float) -> str:
    """How far a GPS time is from the clock, in words: '14.6 years after', '3 days before'."""
    days = abs(offset_s) / 86400
    amount = f"{days / 365.25:.1f} years" if days >= 365 else f"{days:.0f} days"
    return f"{amount} {'after' if offset_s < 0 else 'before'}"


def _gps_offsets(members: list[ClockPhoto]) -> tuple[list[tuple[float, float]], int]:
    """(local, local - GPS time) of the photos whose GPS time can be believed; how many were copies."""
    points, copies = [], 0
    floor = dt.datetime(MIN_GPS_YEAR, 1, 1, tzinfo=dt.UTC).timestamp()
    for photo in members:
        if photo.gps_time is None or photo.weak_time or photo.gps_time < floor:
            continue
        offset = photo.local - photo.gps_time
        if abs(offset) < 2 and photo.position is not None and abs(_solar_hours(photo.position[1])) > 2.5:
            copies += 1
            continue
        points.append((photo.local, offset))
    return points, copies


def _solar_hours(lon: float) -> float:
    return ((lon / 15 + 12) % 24) - 12


def _runs(points: list[tuple[float, float]]) -> list[ClockSegment]:
    """Consecutive GPS-time offsets that agree (a stale fix is an outlier when its neighbours agree
    without it)."""
    runs: list[list[tuple[float, float]]] = []
    for local, offset in sorted(points):
        if runs and abs(offset - statistics.median(o for _, o in runs[-1][-25:])) <= RUN_TOLERANCE_S:  # the run's recent median
            runs[-1].append((local, offset))
        else:
            runs.append([(local, offset)])
    kept = []
    for i, run in enumerate(runs):
        neighbours = [runs[j] for j in (i - 1, i + 1) if 0 <= j < len(runs)]
        if len(run) == 1 and neighbours and all(len(n) >= 2 for n in neighbours):
            medians = [statistics.median(o for _, o in n) for n in neighbours]
            if len(medians) == 1 or abs(medians[0] - medians[1]) <= RUN_TOLERANCE_S:
                continue  # one photo against its agreeing neighbours: a stale fix
        kept.append(run)
    merged: list[list[tuple[float, float]]] = []
    for run in kept:
        if merged and abs(statistics.median(o for _, o in merged[-1]) - statistics.median(o for _, o in run)) <= RUN_TOLERANCE_S:
            merged[-1].extend(run)
        else:
            merged.append(run)
    return [ClockSegment(run[0][0], run[-1][0], statistics.median(o for _, o in run), "exact") for run in merged]


def _run_words(runs: list[ClockSegment]) -> str:
    return ", then ".join(f"{format_offset(r.offset_s)}" for r in runs)


def _nearest(times: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """For each query, the index of the nearest of ``times`` (sorted, not empty); the earlier on a tie."""
    i = np.searchsorted(times, queries)
    after, before = np.minimum(i, len(times) - 1), np.maximum(i - 1, 0)
    take_before = (i == len(times)) | ((i > 0) & (np.abs(queries - times[before]) <= np.abs(queries - times[after])))
    return np.where(take_before, before, after)


def _use_gps(clock: CameraClock, runs: list[ClockSegment], strength: str = "exact") -> None:
    clock.strength, clock.source, clock.uncertainty_s = strength, "gps-time", 2.0
    clock.segments = [ClockSegment(r.first, r.last, r.offset_s, strength) for r in runs]


def _use_tags(clock: CameraClock, members: list[ClockPhoto], tagged: list[ClockPhoto], drift: float = 0.0,
              strength: str = "declared") -> None:
    clock.strength, clock.source, clock.uncertainty_s = strength, "offset-tags", 30.0
    clock.per_photo = {p.id: p.tag_offset + drift for p in tagged if p.tag_offset is not None}
    segments: list[ClockSegment] = []
    for photo in tagged:
        offset = (photo.tag_offset or 0.0) + drift
        if segments and segments[-1].offset_s == offset:
            segments[-1] = ClockSegment(segments[-1].first, photo.local, offset, strength)
        else:
            segments.append(ClockSegment(photo.local, photo.local, offset, strength))
    clock.segments = segments


# -- what other devices say --------------------------------------------------------------------------

@dataclass
class _Reference:
    times: np.ndarray  # UTC seconds, sorted
    cameras: np.ndarray  # index into names
    names: list[str]
    places: np.ndarray  # (lat, lon) of each, NaN where the photo has no position
    looks: np.ndarray  # uint64 perceptual hash of each; ``has_look`` says which tell a picture (scenes.telling)
    has_look: np.ndarray

    @cached_property
    def activity(self) -> Activity:
        return Activity.of(self.times, places=self.places)

    def activity_for(self, members: list[ClockPhoto]) -> Activity:
        """The activity with the alike pairs of one camera's photos."""
        return self.activity.with_pairs(_alike_pairs(members, self))


def _references(clocks: dict[str, CameraClock], groups: dict[str, list[ClockPhoto]], exclude: str,
                only: set[str] | None = None) -> _Reference:
    """Every photo of the other cameras with trusted clocks (or of ``only`` these), on UTC."""
    times: list[float] = []
    owners: list[int] = []
    names: list[str] = []
    places: list[tuple[float, float]] = []
    looks: list[int | None] = []
    for camera, clock in clocks.items():
        if camera == exclude or not clock.trusted or (only is not None and camera not in only):
            continue
        index = len(names)
        names.append(camera)
        for photo in groups[camera]:
            if photo.weak_time:
                continue
            offset, strength = clock.offset_for(photo)
            if offset is not None and strength in TRUSTED:
                times.append(photo.local - offset)
                owners.append(index)
                places.append(photo.position or (np.nan, np.nan))
                looks.append(photo.look)
    order = np.argsort(np.asarray(times, dtype=np.float64), kind="stable")
    has_look = np.asarray([telling(look) for look in looks], dtype=bool)
    look_values = np.asarray([look or 0 for look in looks], dtype=np.uint64)
    return _Reference(np.asarray(times, dtype=np.float64)[order], np.asarray(owners, dtype=np.int64)[order], names,
                      np.asarray(places, dtype=np.float64).reshape(-1, 2)[order], look_values[order], has_look[order])


def _alike_pairs(members: list[ClockPhoto], reference: _Reference) -> tuple[np.ndarray, np.ndarray] | None:
    """(camera clock reading, reference UTC moment) of every camera photo and reference photo whose
    looks differ in at most ``PAIR_BITS`` bits, of the offset most such pairs agree on. A camera
    photo alike to more than ``MAX_ALIKE`` reference photos tells no moment (a wall of identical
    frames, a photo of the sky) and gives none."""
    if not reference.has_look.any():
        return None
    ref_index = np.flatnonzero(reference.has_look)
    ref_looks, ref_times = reference.looks[ref_index], reference.times[ref_index]
    locals_: list[float] = []
    refs: list[float] = []
    for photo in members:
        if not telling(photo.look) or photo.weak_time:
            continue
        alike = np.flatnonzero(hamming(np.full(1, photo.look, dtype=np.uint64), ref_looks) <= PAIR_BITS)
        if 0 < len(alike) <= MAX_ALIKE:
            locals_ += [photo.local] * len(alike)
            refs += ref_times[alike].tolist()
    if not locals_:
        return None
    camera, other = np.asarray(locals_, dtype=np.float64), np.asarray(refs, dtype=np.float64)
    # photos alike by chance (about 1 in 25,000 pairs at 16 bits) scatter over every offset; pairs of one
    # scene agree: only the pairs of the offset most of them share, within a few minutes, when at least 3
    # independent ones do (a burst of frames alike to one photo by chance agrees with itself: one coincidence)
    offsets = camera - other
    order = np.argsort(offsets)
    ends = np.searchsorted(offsets[order], offsets[order] + 2 * PAIR_CAP_S, side="right")
    first = int(np.argmax(ends - np.arange(len(order))))
    kept = order[first:ends[first]]
    if independent_pairs(camera[kept], other[kept]) < MIN_AGREEING_PAIRS:
        return None
    return camera[kept], other[kept]


def _evidence_devices(local: np.ndarray, offset: float, reference: _Reference) -> str:
    """The devices whose photos the camera's matched photos sit among, most first (two at most)."""
    shifted = local - offset
    matched = np.abs(reference.activity.residual(shifted)) <= TOLERANCE_S
    counts = Counter(reference.names[int(reference.cameras[k])] for k in _nearest(reference.times, shifted[matched]))
    return " and ".join(name for name, _ in counts.most_common(2)) or "other devices"


def _camera_times(members: list[ClockPhoto]) -> np.ndarray:
    """The camera's clock readings that are evidence (not ModifyDate), in its members' order."""
    return np.asarray([p.local for p in members if not p.weak_time], dtype=np.float64)


def _from_bursts(clock: CameraClock, members: list[ClockPhoto], reference: _Reference) -> None:
    local = _camera_times(members)
    if len(local) == 0 or len(reference.times) == 0:
        return
    local = np.sort(local)
    activity = reference.activity_for(members)
    fit = align(local, activity)
    if fit is None or fit.best.bursts_matched < 2:
        return
    devices = _evidence_devices(local, fit.best.offset_s, reference)
    change = find_clock_change(local, activity, fit)
    if change is not None:
        _two_segments(clock, local, fit, change, devices)
        return
    best = fit.best
    if fit.margin <= 0:
        return
    clock.strength, clock.source, clock.uncertainty_s = fit.strength, "bursts", fit.uncertainty_s
    clock.segments = [ClockSegment(float(local[0]), float(local[-1]), best.offset_s, clock.strength)]
    clock.evidence = f"from {best.bursts_matched} co-occurring bursts with {devices}"
    alike = len(np.unique(activity.pair_local))
    if alike:
        clock.evidence += f" and {alike} photo{'s' if alike != 1 else ''} that look like theirs (the same scene)"
    if clock.strength == "bounded":
        clock.evidence += (f"; any offset within {format_spread(fit.uncertainty_s)} fits them as well: its photos are placed only "
                           "where that cannot move them")
    elif clock.strength == "weak":
        if fit.runner_up_offset_s is not None and best.bursts_matched >= 3 and fit.margin < STRONG_MARGIN:
            clock.evidence += f"; but {format_offset(fit.runner_up_offset_s)} fits almost as well (too close to be sure)"
        elif fit.sure_rival_s is not None and fit.sure_margin <= SURE_MARGIN:
            clock.evidence += (f"; but {format_offset(fit.sure_rival_s)} fits almost as well with some of the bursts left out "
                               "(too close to be sure)")
        elif best.bursts_matched < SURE_BURSTS:
            clock.evidence += f" (too few to be sure: {SURE_BURSTS} needed)"
        else:
            clock.evidence += f"; any offset within {format_spread(fit.uncertainty_s)} fits them as well (too vague to be sure)"


def _two_segments(clock: CameraClock, local: np.ndarray, fit: Any, change: Change, devices: str) -> None:
    """The first segment reaches back to the first photo, the second forward to the last; the
    photos between the last one the first offset explains and the first one the second does are in
    neither: the clock was changed somewhere among them, and they are weak."""
    first = ClockSegment(float(local[0]), float(local[change.last_before]), change.before_s, "strong" if change.strong_before else "weak")
    second = ClockSegment(float(local[change.first_after]), float(local[-1]), change.after_s, "strong" if change.strong_after else "weak")
    clock.segments = [first, second]
    clock.strength = "strong" if change.strong_before and change.strong_after else "weak"
    clock.source, clock.uncertainty_s = "bursts", change.uncertainty_s
    clock.evidence = (f"from {change.bursts_matched} co-occurring bursts with {devices}; the clock was changed: "
                      f"{format_offset(first.offset_s)} until {_local_text(first.last)}, {format_offset(second.offset_s)} from "
                      f"{_local_text(second.first)}")


def _check_drift(clock: CameraClock, members: list[ClockPhoto], reference: _Reference) -> None:
    """A camera with OffsetTime tags: do other devices' bursts agree with its clock?"""
    tagged = [p for p in members if p.id in clock.per_photo and not p.weak_time]
    if not tagged or len(reference.times) == 0:
        return
    utc = np.sort(np.asarray([p.local - clock.per_photo[p.id] for p in tagged], dtype=np.float64))
    fit = align(utc, reference.activity)
    if fit is None or fit.strength == "weak":
        return
    best, spread = fit.best, fit.uncertainty_s
    devices = _evidence_devices(utc, best.offset_s, reference)
    if abs(best.offset_s) <= max(DRIFT_S, spread):
        clock.evidence += f", which {best.bursts_matched} co-occurring bursts with {devices} confirm"
    elif abs(best.offset_s) - spread > CONTRADICTION_S:
        words = clock.evidence
        _use_tags(clock, members, tagged, drift=best.offset_s, strength="weak")
        clock.evidence = (f"contradictory: {words}, but {best.bursts_matched} co-occurring bursts with {devices} say the clock "
                          f"is {format_offset(best.offset_s)} {format_spread(spread)} from them")
    elif fit.strong and abs(best.offset_s) <= CONTRADICTION_S:
        _use_tags(clock, members, tagged, drift=best.offset_s)
        clock.uncertainty_s = spread
        clock.evidence += f"; {format_offset(best.offset_s)} off by {best.bursts_matched} co-occurring bursts with {devices}: the clock drifted"


def _from_track(clock: CameraClock, members: list[ClockPhoto], track: Track, policy: PlacementPolicy) -> None:
    """The offsets (5-minute steps within -12..+14 h) at which the track covers the camera's photos:
    a proposal only when one stretch of at most 2 h covers at least 80 % of them."""
    local = _camera_times(members)
    if len(local) == 0:
        return
    times = np.asarray(track.times, dtype=np.float64)
    offsets = np.arange(-12 * 3600.0, 14 * 3600.0 + 1, 300.0)
    coverage = _covered(local[None, :] - offsets[:, None], times, policy).mean(axis=1)  # [offset]: the share covered
    best = float(coverage.max())
    if best < 0.8:
        return
    near_best = coverage >= best - 0.02
    peak = int(np.argmax(coverage))
    low = high = peak
    while low > 0 and near_best[low - 1]:
        low -= 1
    while high < len(offsets) - 1 and near_best[high + 1]:
        high += 1
    if near_best.sum() != high - low + 1 or offsets[high] - offsets[low] > 2 * 3600:
        return  # several stretches, or too wide a one: the track does not tell
    offset = float((offsets[low] + offsets[high]) / 2)
    clock.strength, clock.source = "weak", "track"
    clock.uncertainty_s = float((offsets[high] - offsets[low]) / 2 + 150)
    clock.segments = [ClockSegment(members[0].local, members[-1].local, offset, "weak")]
    clock.evidence = (f"only at {format_offset(offsets[low])} to {format_offset(offsets[high])} does the track cover "
                      f"{best:.0%} of its photos (no other device shot at the same times)")


def _covered(times: np.ndarray, fixes: np.ndarray, policy: PlacementPolicy) -> np.ndarray:
    i = np.searchsorted(fixes, times)
    before = np.where(i > 0, times - fixes[np.clip(i - 1, 0, len(fixes) - 1)], np.inf)
    after = np.where(i < len(fixes), fixes[np.clip(i, 0, len(fixes) - 1)] - times, np.inf)
    near = min(policy.extrapolate_max_min, 5.0) * 60  # the track's own span: a wide margin would cover any offset
    return (np.minimum(before, after) <= near) | (before + after <= policy.interpolate_max_min * 60)


def _apply_default(clock: CameraClock, members: list[ClockPhoto], offset: float) -> None:
    """--tz: the clock of cameras nothing else tells about, exactly as typed. A weak inference (from
    bursts or a track) gives way to it; where it disagrees, the evidence says so and how to use it
    instead, but it is never applied in place of what the user typed."""
    words = f"--tz {format_offset(offset)}"
    if clock.partial:  # its other photos: nothing tells
        clock.beyond = (offset, "set")
        note = _beyond_note(clock, members, "weak, for review")
        if note:
            clock.evidence = clock.evidence.replace(note, _beyond_note(clock, members, f"{words}, as you set it"))
    if clock.strength == "unknown":
        clock.strength, clock.source, clock.uncertainty_s = "set", "tz", 0.0
        clock.segments = [ClockSegment(members[0].local, members[-1].local, offset, "set")]
        clock.evidence = f"{words} (nothing in the photos tells{'; ' + clock.evidence if clock.evidence else ''})"  # (a note: GPS times set aside)
    elif clock.strength == "weak" and clock.source in ("bursts", "track"):
        guess = clock.offset_s
        evidence = clock.evidence
        clock.strength, clock.source, clock.uncertainty_s = "set", "tz", 0.0
        clock.segments = [ClockSegment(members[0].local, members[-1].local, offset, "set")]
        clock.per_photo = {}
        if guess is not None and abs(guess - offset) > DRIFT_S:
            clock.evidence = (f"{words}, as you set it; the photos alone suggest {format_offset(guess)} ({evidence}): not applied "
                              f"(--clock \"{clock.camera}={format_offset(guess)}\" would use it)")
        else:
            clock.evidence = f"{words}, as you set it, which the photos alone agree with ({evidence})"


def _local_text(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%d %H:%M")
