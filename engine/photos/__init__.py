"""Photo metadata: reading time, camera and GPS; writing GPS and place names safely (in the file
or an XMP sidecar), with everything an undo journal needs."""

from .formats import PHOTO_SUFFIXES, is_photo, needs_sidecar, sidecar_path
from .gps_tags import GpsTagError, Location
from .metadata import PhotoMetadata, PhotoReadError, read_metadata
from .writer import FileState, PhotoWriteError, WriteResult, location_tags, sha256_of, write_tags

__all__ = [
    "PHOTO_SUFFIXES",
    "FileState",
    "GpsTagError",
    "Location",
    "PhotoMetadata",
    "PhotoReadError",
    "PhotoWriteError",
    "WriteResult",
    "is_photo",
    "location_tags",
    "needs_sidecar",
    "read_metadata",
    "sha256_of",
    "sidecar_path",
    "write_tags",
]
