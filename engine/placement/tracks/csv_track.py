"""CSV (the csv module): a header row naming a time column (time, timestamp, datetime, date +
time, utc), latitude (lat, latitude) and longitude (lon, lng, long, longitude), and optionally
elevation and accuracy; any delimiter the sniffer recognises. Times as in timestamps.py."""

from __future__ import annotations

import csv
from functools import partial
from pathlib import Path

from .timestamps import parse_time
from .track import Fix, TrackError, checked_fix, gather_fixes

COLUMNS = {
    "time": ("time", "timestamp", "datetime", "date_time", "utc", "time_utc", "gps_time"),
    "date": ("date",),
    "lat": ("lat", "latitude"),
    "lon": ("lon", "lng", "long", "longitude"),
    "ele": ("ele", "elevation", "alt", "altitude"),
    "accuracy": ("accuracy", "hacc", "horizontal_accuracy", "accuracy_m"),
}


def read_csv(path: Path) -> tuple[list[Fix], list[str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise TrackError(f"{path}: not a text file") from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = csv.reader(text.splitlines(), dialect)
    header = next(rows, None)
    if header is None:
        raise TrackError(f"{path}: empty")
    names = [h.strip().lower().replace(" ", "_") for h in header]
    found = {key: next((names.index(n) for n in options if n in names), None) for key, options in COLUMNS.items()}
    if found["lat"] is None or found["lon"] is None or (found["time"] is None and found["date"] is None):
        raise TrackError(f"{path}: line 1: expected a header with a time, a latitude and a longitude column "
                         f"(e.g. time,lat,lon), found {', '.join(header) or 'nothing'}")
    records = ((f"line {number}", partial(_fix, row, found, path.name)) for number, row in enumerate(rows, start=2)
               if any(cell.strip() for cell in row))
    return gather_fixes(path, records)


def _fix(row: list[str], found: dict[str, int | None], source: str) -> list[Fix | None]:
    def cell(key: str) -> str | None:
        index = found[key]
        return row[index] if index is not None and row[index].strip() else None

    when_text = cell("time") or ""
    date = cell("date")
    if date is not None:
        when_text = f"{date.strip()}T{when_text.strip()}" if when_text else date
    ele, accuracy = cell("ele"), cell("accuracy")
    return [checked_fix(parse_time(when_text), float(row[found["lat"] or 0]), float(row[found["lon"] or 0]),  # both found (read_csv)
                        float(ele) if ele else None, float(accuracy) if accuracy else None, source)]
