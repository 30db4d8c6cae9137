"""Garmin Training Center XML (tcxreader): the trackpoints of a TCX file's activities, each with
its time and position. A course (a route planned ahead, with made-up times) is not a record of
where anyone was, and tcxreader, like Geo-R, reads only activities."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

from .track import Fix, TrackError, checked_fix


def read_tcx(path: Path) -> tuple[list[Fix], list[str]]:
    from tcxreader.tcxreader import TCXReader

    try:
        exercise = TCXReader().read(str(path), only_gps=False)
    except ElementTree.ParseError as exc:
        raise TrackError(f"{path}: not a TCX file ({exc})") from None
    except (ValueError, TypeError, AttributeError, IndexError, KeyError) as exc:  # a field tcxreader cannot parse ('Cannot parse time ...')
        raise TrackError(f"{path}: a TCX file tcxreader cannot read ({type(exc).__name__}: {exc})") from None
    fixes = []
    for point in exercise.trackpoints or []:
        if point.time is None or point.latitude is None or point.longitude is None:
            continue  # a trackpoint without a fix (heart rate, distance only)
        fix = checked_fix(point.time, point.latitude, point.longitude, point.elevation, source=path.name)
        if fix is not None:
            fixes.append(fix)
    return fixes, []
