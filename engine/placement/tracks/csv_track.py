"""CSV (the csv module): a header row naming a time column (time, timestamp, datetime, date +
time, utc), latitude (lat, latitude) and longitude (lon, lng, long, longitude), and optionally
elevation and accuracy; any delimiter the sniffer recognises. Times as in timestamps.py.

GPS loggers' own exports read as they are (GPSBabel's reference files of each are the tests'), each
known by its hemisphere columns or letters:

- MTK loggers (Holux M-241, Qstarz BT-Q1000XT, i-Blue 747: ``DATE,TIME,VALID,LATITUDE,N/S,
  LONGITUDE,E/W,HEIGHT``): unsigned degrees with the hemisphere in a column of its own, dates as
  ``2008/05/04``, heights as ``374.8 m``;
- Columbus V-900/V-990 (``DATE,TIME,LATITUDE N/S,LONGITUDE E/W``): ``090404`` and ``063510`` (UTC),
  ``31.765973N``, cells padded with NULs;

A logger writes UTC, and a time without a zone elsewhere is UTC too (timestamps.py); but a date with
slashes outside a logger's layout is GPSBabel's unicsv, which writes the converting computer's local
time unless told ``utc``, and no file says which: its rows are refused with the way on (its GPX).

A row whose fix column says the logger had none (MTK's ``No fix``, ``none``, ``invalid``, an
estimate by dead reckoning) holds the last position with a new time: it is skipped and named, never
taken as where the logger was."""

from __future__ import annotations

import csv
import re
from functools import partial
from pathlib import Path

from .timestamps import parse_time
from .track import Fix, TrackError, checked_fix, gather_fixes

COLUMNS = {
    "time": ("time", "timestamp", "datetime", "date_time", "utc", "time_utc", "gps_time"),
    "date": ("date",),
    "lat": ("lat", "latitude", "latitude_n/s"),
    "lon": ("lon", "lng", "long", "longitude", "longitude_e/w"),
    "lat_ref": ("n/s", "ns", "lat_ref", "latitude_ref"),
    "lon_ref": ("e/w", "ew", "lon_ref", "longitude_ref"),
    "ele": ("ele", "elevation", "alt", "altitude", "height"),
    "accuracy": ("accuracy", "hacc", "horizontal_accuracy", "accuracy_m"),
    "fix": ("valid", "fix", "fix_type", "fix_mode"),
}
#: What a fix column says when the logger had no fix (lower case; MTK: "No fix", "Estimated mode").
NO_FIX = ("no fix", "nofix", "none", "invalid", "estimated")
PADDING = " \t\0"  # Columbus loggers pad their cells with NULs
HEMISPHERE = re.compile(r"^([NSEW]?)\s*([+-]?\d+(?:\.\d+)?)\s*([NSEW]?)$", re.IGNORECASE)
METRES = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*m?$", re.IGNORECASE)
SIX_DIGITS = re.compile(r"^(\d{2})(\d{2})(\d{2})$")  # Columbus: YYMMDD and HHMMSS
SLASHED_DATE = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")  # MTK: 2008/05/04


def read_csv(path: Path) -> tuple[list[Fix], list[str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise TrackError(f"{path}: not a text file") from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096].replace("\0", ""), delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = csv.reader(text.splitlines(), dialect)
    header = next(rows, None)
    if header is None:
        raise TrackError(f"{path}: empty")
    names = [h.strip(PADDING).lower().replace(" ", "_") for h in header]
    found = {key: next((names.index(n) for n in options if n in names), None) for key, options in COLUMNS.items()}
    if found["lat"] is None or found["lon"] is None or (found["time"] is None and found["date"] is None):
        raise TrackError(f"{path}: line 1: expected a header with a time, a latitude and a longitude column "
                         f"(e.g. time,lat,lon), found {', '.join(header) or 'nothing'}")
    logger = found["lat_ref"] is not None or names[found["lat"]] == "latitude_n/s"  # MTK, Columbus: UTC by the GPS
    records = ((f"line {number}", partial(_fix, row, found, path.name, logger)) for number, row in enumerate(rows, start=2)
               if any(cell.strip(PADDING) for cell in row))
    return gather_fixes(path, records)


def _fix(row: list[str], found: dict[str, int | None], source: str, logger: bool) -> list[Fix | None]:
    def cell(key: str) -> str | None:
        index = found[key]
        value = row[index].strip(PADDING) if index is not None and index < len(row) else ""
        return value or None

    status = cell("fix")
    if status is not None and status.lower().startswith(NO_FIX):
        raise ValueError(f"the logger had no fix ({status!r}): its position is not where it was")
    lat = _degrees(cell("lat"), cell("lat_ref"), "NS")
    lon = _degrees(cell("lon"), cell("lon_ref"), "EW")
    ele, accuracy = cell("ele"), cell("accuracy")
    return [checked_fix(parse_time(_when(cell("date"), cell("time"), logger)), lat, lon, _metres(ele), float(accuracy) if accuracy else None,
                        source)]


def _when(date: str | None, time: str | None, logger: bool) -> str:
    """One time text from a row's date and time cells (either may hold both); a logger's own date
    spellings as ISO 8601."""
    if date is None:
        return time or ""
    compact_date, compact_time, slashed = SIX_DIGITS.match(date), SIX_DIGITS.match(time or ""), SLASHED_DATE.match(date)
    if logger and compact_date and compact_time:  # a Columbus logger's 090404 063510 (its years are 2000s)
        return "20{}-{}-{}T{}:{}:{}".format(*compact_date.groups(), *compact_time.groups())
    if slashed and logger:
        year, month, day = slashed.groups()
        date = f"{year}-{int(month):02d}-{int(day):02d}"
    elif slashed:
        raise ValueError(f"{date!r} {time or ''!r}: a time without a zone in GPSBabel's unicsv layout, which writes the converting "
                         "computer's local time; convert the log to GPX instead, whose times say their zone")
    return f"{date}T{time}" if time else date


def _degrees(text: str | None, ref: str | None, letters: str) -> float:
    """Signed degrees from ``12.68``, ``-12.68``, ``12.68 E``, ``W12.68`` or an unsigned value with
    its hemisphere in a column of its own; a value with a sign and a hemisphere, or two that
    disagree, is no position (ValueError)."""
    if text is None:
        raise ValueError("no latitude or longitude")
    match = HEMISPHERE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not degrees")
    before, number, after = match.groups()
    marks = {m.upper() for m in (before, after, (ref or "").strip()) if m}
    if not marks <= set(letters) or len(marks) > 1:
        raise ValueError(f"{text!r} with {ref!r}: not one hemisphere of {'/'.join(letters)}")
    value = float(number)
    if marks and number.startswith(("-", "+")):
        raise ValueError(f"{text!r} with {ref or (before or after)!r}: both a sign and a hemisphere")
    return -value if marks & {"S", "W"} else value


def _metres(text: str | None) -> float | None:
    """An elevation in metres (``827``, ``374.812 m``); one in other units is left out, not guessed."""
    match = METRES.match(text) if text else None
    return float(match.group(1)) if match else None
