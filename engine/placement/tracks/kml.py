"""KML and KMZ (fastkml): gx:Track / gx:MultiTrack points with their <when>, and Placemarks with a
Point and a TimeStamp (what Google Earth, My Tracks, OpenTracks and gpsbabel write). Lines without
times say nothing about when, and are skipped. A gx:Track's empty ``<when/>`` or ``<gx:coord/>``
(OpenTracks marks each pause so; GPSBabel writes points of unknown time so) is taken out with its
partner before fastkml reads the file (fastkml 1.4 stops on either), and counted."""

from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ElementTree
import zipfile
from pathlib import Path
from typing import Any

from .track import Fix, TrackError, checked_fix

GX_TRACK = "{http://www.google.com/kml/ext/2.2}Track"
GX_COORD = "{http://www.google.com/kml/ext/2.2}coord"
EMPTY_ITEM = re.compile(rb"<(?:[\w.-]+:)?(?:when|coord)\s*(?:/>|>\s*</)")  # <when/>, <gx:coord></gx:coord>, ...


def read_kml(path: Path) -> tuple[list[Fix], list[str]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fastkml warns that lxml (pretty printing only) is missing
        from fastkml import kml

    try:
        if path.suffix.lower() == ".kmz":
            with zipfile.ZipFile(path) as archive:
                names = [n for n in archive.namelist() if n.lower().endswith(".kml")]
                if not names:
                    raise TrackError(f"{path}: a KMZ archive without a .kml file in it")
                data = archive.read("doc.kml" if "doc.kml" in names else names[0])
        else:
            data = path.read_bytes()
        data, empty = _without_empty_track_items(data)
        document = kml.KML.from_string(data)  # type: ignore[arg-type]  # typed str; lxml needs bytes if XML names its encoding
    except zipfile.BadZipFile:
        raise TrackError(f"{path}: not a KMZ (zip) archive") from None
    except TrackError:
        raise
    except Exception as exc:  # noqa: BLE001 - fastkml and its XML parser raise many kinds; all mean "not KML"
        raise TrackError(f"{path}: not a KML file ({type(exc).__name__}: {exc})") from None
    fixes: list[Fix] = []
    _collect(document, fixes, path.name)
    skipped = [f"{path}: {empty} track point{'s' if empty != 1 else ''} with an empty <when/> or <gx:coord/> (a pause, or a time "
               "not known): not used"] if empty else []
    return fixes, skipped


def _without_empty_track_items(data: bytes) -> tuple[bytes, int]:
    """The KML without the gx:Track items whose time or position is empty (each <when> pairs with
    the <gx:coord> of its rank), and how many went; the bytes as they were when none is empty."""
    if not EMPTY_ITEM.search(data):
        return data, 0
    root = ElementTree.fromstring(data)
    removed = 0
    for track in root.iter(GX_TRACK):
        whens = [child for child in track if child.tag.rpartition("}")[2] == "when"]
        coords = [child for child in track if child.tag == GX_COORD]
        if len(whens) != len(coords):
            continue  # not pairs: fastkml says what it makes of it
        for when, coord in zip(whens, coords, strict=True):
            if not (when.text or "").strip() or not (coord.text or "").strip():
                track.remove(when)
                track.remove(coord)
                removed += 1
    return (ElementTree.tostring(root, encoding="utf-8") if removed else data), removed


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
