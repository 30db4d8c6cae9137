"""Read what a photo knows about when and where it was taken (exiv2 via pyexiv2, plus the XMP
sidecar beside it). Pixels are never decoded here, so even a decompression bomb is just bytes."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .formats import sidecar_path
from .gps_tags import GpsTagError, parse_exif_gps, parse_xmp_gps

_EXIF_TIME = re.compile(r"^\s*(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET = re.compile(r"^\s*([+-])(\d{2}):?(\d{2})\s*$")


class PhotoReadError(Exception):
    """A photo whose metadata cannot be read; the message says why (the path is added by callers)."""


@dataclass(frozen=True)
class PhotoMetadata:
    taken_at: dt.datetime | None  # as the camera wrote it: local time, naive
    utc_offset: dt.timedelta | None  # from OffsetTimeOriginal when the camera recorded it
    camera: str  # make + model + serial, for grouping photos of one camera
    gps: tuple[float, float, float | None] | None  # lat, lon, altitude (embedded or sidecar)
    gps_problem: str | None = None  # a malformed GPS block: reported, treated as "no GPS"


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
    if "unknown image type" in text or "Failed to read" in text or "not a" in text.lower():
        return f"not a readable image ({text})"
    return text


def read_all(handle: Any) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
    """(EXIF, XMP, IPTC) dictionaries of an open pyexiv2 handle."""
    try:
        exif = handle.read_exif()
    except RuntimeError as exc:
        raise PhotoReadError(f"EXIF block unreadable ({exc})") from None
    try:
        xmp = handle.read_xmp()
    except RuntimeError:
        xmp = {}
    try:
        iptc = handle.read_iptc()
    except RuntimeError:
        iptc = {}
    return exif, xmp, iptc


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
    try:
        exif, xmp, _ = read_all(handle)
    finally:
        handle.close()
    sidecar = sidecar_path(path)
    if sidecar.is_file():
        try:
            side = open_exiv2(sidecar)
            try:
                xmp = {**xmp, **side.read_xmp()}
            finally:
                side.close()
        except (PhotoReadError, RuntimeError):
            pass  # a broken sidecar does not make the photo unreadable
    gps, problem = None, None
    try:
        gps = parse_exif_gps(exif)
        if gps is None:
            xmp_position = parse_xmp_gps(xmp)
            gps = (*xmp_position, None) if xmp_position else None
    except GpsTagError as exc:
        problem = f"EXIF GPS block is malformed ({exc})"
    camera = " ".join(exif.get(k, "").strip() for k in ("Exif.Image.Make", "Exif.Image.Model", "Exif.Photo.BodySerialNumber")).strip()
    return PhotoMetadata(
        taken_at=_exif_time(exif.get("Exif.Photo.DateTimeOriginal") or exif.get("Exif.Image.DateTime") or xmp.get("Xmp.exif.DateTimeOriginal")),
        utc_offset=_offset(exif.get("Exif.Photo.OffsetTimeOriginal")),
        camera=camera,
        gps=gps,
        gps_problem=problem,
    )


def _exif_time(text: object) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    match = _EXIF_TIME.match(text)
    if not match:
        return None
    try:
        return dt.datetime(*(int(g) for g in match.groups()))
    except ValueError:  # 0000:00:00 00:00:00 and other impossible dates
        return None


def _offset(text: object) -> dt.timedelta | None:
    if not isinstance(text, str):
        return None
    match = _OFFSET.match(text)
    if not match:
        return None
    sign = -1 if match.group(1) == "-" else 1
    return sign * dt.timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
