"""Which photo files Geo-R handles, and how each takes a location: embedded in the file (exiv2 can
rewrite its metadata losslessly) or in an XMP sidecar beside it (RAW files, whose originals we never
touch, and HEIC/HEIF/AVIF, which exiv2 reads but cannot write)."""

from __future__ import annotations

from pathlib import Path

EMBEDDED = {".jpg", ".jpeg", ".jpe", ".tif", ".tiff", ".png", ".webp"}
SIDECAR_ONLY = {
    ".heic", ".heif", ".hif", ".avif",
    ".cr2", ".cr3", ".crw", ".nef", ".nrw", ".arw", ".srf", ".sr2", ".dng", ".raf", ".orf", ".rw2",
    ".pef", ".srw", ".x3f", ".3fr", ".iiq", ".erf", ".kdc", ".mef", ".mos", ".mrw", ".rwl",
}
#: Formats whose IPTC IIM block exiv2 can write (WebP has none).
IPTC_CAPABLE = {".jpg", ".jpeg", ".jpe", ".tif", ".tiff", ".png"}
PHOTO_SUFFIXES = EMBEDDED | SIDECAR_ONLY


def is_photo(path: Path) -> bool:
    return path.suffix.lower() in PHOTO_SUFFIXES


def needs_sidecar(path: Path) -> bool:
    return path.suffix.lower() in SIDECAR_ONLY


def sidecar_path(path: Path) -> Path:
    """``IMG_0001.CR2`` -> ``IMG_0001.xmp`` (the Adobe convention Lightroom, darktable and digiKam read)."""
    return path.with_suffix(".xmp")
