"""KML and KMZ (fastkml): gx:Track / gx:MultiTrack points with their <when>, and Placemarks with a
Point and a TimeStamp (what Google Earth, My Tracks, OpenTracks and gpsbabel write). Lines without
times say nothing about when, and are skipped. A gx:Track's empty ``<when/>`` or ``<gx:coord/>``
(OpenTracks marks each pause so; GPSBabel writes points of unknown time so) is taken out with its
partner before fastkml reads the file (fastkml 1.4 stops on either), and counted. KML 2.3's own
``<Track>``/``<coord>`` (the OGC standard's names for Google's extension) are read as gx:Track."""

from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ElementTree
import zipfile
from pathlib import Path
from typing import Any

from .track import Fix, TrackError, checked_fix

GX = "{http://www.google.com/kml/ext/2.2}"
KML = "{http://www.opengis.net/kml/2.2}"
KML_2_3 = "{http://www.opengis.net/kml/2.3}"
EMPTY_ITEM = re.compile(rb"<(?:[\w.-]+:)?(?:when|coord)\s*(?:/>|>\s*</)")  # <when/>, <gx:coord></gx:coord>, ...
KML_2_3_TRACK = re.compile(rb"<(?:kml:)?(?:Track|MultiTrack)[\s>]|www\.opengis\.net/kml/2\.3")  # KML 2.3's Track, unprefixed
#: KML 2.3's elements that were Google's extension in 2.2, as fastkml knows them.
FROM_KML_2_3 = {f"{ns}{name}": f"{GX}{name}" for ns in (KML, KML_2_3) for name in ("Track", "MultiTrack", "coord", "angles")}


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
        data, empty = _normalised(data)
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


def _normalised(data: bytes) -> tuple[bytes, int]:
    """The KML as fastkml reads it: KML 2.3's tracks as gx:Tracks, without the track items whose
    time or position is empty (each <when> pairs with the <gx:coord> of its rank); and how many
    items went. The bytes as they were when there is nothing to change."""
    if not EMPTY_ITEM.search(data) and not KML_2_3_TRACK.search(data):
        return data, 0
    root = ElementTree.fromstring(data)
    renamed = False
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith(KML_2_3):
            element.tag = FROM_KML_2_3.get(element.tag, KML + element.tag[len(KML_2_3):])
            renamed = True
        elif element.tag in FROM_KML_2_3:
            element.tag = FROM_KML_2_3[element.tag]
            renamed = True
    removed = 0
    for track in root.iter(f"{GX}Track"):
        whens = [child for child in track if child.tag.rpartition("}")[2] == "when"]
        coords = [child for child in track if child.tag == f"{GX}coord"]
        if len(whens) != len(coords):
            continue  # not pairs: fastkml says what it makes of it
        for when, coord in zip(whens, coords, strict=True):
            if not (when.text or "").strip() or not (coord.text or "").strip():
                track.remove(when)
                track.remove(coord)
                removed += 1
    return (ElementTree.tostring(root, encoding="utf-8") if removed or renamed else data), removed


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
