"""Photo metadata: reading time, camera and GPS (exiv2); writing GPS and place names safely through
ExifTool (in the file or an XMP sidecar), with a byte-exact undo patch for every change."""

from .formats import PHOTO_SUFFIXES, is_photo, needs_sidecar, sidecar_path
from .gps_tags import GpsTagError, Location
from .metadata import PhotoMetadata, PhotoReadError, read_metadata
from .writer import (
    FileState,
    PhotoWriteError,
    PhotoWriter,
    WriteRequest,
    WriteResult,
    restore_original,
    sha256_of,
    target_for,
)

__all__ = [
    "PHOTO_SUFFIXES",
    "FileState",
    "GpsTagError",
    "Location",
    "PhotoMetadata",
    "PhotoReadError",
    "PhotoWriteError",
    "PhotoWriter",
    "WriteRequest",
    "WriteResult",
    "is_photo",
    "needs_sidecar",
    "read_metadata",
    "restore_original",
    "sha256_of",
    "sidecar_path",
    "target_for",
]
