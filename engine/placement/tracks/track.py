"""A track: timed positions from any source (GPX, KML, NMEA, location history...), asked for the
position at a moment by the interpolation policy every position source shares (policy.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from geor.engine.errors import BadInput


class TrackError(BadInput):
    """A track file that cannot be read; the message names the file and, where it can, the line
    or record."""


@dataclass(frozen=True)
class Fix:
    t: float  # seconds since the epoch, UTC
    lat: float
    lon: float
    ele: float | None = None
    accuracy_m: float | None = None  # horizontal, where the source says (location history, NMEA HDOP)
    source: str = ""  # the file it came from (for the evidence in words)


def checked_fix(t: dt.datetime, lat: float, lon: float, ele: float | None = None, accuracy_m: float | None = None,
                source: str = "") -> Fix | None:
    """A Fix from a UTC (or naive = UTC) time, None for an impossible position (a damaged point
    does not spoil a track) or the (0, 0) a receiver without a fix reports."""
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return Fix(t.timestamp(), lat, lon, ele, accuracy_m, source)


def gather_fixes(path: Path, records: Iterable[tuple[str, Callable[[], Iterable[Fix | None]]]]) -> tuple[list[Fix], list[str]]:
    """The fixes of a file's records, each a label (``line 7``, ``feature 3``) and what reads it; a
    record with a malformed field is skipped, its label and the reason kept for the user."""
    fixes: list[Fix] = []
    skipped: list[str] = []
    for label, read in records:
        try:
            found = [fix for fix in read() if fix is not None]
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            skipped.append(f"{path}: {label}: {exc}")
            continue
        fixes.extend(found)
    return fixes, skipped


class Track:
    """Fixes sorted by time; several files merge into one track (asked for positions through the
    shared policy: policy.Timeline of its fixes as anchors)."""

    def __init__(self, fixes: list[Fix]) -> None:
        self.fixes = sorted(fixes, key=lambda f: f.t)
        self.times = [f.t for f in self.fixes]

    def __len__(self) -> int:
        return len(self.fixes)
