"""Which files Geo-R handles, and how each takes a location: embedded in the file (ExifTool
rewrites its metadata, keeping everything else) or in an XMP sidecar beside it (RAW files, whose
originals we never touch, and AVCHD and AVI videos, which ExifTool cannot rewrite). HEIC/HEIF/AVIF are
rewritten in place when heif_check.py proves nothing but the location changed (ExifTool's rewrite
can drop bytes of the EXIF item no tag references: the corpus's Xiaomi HEIC loses 178 kB), else
they get a sidecar with the reason; so are JPEG XL photos (jxl_check.py: not one that holds the data
rebuilding its original JPEG). A file with Content Credentials (content_credentials.py) is never
rewritten: its position goes into a sidecar. QuickTime/MP4 videos are written in place when the rewrite is
proven to keep their media data and every other tag (video_writer.py), else beside them.

Videos are read (video_metadata.py) and placed like photos: anchors when they carry a position,
tracks when they carry telemetry, targets when they carry neither."""

from __future__ import annotations

import os
import time
from functools import lru_cache
from pathlib import Path

from geor.engine.inference.images import VIDEO_SUFFIXES as VIDEO_FORMATS

EMBEDDED = {".jpg", ".jpeg", ".jpe", ".mpo", ".tif", ".tiff", ".png", ".webp", ".jxl",
            # the HEIF family: in place only where heif_check.py proves the rewrite safe, else a sidecar
            ".heic", ".heif", ".hif", ".avif"}
SIDECAR_ONLY = {
    ".cr2", ".cr3", ".crw", ".ciff", ".nef", ".nrw", ".arw", ".arq", ".srf", ".sr2", ".dng", ".raf", ".orf", ".ori", ".rw2",
    ".raw", ".pef", ".srw", ".x3f", ".3fr", ".fff", ".iiq", ".erf", ".kdc", ".dcr", ".k25", ".mef", ".mos", ".mrw", ".rwl",
    ".gpr", ".cs1", ".rwz",
    # stills in containers Geo-R never rewrites: Lytro light fields, Sony DSC-F1, stereo and 360-degree JPEGs,
    # JPEG 2000 (archives' and digitisation masters, some cameras' and scanners' files)
    ".lfp", ".pmp", ".jps", ".insp", ".jp2", ".jpf", ".jpx", ".jph", ".j2k", ".j2c",
}
#: Formats whose IPTC IIM block Geo-R writes (PNG and WebP have no standard place for one).
IPTC_CAPABLE = {".jpg", ".jpeg", ".jpe", ".mpo", ".tif", ".tiff"}
PHOTO_SUFFIXES = EMBEDDED | SIDECAR_ONLY
#: Videos Geo-R reads (QuickTime/MP4 family, AVCHD transport streams, compact cameras' AVI) and places:
#: declared beside the poster frame's decoder, which the placement rules' scenes use too.
VIDEO_SUFFIXES = VIDEO_FORMATS
#: Videos ExifTool rewrites (QuickTime and MP4 family): written in place, proven (video_writer.py);
#: AVCHD streams (.MTS) and AVI cannot be rewritten and take a sidecar.
VIDEO_IN_PLACE = {".mov", ".mp4", ".m4v", ".3gp", ".3g2"}
#: Every file a job reads and places.
MEDIA_SUFFIXES = PHOTO_SUFFIXES | VIDEO_SUFFIXES
#: What else cameras and phones put beside their photos: videos in containers Geo-R does not read
#: (professional and cinema cameras', 360-degree cameras', older SD camcorders' MPEG-2 MOD/TOD with
#: their MOI, compact cameras' MPEG-1, DV), low-resolution copies and thumbnails, voice memos, phones'
#: GIF animations. Not geotagged; the scan says how many it left alone.
CAMERA_NOT_PHOTOS = {".mxf", ".crm", ".r3d", ".braw", ".insv", ".360", ".lrv", ".thm", ".wav", ".mod", ".tod", ".moi", ".mpg", ".dv", ".gif"}


def is_photo(path: Path) -> bool:
    return path.suffix.lower() in PHOTO_SUFFIXES


def is_video(path: Path) -> bool:
    return Path(path).suffix.lower() in VIDEO_SUFFIXES


def is_media(path: Path) -> bool:
    """A photo or a video: a file a job reads and places."""
    return path.suffix.lower() in MEDIA_SUFFIXES


def needs_sidecar(path: Path) -> bool:
    return path.suffix.lower() in SIDECAR_ONLY or path.suffix.lower() in VIDEO_SUFFIXES - VIDEO_IN_PLACE


def sidecar_path(path: Path) -> Path:
    """The one XMP sidecar of a photo, never shared with another photo.

    ``IMG_0001.CR2`` -> ``IMG_0001.xmp``, the Adobe convention (Lightroom, Capture One, digiKam,
    exiftool's ``%d%f.xmp``), unless another photo in the folder has the same stem
    (``IMG_0001.CR2`` beside ``IMG_0001.JPG`` or ``IMG_0001.DNG``) or the photo already has a
    ``IMG_0001.CR2.xmp``: then ``IMG_0001.CR2.xmp``, the convention darktable and digiKam use for
    every photo and read first.
    """
    path = Path(path)
    qualified = path.with_name(path.name + ".xmp")
    if _exists(qualified) or _shares_stem(path):
        return qualified
    return path.with_suffix(".xmp")


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a name too long for the file system cannot exist
        return False


def _shares_stem(path: Path) -> bool:
    counts = _photo_stems(path.parent, int(time.monotonic() // STEMS_FRESH_S))
    return counts.get(path.stem.lower(), 0) > 1


#: How long a folder's listing of photo names is reused. (Not until the folder changes: writing
#: sidecars changes it after every photo, and a folder of 10,000 would be listed 10,000 times.)
STEMS_FRESH_S = 10.0


@lru_cache(maxsize=64)
def _photo_stems(folder: Path, period: int) -> dict[str, int]:
    """How many photo files share each (lower-cased) stem in a folder, listed once per period."""
    counts: dict[str, int] = {}
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                name = Path(entry.name)
                if is_media(name):
                    counts[name.stem.lower()] = counts.get(name.stem.lower(), 0) + 1
    except OSError:
        pass
    return counts
