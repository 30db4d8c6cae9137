"""Tracks: where the user was, by time, from the files they carry.

``read_tracks(paths)`` reads each file by its kind (GPX through gpxpy, KML/KMZ through fastkml,
NMEA through pynmea2, DJI drones' SRT through srt (dji_srt.py), Garmin's FIT through fitdecode and TCX
through tcxreader, GeoJSON, CSV and Google location
history through the standard library's json and csv) and merges them into one Track. A file that cannot be read is an error naming it
(and the line or record where the format has them); damaged records inside a readable file are
skipped and reported. (Each ``Fix`` keeps the file it came from, for the evidence in words.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .track import Fix, Track, TrackError, checked_fix

SUFFIXES = {".gpx": "GPX", ".kml": "KML", ".kmz": "KMZ", ".nmea": "NMEA", ".nma": "NMEA", ".log": "NMEA", ".txt": "NMEA",
            ".geojson": "GeoJSON", ".json": "JSON", ".csv": "CSV", ".srt": "DJI SRT", ".fit": "FIT", ".tcx": "TCX"}


@dataclass
class TrackRead:
    track: Track
    files: dict[str, int] = field(default_factory=dict)  # file -> fixes read from it
    skipped: list[str] = field(default_factory=list)  # damaged records, named by file and line or record


def read_tracks(paths: list[Path]) -> TrackRead:
    fixes: list[Fix] = []
    result = TrackRead(Track([]))
    for path in map(Path, paths):
        found, skipped = read_track_file(path)
        fixes.extend(found)
        result.files[str(path)] = len(found)
        result.skipped.extend(skipped)
    result.track = Track(fixes)
    return result


def read_track_file(path: Path) -> tuple[list[Fix], list[str]]:
    """The timed fixes of one file and the records skipped; TrackError when nothing usable."""
    from . import csv_track, dji_srt, fit, geojson, gpx, kml, nmea, takeout, tcx

    if not path.is_file():
        raise TrackError(f"{path}: no such track file")
    kind = SUFFIXES.get(path.suffix.lower())
    skipped: list[str] = []
    if kind == "GPX":
        fixes, skipped = gpx.read_gpx(path)
    elif kind in ("KML", "KMZ"):
        fixes, skipped = kml.read_kml(path)
    elif kind == "NMEA":
        fixes = nmea.read_nmea(path)
    elif kind == "CSV":
        fixes, skipped = csv_track.read_csv(path)
    elif kind == "DJI SRT":
        fixes, skipped = dji_srt.read_dji_srt(path)
    elif kind == "FIT":
        fixes, skipped = fit.read_fit(path)
    elif kind == "TCX":
        fixes, skipped = tcx.read_tcx(path)
    elif kind in ("GeoJSON", "JSON"):
        data = takeout.load_json(path)
        if takeout.looks_like_takeout(data):
            fixes, skipped = takeout.read_takeout(path, data)
        else:
            fixes, skipped = geojson.read_geojson(path, data)
    else:
        raise TrackError(f"{path}: not a track file Geo-R reads (GPX, KML, KMZ, NMEA, GeoJSON, CSV, Google location history JSON, DJI SRT, FIT, TCX)")
    if not fixes:
        detail = f"; {skipped[0]}" if skipped else ""
        raise TrackError(f"{path}: no timed positions in this {kind} file{detail}")
    return fixes, skipped


__all__ = ["Fix", "Track", "TrackError", "TrackRead", "checked_fix", "read_track_file", "read_tracks"]
