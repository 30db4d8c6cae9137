"""Photo and video metadata: reading time, camera and GPS (exiv2; ExifTool for videos and their telemetry); writing GPS and place names safely through
ExifTool (in the file or an XMP sidecar), with a byte-exact undo patch for every change."""

from .formats import MEDIA_SUFFIXES, PHOTO_SUFFIXES, VIDEO_SUFFIXES, is_media, is_photo, is_video, needs_sidecar, sidecar_path
from .gps_tags import GpsTagError, Location
from .metadata import NotAPicture, PhotoMetadata, PhotoReadError, read_metadata
from .video_metadata import read_media, read_video_metadata
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
    "MEDIA_SUFFIXES",
    "PHOTO_SUFFIXES",
    "VIDEO_SUFFIXES",
    "FileState",
    "GpsTagError",
    "Location",
    "PhotoMetadata",
    "NotAPicture",
    "PhotoReadError",
    "PhotoWriteError",
    "PhotoWriter",
    "WriteRequest",
    "WriteResult",
    "is_media",
    "is_photo",
    "is_video",
    "needs_sidecar",
    "read_media",
    "read_metadata",
    "read_video_metadata",
    "restore_original",
    "sha256_of",
    "sidecar_path",
    "target_for",
]
