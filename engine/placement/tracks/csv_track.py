"""CSV (the csv module): a header row naming a time column (time, timestamp, datetime, date +
time, utc), latitude (lat, latitude) and longitude (lon, lng, long, longitude), and optionally
elevation and accuracy; any delimiter the sniffer recognises. Times as in timestamps.py."""

from __future__ import annotations

import csv
from pathlib import Path

from .timestamps import parse_time
from .track import Fix, TrackError, checked_fix

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
    fixes: list[Fix] = []
    skipped: list[str] = []
    for line_number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            when_text = row[found["time"]] if found["time"] is not None else ""
            if found["date"] is not None:
                when_text = f"{row[found['date']].strip()}T{when_text.strip()}" if when_text else row[found["date"]]
            ele = row[found["ele"]] if found["ele"] is not None and row[found["ele"]].strip() else None
            accuracy = row[found["accuracy"]] if found["accuracy"] is not None and row[found["accuracy"]].strip() else None
            fix = checked_fix(parse_time(when_text), float(row[found["lat"]]), float(row[found["lon"]]),
                              float(ele) if ele else None, float(accuracy) if accuracy else None, path.name)
        except (ValueError, IndexError) as exc:
            skipped.append(f"{path}: line {line_number}: {exc}")
            continue
        if fix is not None:
            fixes.append(fix)
    return fixes, skipped
