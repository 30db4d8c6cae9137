"""Read what a video knows about when and where it was shot, with ExifTool (exiv2 does not read
QuickTime's own metadata or MPEG-2 transport streams).

The capture time, most trusted first:

1. a time with its own zone: Apple's ``Keys:CreationDate`` (``2019:07:24 11:25:40+03:00``), the
   ``(c)day`` of 3GPP apps (``UserData:DateTimeOriginal``, ``2020:11:20 15:04:02+01:00``), the
   ``H264:DateTimeOriginal`` of AVCHD cameras (``2019:04:24 22:24:00+02:00 DST``), XMP's
   ``exif:DateTimeOriginal`` / ``xmp:CreateDate`` with a zone: *declared*, as a photo's OffsetTime;
2. QuickTime's ``CreateDate`` (the movie header), which the specification makes UTC: phones follow
   it (a video with an Apple or Android maker tag, or with a location of its own, is read as UTC),
   but many cameras write their local time there. A camera video's time is therefore kept as the
   camera wrote it and its clock inferred on a device of its own (``<camera> (video clock)``): by
   the order of its file names among the camera's photos (placement/clocks.py: whether that camera
   writes UTC or local time), else like any camera's;
3. an AVI's ``RIFF:DateTimeOriginal`` (its IDIT chunk, compact cameras' videos of the 2000s: Canon
   PowerShot, Pentax Optio), local time without a zone: the camera's clock, inferred the same way.

The position is the phone's ISO 6709 location (``Keys:GPSCoordinates`` for Apple,
``UserData:GPSCoordinates`` (``(c)xyz``) for Android and GoPro), 3GPP's ``loci`` box on earth
(``UserData:LocationInformation``, some apps' and phones'), XMP's exif:GPSLatitude/Longitude,
or the GPS of an AVCHD stream. Embedded telemetry (GoPro GPMF, Google CAMM, DJI and dashcam
streams: whatever ``exiftool -ee`` extracts with a GPS date and time, always UTC) is a track, and
its first fix is the video's own position and the clock's truth, as a photo's GPS time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

from .exiftool import COMMON_OPTIONS, ExifToolMissing, find_exiftool, number
from .gps_tags import null_island
from .metadata import EARLIEST_GPS_TIME, LATEST_GPS_TIME_AHEAD, NotAPicture, PhotoMetadata, PhotoReadError, metadata_from, sidecar_xmp

#: What Geo-R reads from a video: the time, camera, position and telemetry tags (``-ee``: every
#: embedded document). Asking for these alone keeps a GoPro's accelerometer and gyroscope unread.
VIDEO_TAGS = ("-CreateDate", "-CreationDate", "-DateTimeOriginal", "-Make", "-Model", "-DeviceName", "-AndroidVersion",
              "-AndroidMake", "-AndroidModel", "-SerialNumber", "-CameraSerialNumber", "-GPS*", "-LocationInformation", "-SampleTime",
              "-MIMEType", "-FileType")
#: How long ExifTool may take over one video's telemetry (hours of GoPro footage: seconds).
READ_TIMEOUT_S = 300
#: The groups a camera's name never comes from (derived, file system, each track's own).
_NOT_CAMERA = ("Composite", "File", "System", "ExifTool")
_TIME = re.compile(r"^\s*(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?(\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?")  # XMP may omit seconds
#: A QuickTime date before this is the "0" of an unset clock (1904-01-01, 1970-01-01, 2000-01-01 of dashcams).
EARLIEST_VIDEO = dt.datetime(2001, 1, 1)
#: Time tags with a zone of their own, most trusted first (group:name as ``-G1`` spells them, any document).
ZONED_TIMES = ("Keys:CreationDate", "UserData:CreationDate", "ItemList:CreationDate", "UserData:DateTimeOriginal", "H264:DateTimeOriginal",
               "XMP-exif:DateTimeOriginal", "XMP-xmp:CreateDate", "XMP-photoshop:DateCreated")
POSITIONS = ("Keys:GPSCoordinates", "UserData:GPSCoordinates", "ItemList:GPSCoordinates")
#: Where a video holds a position of its own, which a write replaces only with --overwrite (video_writer.has_video_position).
OWN_POSITION_TAGS = (*POSITIONS, "XMP-exif:GPSLatitude", "UserData:LocationInformation")
#: 3GPP's ``loci`` box as ExifTool prints it: "(none) Role=shooting Lat=52.36929 Lon=6.67609 Alt=10.53 Body=earth Notes=".
_LOCI = re.compile(r"Lat=(-?[\d.]+) Lon=(-?[\d.]+)(?: Alt=(-?[\d.]+))?")

Fix = tuple[float, float, float, float | None]  # UTC seconds, lat, lon, altitude


def read_video_metadata(path: Path) -> tuple[PhotoMetadata, list[Fix]]:
    """(time, camera and position of a video, its telemetry fixes); PhotoReadError when ExifTool
    cannot read it (or is missing: videos are read by ExifTool alone)."""
    path = Path(path)
    try:
        if path.stat().st_size == 0:
            raise PhotoReadError("empty file (0 bytes)")
    except FileNotFoundError:
        raise PhotoReadError("the file disappeared") from None
    except PermissionError:
        raise PhotoReadError("permission denied") from None
    try:
        program = find_exiftool()
    except ExifToolMissing as exc:
        raise PhotoReadError(f"videos are read by ExifTool, and none was found ({exc})") from None
    command = [os.fspath(program), "-config", "", "-j", "-G3:1", "-n", "-ee", *COMMON_OPTIONS, *VIDEO_TAGS, os.fspath(path)]
    try:
        done = subprocess.run(command, capture_output=True, timeout=READ_TIMEOUT_S, check=False,
                              creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
        rows = json.loads(done.stdout) if done.stdout.strip() else []
    except subprocess.TimeoutExpired:
        raise PhotoReadError(f"ExifTool took more than {READ_TIMEOUT_S} s over it") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise PhotoReadError(f"ExifTool could not read it ({exc})") from None
    if not rows or not isinstance(rows[0], dict):
        raise PhotoReadError(f"ExifTool could not read it ({done.stderr.decode(errors='replace').strip()[:200]})")
    return video_metadata_from(rows[0])


def video_metadata_from(row: dict[str, Any]) -> tuple[PhotoMetadata, list[Fix]]:
    """Metadata and telemetry from ExifTool's ``-j -G3:1 -n -ee`` row of a video."""
    error = row.get("ExifTool:Error")
    mime = str(row.get("File:MIMEType", ""))
    if not error and mime.startswith("audio/"):
        raise NotAPicture(f"an audio recording ({mime}), not a photo or video")
    if error or not (mime.startswith("video/") or mime in ("application/mp4",)):
        raise PhotoReadError(f"not a video ExifTool can read ({error or mime or 'unknown type'})")
    main: dict[str, Any] = {}
    documents: dict[str, dict[str, Any]] = defaultdict(dict)
    for key, value in row.items():
        parts = key.split(":")
        if len(parts) == 3 and parts[0].startswith("Doc"):
            documents[parts[0]][parts[2]] = value
            main.setdefault(f"{parts[1]}:{parts[2]}", value)  # a stream's tag as its group has it (H264:..., GoPro:...)
        elif len(parts) == 2:
            main.setdefault(key, value)
    telemetry = _telemetry(documents)
    camera = _camera(main)
    gps = _position(main)
    accuracy = None
    gps_time = None
    if telemetry:
        first = telemetry[0]
        if gps is None:
            gps = (first[1], first[2], first[3])
        sample_time = _first_sample_time(documents)
        gps_time = dt.datetime.fromtimestamp(first[0] - sample_time, dt.UTC)
        accuracy = next((number(d.get("GPSHPositioningError")) for d in documents.values() if "GPSHPositioningError" in d), None)
    taken_at, offset, source = _capture_time(main)
    if offset is None and source == "QuickTime:CreateDate" and _is_phone(main, gps is not None and not telemetry):
        offset, source = dt.timedelta(0), "QuickTime:CreateDate (UTC, a phone's)"
    elif offset is None and taken_at is not None and not telemetry:
        camera = f"{camera or 'video'} (video clock)"
    return PhotoMetadata(taken_at=taken_at, utc_offset=offset, camera=camera, gps=gps, time_source=source, gps_time=gps_time,
                         gps_accuracy_m=accuracy, gps_problem=None if gps is not None else _unusable_position(main)), telemetry


def _capture_time(main: dict[str, Any]) -> tuple[dt.datetime | None, dt.timedelta | None, str | None]:
    for key in ZONED_TIMES:
        found = _time(main.get(key))
        if found is not None and found[1] is not None:
            return found[0], found[1], key
    for key in ("QuickTime:CreateDate", "RIFF:DateTimeOriginal"):
        found = _time(main.get(key))
        if found is not None:
            return found[0], found[1], key
    for key in ZONED_TIMES:  # a zoned tag without its zone, last
        found = _time(main.get(key))
        if found is not None:
            return found[0], None, key
    return None, None, None


def _time(value: object) -> tuple[dt.datetime, dt.timedelta | None] | None:
    if not isinstance(value, str):
        return None
    match = _TIME.match(value)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        when = dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
                           int((fraction or ".0")[1:7].ljust(6, "0")))
    except ValueError:
        return None
    if when < EARLIEST_VIDEO:
        return None
    offset = None
    if zone == "Z":
        offset = dt.timedelta(0)
    elif zone:
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return when, offset


def _camera(main: dict[str, Any]) -> str:
    def first(name: str) -> str:
        for key, value in main.items():
            group, _, tag = key.partition(":")
            if tag == name and group not in _NOT_CAMERA and isinstance(value, (str, int, float)) and str(value).strip():
                return str(value).strip()
        return ""

    make = first("Make") or first("AndroidMake")
    model = first("Model") or first("AndroidModel") or first("DeviceName")
    if make.isdigit():  # AVCHD's H264:Make is a maker code, not a name
        make = ""
    if not (make or model) and first("AndroidVersion"):
        make = "Android"
    serial = first("CameraSerialNumber") or first("SerialNumber")
    if model.lower().startswith(make.lower()):
        make = ""
    return " ".join(" ".join(p for p in (make, model, serial) if p).split())


def _is_phone(main: dict[str, Any], has_own_location: bool) -> bool:
    """A phone's video: its QuickTime CreateDate is UTC, as the specification says."""
    makers = " ".join(str(main.get(k, "")) for k in ("Keys:Make", "UserData:Make", "ItemList:Make")).lower()
    return has_own_location or "apple" in makers or any(k.rpartition(":")[2].startswith("Android") for k in main)


def _position(main: dict[str, Any]) -> tuple[float, float, float | None] | None:
    for key in POSITIONS:
        value = main.get(key)
        if value is None:
            continue
        parts = [number(p) for p in str(value).replace(",", " ").split()]
        if len(parts) >= 2 and parts[0] is not None and parts[1] is not None:
            position = _checked(parts[0], parts[1], parts[2] if len(parts) > 2 else None)
            if position is not None:
                return position
    loci_text = str(main.get("UserData:LocationInformation", ""))
    loci = _LOCI.search(loci_text)
    if loci is not None and "Body=earth" in loci_text and "Role=fictional" not in loci_text:
        position = _checked(float(loci[1]), float(loci[2]), float(loci[3]) if loci[3] else None)
        if position is not None:
            return position
    for lat_key, lon_key, alt_key in (("XMP-exif:GPSLatitude", "XMP-exif:GPSLongitude", "XMP-exif:GPSAltitude"),
                                      ("H264:GPSLatitude", "H264:GPSLongitude", "H264:GPSAltitude")):
        lat, lon = number(main.get(lat_key)), number(main.get(lon_key))
        if lat is not None and lon is not None:
            position = _checked(lat, lon, number(main.get(alt_key)))
            if position is not None:
                return position
    return None


def own_position(main: Any, key: str) -> tuple[float | None, float | None]:
    """(lat, lon) of one of a video's own position tags (OWN_POSITION_TAGS) as ExifTool reads them
    (``main``: a dict or a TagDump); (None, None) where they are no numbers."""
    value = main.get(key)
    if key == "XMP-exif:GPSLatitude":
        parts = [number(value), number(main.get("XMP-exif:GPSLongitude"))]
    elif key == "UserData:LocationInformation":
        found = _LOCI.search(str(value))
        parts = [number(found[1]), number(found[2])] if found else []
    else:
        parts = [number(p) for p in str(value).replace(",", " ").split()[:2]]
    return (parts[0], parts[1]) if len(parts) == 2 else (None, None)


def _unusable_position(main: dict[str, Any]) -> str | None:
    """Why a video without a usable position still holds one of its own (OWN_POSITION_TAGS): never
    replaced without --overwrite. Not (0, 0), what a phone writes without a fix (gps_tags.null_island):
    no position, as a photo's."""
    for key in OWN_POSITION_TAGS:
        value = main.get(key)
        if value in (None, "") or null_island(own_position(main, key)):
            continue
        return f"its own position ({key} {str(value)[:60]!r}) is no place on earth"
    return None


def _checked(lat: float, lon: float, alt: float | None) -> tuple[float, float, float | None] | None:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return lat, lon, alt


def _telemetry(documents: dict[str, dict[str, Any]]) -> list[Fix]:
    """The embedded documents' timed fixes, in time order: those with a GPS date and time and a
    position (a sub-sample without its own time is left out: one fix a second is plenty), not
    those a receiver without a fix wrote (GPSMeasureMode below 2, GPSStatus void, (0, 0))."""
    fixes: dict[float, Fix] = {}
    latest = dt.datetime.now(dt.UTC) + LATEST_GPS_TIME_AHEAD
    for tags in documents.values():
        lat, lon = number(tags.get("GPSLatitude")), number(tags.get("GPSLongitude"))
        when = _time(tags.get("GPSDateTime"))
        if lat is None or lon is None or when is None:
            continue
        mode = number(tags.get("GPSMeasureMode"))
        if (mode is not None and mode < 2) or str(tags.get("GPSStatus", "")).upper().startswith("V"):
            continue
        utc = when[0].replace(tzinfo=dt.UTC) - (when[1] or dt.timedelta(0))
        if not EARLIEST_GPS_TIME <= utc <= latest:
            continue
        position = _checked(lat, lon, number(tags.get("GPSAltitude")))
        if position is not None:
            fixes.setdefault(utc.timestamp(), (utc.timestamp(), *position))
    return [fixes[t] for t in sorted(fixes)]


def _first_sample_time(documents: dict[str, dict[str, Any]]) -> float:
    """Seconds into the video of its first timed fix (its document's SampleTime), 0 when unsaid."""
    for tags in documents.values():
        if "GPSDateTime" in tags and number(tags.get("GPSLatitude")) is not None:
            return number(tags.get("SampleTime")) or 0.0
    return 0.0


def read_media(path: Path) -> tuple[PhotoMetadata, list[Fix]]:
    """A photo's metadata (exiv2, ExifTool where it cannot) or a video's, with its telemetry."""
    from .formats import is_video
    from .metadata import read_metadata

    if is_video(Path(path)):
        metadata, fixes = read_video_metadata(path)
        if metadata.gps is None:  # its sidecar's position (a video ExifTool cannot rewrite), as a RAW photo's is read
            beside = metadata_from({}, sidecar_xmp(path))
            if beside.gps is not None:
                metadata = dataclasses.replace(metadata, gps=beside.gps, gps_problem=beside.gps_problem)
        return metadata, fixes
    return read_metadata(path), []
