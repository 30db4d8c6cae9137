"""NMEA 0183 logs (pynmea2): RMC sentences give date, time and position; GGA and GLL give the
time of day only, dated by the last RMC before them. Lines that are not sentences (a logger's
comments, AIS, binary noise) and sentences with a bad checksum are skipped; a log with no fix at
all is an error that says so."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .track import Fix, TrackError, checked_fix


def read_nmea(path: Path) -> list[Fix]:
    import pynmea2

    fixes: list[Fix] = []
    day: dt.date | None = None
    undated = no_fix = 0
    try:
        lines = path.read_text(encoding="ascii", errors="replace").splitlines()
    except OSError as exc:
        raise TrackError(f"{path}: {exc.strerror}") from None
    for line in lines:
        line = line.strip()
        if not line.startswith("$"):
            continue
        try:
            sentence = pynmea2.parse(line, check=True)
        except (pynmea2.ParseError, ValueError, AttributeError):
            continue
        kind = getattr(sentence, "sentence_type", "")
        if kind == "RMC":
            if getattr(sentence, "status", "") != "A" or sentence.datestamp is None or sentence.timestamp is None:
                no_fix += 1  # "V": the receiver had no valid fix
                continue
            day = sentence.datestamp
            when = dt.datetime.combine(day, sentence.timestamp)
        elif kind in ("GGA", "GLL"):
            if kind == "GGA" and str(getattr(sentence, "gps_qual", "0")) in ("0", ""):
                continue
            if kind == "GLL" and getattr(sentence, "status", "") != "A":
                continue
            if sentence.timestamp is None:
                continue
            if day is None:
                undated += 1
                continue
            when = dt.datetime.combine(day, sentence.timestamp)
        else:
            continue
        try:
            lat, lon = float(sentence.latitude), float(sentence.longitude)
        except (TypeError, ValueError):
            continue
        altitude = float(sentence.altitude) if kind == "GGA" and getattr(sentence, "altitude", None) not in (None, "") else None
        hdop = float(sentence.horizontal_dil) if kind == "GGA" and getattr(sentence, "horizontal_dil", "") not in (None, "") else None
        fix = checked_fix(when, lat, lon, altitude, hdop * 5.0 if hdop else None, path.name)
        if fix is not None:
            fixes.append(fix)
    if not fixes and no_fix:
        raise TrackError(f"{path}: {no_fix} RMC sentences, none with a valid fix (status V)")
    if not fixes and undated:
        raise TrackError(f"{path}: {undated} GGA/GLL fixes but no RMC sentence to date them (NMEA gives the date only in RMC)")
    return fixes
