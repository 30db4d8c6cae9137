"""Read what a photo knows about when and where it was taken (exiv2 via pyexiv2, plus the XMP
sidecar beside it). Pixels are never decoded here, so even a decompression bomb is just bytes.

Real cameras write text that is not UTF-8 (Latin-1 copyright signs, Shift-JIS owner names): text
that is not valid UTF-8 is read as Latin-1, never a failed photo. A file exiv2 cannot open at all
(a truncated XMP packet, an odd container) is read by ExifTool instead when one is installed.

The capture time is, in this order: EXIF DateTimeOriginal (+ SubSecTimeOriginal, +
OffsetTimeOriginal), XMP's capture time with its time zone (exif:DateTimeOriginal,
photoshop:DateCreated, xmp:CreateDate), IPTC IIM's Date Created + Time Created (without its zone:
what news agencies' and picture desks' software keeps when it strips EXIF; the Metadata Working
Group's mirror of DateTimeOriginal), EXIF CreateDate (DateTimeDigitized + OffsetTimeDigitized), and only
then IFD0 ModifyDate (the last edit, often not the capture): a weak time the report flags.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geor.engine.errors import BadInput

from .exiftool import number
from .formats import sidecar_path
from .gps_tags import (
    GpsTagError,
    null_island,
    null_position_problem,
    parse_exif_gps,
    parse_exif_gps_time,
    parse_gps_accuracy,
    parse_xmp_gps,
    parse_xmp_gps_time,
    void_coordinates,
)

_EXIF_TIME = re.compile(r"^\s*(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_XMP_TIME = re.compile(r"^\s*(\d{4})[-:](\d{2})[-:](\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$")
_OFFSET = re.compile(r"^\s*([+-])(\d{2}):?(\d{2})\s*$")
_SUBSEC = re.compile(r"^\s*(\d{1,9})")
_IPTC_DATE = re.compile(r"^\s*(\d{4})[-:]?(\d{2})[-:]?(\d{2})\s*$")
_IPTC_TIME = re.compile(r"^\s*(\d{2}):?(\d{2}):?(\d{2})\s*(?:[+-]\d{2}:?\d{2})?\s*$")

#: Where a capture time may come from, most trusted first: (name, time key, subsec key, offset key).
EXIF_TIMES = (
    ("DateTimeOriginal", "Exif.Photo.DateTimeOriginal", "Exif.Photo.SubSecTimeOriginal", "Exif.Photo.OffsetTimeOriginal"),
    ("DateTimeOriginal", "Exif.Image.DateTimeOriginal", None, None),  # TIFF/EP and some RAW files keep it in IFD0
)
XMP_TIMES = ("Xmp.exif.DateTimeOriginal", "Xmp.photoshop.DateCreated", "Xmp.xmp.CreateDate")
IPTC_DATE, IPTC_TIME = "Iptc.Application2.DateCreated", "Iptc.Application2.TimeCreated"
LATER_EXIF_TIMES = (
    ("CreateDate", "Exif.Photo.DateTimeDigitized", "Exif.Photo.SubSecTimeDigitized", "Exif.Photo.OffsetTimeDigitized"),
    ("ModifyDate", "Exif.Image.DateTime", "Exif.Photo.SubSecTime", "Exif.Photo.OffsetTime"),
)
OFFSET_TAGS = ("Exif.Photo.OffsetTimeOriginal", "Exif.Photo.OffsetTimeDigitized", "Exif.Photo.OffsetTime")
#: A capture time from here may be the time of the last edit, not of the photo.
WEAK_TIME_SOURCES = frozenset({"ModifyDate"})


class PhotoReadError(BadInput):
    """A photo whose metadata cannot be read; the message says why (the path is added by callers)."""


class NotAPicture(PhotoReadError):
    """A file with a photo's or video's name that holds no picture at all (an audio recording in an
    MP4 container): nothing to place, left alone; the message says what it is."""


@dataclass(frozen=True, kw_only=True)
class PhotoMetadata:
    taken_at: dt.datetime | None  # as the camera wrote it: local time, naive
    utc_offset: dt.timedelta | None  # from the time's own offset tag (or XMP zone) when recorded
    camera: str  # make + model + serial, for grouping photos of one camera
    gps: tuple[float, float, float | None] | None  # lat, lon, altitude (embedded or sidecar)
    gps_problem: str | None = None  # a malformed GPS block: reported, treated as "no GPS"
    time_source: str | None = None  # which tag the time came from (DateTimeOriginal, XMP photoshop:DateCreated, ...)
    gps_time: dt.datetime | None = None  # UTC time of the GPS fix (GPSDateStamp + GPSTimeStamp): the camera clock's truth
    gps_accuracy_m: float | None = None  # GPSHPositioningError, where the device wrote one

    @property
    def time_is_weak(self) -> bool:
        return self.time_source in WEAK_TIME_SOURCES


def open_exiv2(path: Path, data: bytes | None = None) -> Any:
    """A pyexiv2 handle on a file (or on its bytes, for paths exiv2 cannot encode)."""
    import pyexiv2

    pyexiv2.set_log_level(4)  # errors come back as exceptions; keep exiv2 quiet on stderr
    try:
        if data is not None:
            return pyexiv2.ImageData(data)
        try:
            os.fspath(path).encode("utf-8")
        except UnicodeEncodeError:  # non-UTF-8 file name: hand exiv2 the bytes instead
            return pyexiv2.ImageData(Path(path).read_bytes())
        return pyexiv2.Image(os.fspath(path))
    except RuntimeError as exc:
        raise PhotoReadError(_exiv2_reason(exc, path)) from None


def _exiv2_reason(exc: Exception, path: Path) -> str:
    text = str(exc).strip() or type(exc).__name__
    prefix = f"{os.fspath(path)}: "
    if text.startswith(prefix):  # exiv2 names the file; callers already do
        text = text[len(prefix):]
    if "unknown image type" in text or "Failed to read" in text or "not a" in text.lower() or "does not look like" in text:
        return f"not a readable image ({text})"
    return f"its metadata is damaged (exiv2: {text})"  # "corrupted image metadata", or only a code (XMP's _ERROR_FORMAT_CL_SPACE)


#: EXIF's text tags Geo-R reads (camera, times, zones, GPS references).
TEXT_KEYS = frozenset({"Exif.Image.Make", "Exif.Image.Model", "Exif.Photo.BodySerialNumber", "Exif.GPSInfo.GPSDateStamp",
                       "Exif.GPSInfo.GPSLatitudeRef", "Exif.GPSInfo.GPSLongitudeRef", "Exif.GPSInfo.GPSStatus",
                       *(key for group in (EXIF_TIMES, LATER_EXIF_TIMES) for _, *keys in group for key in keys if key), *OFFSET_TAGS})
_DECIMAL_BYTES = re.compile(r"^\d{1,3}(?: \d{1,3})+$")


def text_stored_as_bytes(exif: dict[str, Any]) -> dict[str, Any]:
    """EXIF with its text tags as text where a writer stored them with the type UNDEFINED or BYTE
    instead of ASCII (Android's Ultra HDR sample writer: Make and Model), which exiv2 spells as the
    bytes' decimal values ("71 111 111 103 108 101" for Google)."""
    fixed = dict(exif)
    for key in TEXT_KEYS & exif.keys():
        value = exif[key]
        if isinstance(value, str) and _DECIMAL_BYTES.match(value) and all(int(b) < 256 for b in value.split()):
            fixed[key] = bytes(int(b) for b in value.split()).split(b"\0", 1)[0].decode("latin-1")
    return fixed


def _lenient(read: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """One pyexiv2 block read as UTF-8, else as Latin-1 (which decodes any bytes)."""
    try:
        return read()
    except UnicodeDecodeError:
        return read(encoding="latin-1")


def read_all(handle: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(EXIF, XMP, IPTC) dictionaries of an open pyexiv2 handle."""
    try:
        exif = text_stored_as_bytes(_lenient(handle.read_exif))
    except RuntimeError as exc:
        raise PhotoReadError(f"EXIF block unreadable ({exc})") from None
    try:
        xmp = _lenient(handle.read_xmp)
    except RuntimeError:
        xmp = {}
    try:
        iptc = _lenient(handle.read_iptc)
    except RuntimeError:
        iptc = {}
    return exif, xmp, iptc


def _has_raw_xmp(handle: Any) -> bool:
    try:
        return bool(handle.read_raw_xmp().strip())
    except (RuntimeError, UnicodeDecodeError):
        return True  # a packet exiv2 cannot even hand over is one it rejected


def read_metadata(path: Path) -> PhotoMetadata:
    """Time, camera and GPS of a photo; raises :class:`PhotoReadError` for unreadable files."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise PhotoReadError("the file disappeared") from None
    except PermissionError:
        raise PhotoReadError("permission denied") from None
    if size == 0:
        raise PhotoReadError("empty file (0 bytes)")
    try:
        handle = open_exiv2(path)
    except PermissionError:
        raise PhotoReadError("permission denied") from None
    except PhotoReadError as exc:
        exif, xmp, iptc = read_with_exiftool(path, exc)
        xmp_rejected = False
    else:
        try:
            exif, xmp, iptc = read_all(handle)
            xmp_rejected = not xmp and _has_raw_xmp(handle)
        finally:
            handle.close()
    xmp = {**xmp, **sidecar_xmp(path)}
    found = metadata_from(exif, xmp, iptc)
    if found.taken_at is None and xmp_rejected:  # exiv2 rejects some packets whole (DxO's, in a JPEG or PNG): ExifTool reads them
        try:
            more_exif, more_xmp, more_iptc = read_with_exiftool(path, PhotoReadError("no time"))
        except PhotoReadError:
            return found
        found = metadata_from({**more_exif, **exif}, {**more_xmp, **xmp}, {**more_iptc, **iptc})
    return found


def sidecar_xmp(path: Path) -> dict[str, Any]:
    """The XMP of a photo's or video's sidecar (formats.sidecar_path), empty when there is none or it
    is broken (a broken sidecar does not make the file unreadable)."""
    sidecar = sidecar_path(path)
    if not _is_file(sidecar):
        return {}
    try:
        side = open_exiv2(sidecar)
        try:
            return dict(_lenient(side.read_xmp))
        finally:
            side.close()
    except (PhotoReadError, RuntimeError):
        return {}


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long for the file system
        return False


def metadata_from(exif: dict[str, Any], xmp: dict[str, Any], iptc: dict[str, Any] | None = None) -> PhotoMetadata:
    """PhotoMetadata from exiv2-keyed EXIF, XMP and IPTC dictionaries."""
    gps, problem = None, None
    try:
        gps = parse_exif_gps(exif)
        if gps is None:
            xmp_position = parse_xmp_gps(xmp)
            gps = (*xmp_position, None) if xmp_position else None
    except GpsTagError as exc:
        problem = f"EXIF GPS block is malformed ({exc})"
    no_fix = gps is not None and null_island(gps[:2])  # (0, 0): no position, nothing to keep
    gps = None if no_fix else gps
    if problem is None:
        problem = null_position_problem(exif, gps[:2] if gps else None)
        gps = None if problem else gps
    camera = " ".join(_text(exif.get(k)) for k in ("Exif.Image.Make", "Exif.Image.Model", "Exif.Photo.BodySerialNumber")).strip()
    camera = " ".join(camera.split())
    taken_at, offset, source = capture_time(exif, xmp, iptc)
    gps_time = None if no_fix else fix_time(exif, parse_exif_gps_time(exif) or parse_xmp_gps_time(xmp), problem)
    return PhotoMetadata(taken_at=taken_at, utc_offset=offset, camera=camera, gps=gps, gps_problem=problem, time_source=source,
                         gps_time=gps_time, gps_accuracy_m=parse_gps_accuracy(exif) if gps else None)


#: GPS times outside these bounds are a receiver's unset clock, not a fix (consumer GPS began in the 1990s).
EARLIEST_GPS_TIME = dt.datetime(1995, 1, 1, tzinfo=dt.UTC)
LATEST_GPS_TIME_AHEAD = dt.timedelta(days=1)


def fix_time(exif: dict[str, Any], when: dt.datetime | None, position_problem: str | None) -> dt.datetime | None:
    """The GPS block's UTC time, only when it can be a fix's: not from a block whose position is
    (0, 0), void, undefined (0/0) or malformed, nor whose GPSStatus says void (the receiver's own clock, not
    synchronised: trusting it made "exact" camera clocks hundreds of days off), nor before 1995 or
    in the future. A block with a time and no position at all (phones that wrote the network time)
    keeps it."""
    if (when is None or position_problem is not None or void_coordinates(exif)
            or str(exif.get("Exif.GPSInfo.GPSStatus", "")).strip().upper().startswith("V")):
        return None
    if not EARLIEST_GPS_TIME <= when <= dt.datetime.now(dt.UTC) + LATEST_GPS_TIME_AHEAD:
        return None
    return when


def capture_time(exif: dict[str, Any], xmp: dict[str, Any],
                 iptc: dict[str, Any] | None = None) -> tuple[dt.datetime | None, dt.timedelta | None, str | None]:
    """(local time, UTC offset, source tag) by the order in the module docstring. A capture time
    (DateTimeOriginal, CreateDate) without its own offset tag takes another of the three: cameras
    write the same zone into all they write (some only OffsetTime). ModifyDate keeps its own."""
    any_offset = next((o for o in map(_offset, (exif.get(k) for k in OFFSET_TAGS)) if o is not None), None)
    for name, key, subsec, offset in EXIF_TIMES:
        found = _exif_time(exif.get(key), exif.get(subsec) if subsec else None)
        if found is not None:
            own = _offset(exif.get(offset)) if offset else None
            return found, own if own is not None else any_offset, name
    for key in XMP_TIMES:
        found_xmp = _xmp_time(xmp.get(key))
        if found_xmp is not None:
            return found_xmp[0], found_xmp[1], f"XMP {key.split('.', 1)[1].replace('.', ':')}"
    found_iptc = _iptc_time((iptc or {}).get(IPTC_DATE), (iptc or {}).get(IPTC_TIME))
    if found_iptc is not None:
        return found_iptc, None, "IPTC DateCreated"
    for name, key, subsec, offset in LATER_EXIF_TIMES:
        found = _exif_time(exif.get(key), exif.get(subsec))
        if found is not None:
            own = _offset(exif.get(offset))
            return found, own if own is not None or name == "ModifyDate" else any_offset, name  # an edit may be elsewhere
    return None, None, None


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _exif_time(text: object, subsec: object = None) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    match = _EXIF_TIME.match(text)
    if not match:
        return None
    try:
        year, month, day, hour, minute, second = (int(g) for g in match.groups())
        when = dt.datetime(year, month, day, hour, minute, second)
    except ValueError:  # 0000:00:00 00:00:00 and other impossible dates
        return None
    fraction = _SUBSEC.match(subsec) if isinstance(subsec, str) else None
    if fraction:
        when = when.replace(microsecond=int(fraction.group(1)[:6].ljust(6, "0")))
    return when


def _xmp_time(value: object) -> tuple[dt.datetime, dt.timedelta | None] | None:
    """ISO 8601 as XMP writes it (``2024-07-14T10:00:00.5+02:00``); a date alone is no time."""
    if isinstance(value, list) and value:
        value = value[0]
    if not isinstance(value, str):
        return None
    match = _XMP_TIME.match(value)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        when = dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
                           int((fraction or "0")[:6].ljust(6, "0")))
    except ValueError:
        return None
    offset = dt.timedelta(0) if zone == "Z" else _offset(zone)
    return when, offset


def _iptc_time(date: object, time: object) -> dt.datetime | None:
    """IPTC IIM's Date Created (CCYYMMDD; exiv2 spells it 2020-07-23, ExifTool 2020:07:23) and Time
    Created (HHMMSS+HHMM): a capture time only with both, and not at midnight sharp, which picture
    desks' software writes for "the time is not known". Its zone is not taken: software that copies
    a camera's zoneless time into IPTC adds its own computer's zone or +00:00 (the corpus: a Death
    Valley photo at +00:00, others at the editor's -05:00 or -07:00), and a zone would make the
    clock "declared"."""
    date, time = (v[0] if isinstance(v, list) and v else v for v in (date, time))
    day, moment = _IPTC_DATE.match(_text(date)), _IPTC_TIME.match(_text(time))
    if day is None or moment is None or moment.group(1, 2, 3) == ("00", "00", "00"):
        return None
    try:
        year, month, date_of_month = (int(v) for v in day.groups())
        hour, minute, second = (int(v) for v in moment.group(1, 2, 3))
        return dt.datetime(year, month, date_of_month, hour, minute, second)
    except ValueError:
        return None


def _offset(text: object) -> dt.timedelta | None:
    if not isinstance(text, str):
        return None
    match = _OFFSET.match(text)
    if not match:
        return None
    sign = -1 if match.group(1) == "-" else 1
    return sign * dt.timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))


#: ExifTool's names (-G1 groups) for the exiv2 keys metadata_from reads.
_EXIFTOOL_KEYS = {
    "IFD0:Make": "Exif.Image.Make", "IFD0:Model": "Exif.Image.Model", "ExifIFD:SerialNumber": "Exif.Photo.BodySerialNumber",
    "ExifIFD:DateTimeOriginal": "Exif.Photo.DateTimeOriginal", "ExifIFD:SubSecTimeOriginal": "Exif.Photo.SubSecTimeOriginal",
    "ExifIFD:OffsetTimeOriginal": "Exif.Photo.OffsetTimeOriginal", "IFD0:DateTimeOriginal": "Exif.Image.DateTimeOriginal",
    "ExifIFD:CreateDate": "Exif.Photo.DateTimeDigitized", "ExifIFD:SubSecTimeDigitized": "Exif.Photo.SubSecTimeDigitized",
    "ExifIFD:OffsetTimeDigitized": "Exif.Photo.OffsetTimeDigitized", "IFD0:ModifyDate": "Exif.Image.DateTime",
    "ExifIFD:SubSecTime": "Exif.Photo.SubSecTime", "ExifIFD:OffsetTime": "Exif.Photo.OffsetTime",
    "GPS:GPSLatitude": "Exif.GPSInfo.GPSLatitude", "GPS:GPSLatitudeRef": "Exif.GPSInfo.GPSLatitudeRef",
    "GPS:GPSLongitude": "Exif.GPSInfo.GPSLongitude", "GPS:GPSLongitudeRef": "Exif.GPSInfo.GPSLongitudeRef",
    "GPS:GPSAltitude": "Exif.GPSInfo.GPSAltitude", "GPS:GPSAltitudeRef": "Exif.GPSInfo.GPSAltitudeRef",
    "GPS:GPSDateStamp": "Exif.GPSInfo.GPSDateStamp", "GPS:GPSTimeStamp": "Exif.GPSInfo.GPSTimeStamp",
    "GPS:GPSHPositioningError": "Exif.GPSInfo.GPSHPositioningError", "GPS:GPSStatus": "Exif.GPSInfo.GPSStatus",
    "XMP-exif:GPSTimeStamp": "Xmp.exif.GPSTimeStamp",
    "XMP-exif:DateTimeOriginal": "Xmp.exif.DateTimeOriginal", "XMP-photoshop:DateCreated": "Xmp.photoshop.DateCreated",
    "XMP-xmp:CreateDate": "Xmp.xmp.CreateDate", "XMP-exif:GPSLatitude": "Xmp.exif.GPSLatitude",
    "XMP-exif:GPSLongitude": "Xmp.exif.GPSLongitude", "IPTC:DateCreated": IPTC_DATE, "IPTC:TimeCreated": IPTC_TIME,
}


#: Read from whichever group holds them when the EXIF groups do not, and the groups that are not the camera's.
_ANY_GROUP_KEYS = (("DateTimeOriginal", "Exif.Photo.DateTimeOriginal"), ("Make", "Exif.Image.Make"), ("Model", "Exif.Image.Model"))
_NOT_CAMERA_GROUPS = ("File:", "System:", "Composite:", "XMP", "ExifTool:Warning", "ExifTool:Error")


def read_with_exiftool(path: Path, exiv2_error: PhotoReadError) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """EXIF, XMP and IPTC (exiv2 keys) of a file exiv2 could not open, read by ExifTool in its raw
    spellings (``-n``: rationals as exiv2 writes them would need ``-b``, so numbers are converted
    back); re-raises exiv2's error when ExifTool cannot read the file either."""
    from .exiftool import ExifToolMissing, find_exiftool

    try:
        program = find_exiftool()
    except ExifToolMissing:
        raise exiv2_error from None
    try:
        out = subprocess.run([os.fspath(program), "-j", "-G1", "-n", "-api", "LargeFileSupport=1", os.fspath(path)],
                             capture_output=True, timeout=120, check=False).stdout
        rows = json.loads(out) if out.strip() else []
    except (OSError, subprocess.SubprocessError, json.JSONDecodeError):
        rows = []
    metadata = [k for k in rows[0] if k.split(":")[0] not in ("SourceFile", "ExifTool", "System", "File", "Composite")] if rows else []
    mime = str(rows[0].get("File:MIMEType", "")) if rows else ""
    if rows and "ExifTool:Error" not in rows[0] and rows[0].get("File:FileType") == "JXL Codestream" and rows[0].get("File:ImageWidth"):
        return {}, {}, {}  # a bare JPEG XL codestream: an image with no place for metadata (no time, no camera)
    if not rows or "ExifTool:Error" in rows[0] or not mime.startswith("image/") or not metadata:
        raise exiv2_error from None  # a text file named .jpg, a JPEG header and garbage: no photo to read
    values = {_EXIFTOOL_KEYS[k]: v for k, v in rows[0].items() if k in _EXIFTOOL_KEYS}
    for name, key in _ANY_GROUP_KEYS:  # a format with its own block (Kyocera, Lytro, Sony PMP): its tags wherever they are
        if key not in values:
            found = next((v for k, v in rows[0].items() if k.rpartition(":")[2] == name and not k.startswith(_NOT_CAMERA_GROUPS)), None)
            if found is not None:
                values[key] = found
    zone = re.search(r"(Z|[+-]\d{2}:\d{2})$", str(values.get("Exif.Photo.DateTimeOriginal", "")))
    if zone and "Exif.Photo.OffsetTimeOriginal" not in values:  # a time with its zone (Lytro's ...Z)
        values["Exif.Photo.OffsetTimeOriginal"] = "+00:00" if zone.group(1) == "Z" else zone.group(1)
    exif: dict[str, Any] = {}
    xmp: dict[str, Any] = {}
    iptc: dict[str, Any] = {}
    for key, value in values.items():
        (exif if key.startswith("Exif.") else iptc if key.startswith("Iptc.") else xmp)[key] = _as_exiv2(key, value)
    return exif, xmp, iptc


def _as_exiv2(key: str, value: Any) -> Any:
    """An ExifTool ``-n`` value in the spelling exiv2 uses for the same tag."""
    if key in ("Exif.GPSInfo.GPSLatitude", "Exif.GPSInfo.GPSLongitude"):
        ten_thousandths = round(abs(float(value)) * 3600 * 10_000)  # of an arc-second
        return f"{ten_thousandths}/36000000 0/1 0/1"
    if key == "Exif.GPSInfo.GPSAltitude":
        return f"{round(abs(float(value)) * 100)}/100"
    if key == "Exif.GPSInfo.GPSHPositioningError":
        return f"{round(abs(float(value)) * 1000)}/1000"
    if key == "Exif.GPSInfo.GPSTimeStamp":  # -n gives "h:m:s" (seconds may have a fraction)
        hours, minutes, seconds = (str(value).split(":") + ["0", "0"])[:3]
        return f"{int(float(hours))}/1 {int(float(minutes))}/1 {round(float(seconds) * 1000)}/1000"
    if key in ("Xmp.exif.GPSLatitude", "Xmp.exif.GPSLongitude") and number(value) is not None:  # (a string past 16 decimals)
        degrees = float(value)
        refs = "NS" if key.endswith("Latitude") else "EW"
        return f"{int(abs(degrees))},{(abs(degrees) % 1) * 60:.8f}{refs[0] if degrees >= 0 else refs[1]}"
    return str(value)
