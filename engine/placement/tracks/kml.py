"""KML and KMZ (fastkml): gx:Track / gx:MultiTrack points with their <when>, and Placemarks with a
Point and a TimeStamp (what Google Earth, My Tracks and gpsbabel write). Lines without times say
nothing about when, and are skipped."""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path
from typing import Any

from .track import Fix, TrackError, checked_fix


def read_kml(path: Path) -> list[Fix]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fastkml warns that lxml (pretty printing only) is missing
        from fastkml import kml

    try:
        if path.suffix.lower() == ".kmz":
            with zipfile.ZipFile(path) as archive:
                names = [n for n in archive.namelist() if n.lower().endswith(".kml")]
                if not names:
                    raise TrackError(f"{path}: a KMZ archive without a .kml file in it")
                text = archive.read("doc.kml" if "doc.kml" in names else names[0]).decode("utf-8", "replace")
            document = kml.KML.from_string(text.encode())  # type: ignore[arg-type]  # typed str; lxml needs bytes if XML names its encoding
        else:
            document = kml.KML.parse(path)
    except zipfile.BadZipFile:
        raise TrackError(f"{path}: not a KMZ (zip) archive") from None
    except TrackError:
        raise
    except Exception as exc:  # noqa: BLE001 - fastkml and its XML parser raise many kinds; all mean "not KML"
        raise TrackError(f"{path}: not a KML file ({type(exc).__name__}: {exc})") from None
    fixes: list[Fix] = []
    _collect(document, fixes, path.name)
    return fixes


def _collect(container: Any, fixes: list[Fix], source: str) -> None:
    for feature in getattr(container, "features", None) or []:
        geometry: Any = getattr(feature, "kml_geometry", None)  # walked duck-typed, as fastkml's versions differ
        for track in _tracks(geometry):
            for item in track.track_items or []:
                if item.when is None or item.coord is None:
                    continue
                lon, lat, *rest = item.coord.coords[0]
                fix = checked_fix(item.when.dt, lat, lon, rest[0] if rest else None, source=source)
                if fix is not None:
                    fixes.append(fix)
        stamp = getattr(getattr(feature, "times", None), "timestamp", None)
        if type(geometry).__name__ == "Point" and stamp is not None and stamp.dt is not None:
            lon, lat, *rest = geometry.geometry.coords[0]
            fix = checked_fix(stamp.dt, lat, lon, rest[0] if rest else None, source=source)
            if fix is not None:
                fixes.append(fix)
        _collect(feature, fixes, source)


def _tracks(geometry: Any) -> list[Any]:
    kind = type(geometry).__name__
    if kind == "Track":
        return [geometry]
    if kind == "MultiTrack":
        return list(geometry.tracks or [])
    return []
