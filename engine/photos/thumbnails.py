"""Small previews of photos for a review screen, cached on disk.

A thumbnail is the photo decoded at reduced size (the model's image loader: upright by its EXIF
orientation, JPEGs decoded in draft mode, HEIC through pillow-heif), saved as a JPEG in the user's
cache directory under a name derived from the photo's path, size and modification time: a photo
changed since gets a new one. The photo itself is only read.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

from geor.engine.atomic import atomic_binary_writer
from geor.engine.errors import BadInput
from geor.engine.inference.images import ImageError, load_image
from geor.engine.paths import user_cache_dir


class ThumbnailError(BadInput):
    """The photo cannot be decoded; the message says why."""


def thumbnails_dir() -> Path:
    return user_cache_dir() / "thumbnails"


def thumbnail_jpeg(path: Path, max_side: int = 256) -> bytes:
    """JPEG bytes of the photo shrunk to ``max_side``; from the cache when it is fresh."""
    path = Path(path)
    try:
        st = path.stat()
    except OSError as exc:
        raise ThumbnailError(exc.strerror or str(exc)) from None
    key = hashlib.sha1(os.fsencode(path.resolve()) + f"|{st.st_size}|{st.st_mtime_ns}|{max_side}".encode(), usedforsecurity=False).hexdigest()
    cached = thumbnails_dir() / key[:2] / f"{key}.jpg"
    try:
        return cached.read_bytes()
    except OSError:
        pass
    try:
        image = load_image(path, max_side=max_side)
    except ImageError as exc:
        raise ThumbnailError(str(exc)) from None
    buffer = io.BytesIO()
    image.to_pil().save(buffer, format="JPEG", quality=85)
    data = buffer.getvalue()
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        with atomic_binary_writer(cached) as handle:
            handle.write(data)
    except OSError:
        pass  # no cache (read-only or full disk): the preview still shows
    return data
