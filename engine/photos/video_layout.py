"""Undo for a rewritten video without a copy of it: a *layout patch*.

ExifTool rewrites a QuickTime/MP4 file's metadata boxes and copies its media data (``mdat``) as it
is, maybe to another offset. When the media data of the original and the new file hash the same
(checked here, streaming), the original is the new file's media data with the original's other
bytes around it: the patch holds those other bytes (kilobytes: the movie header and its metadata),
compressed, and where the media data sat in each file. Building and proving a patch, and
restoring from it, read the files in chunks: a 4 GB video never sits in memory or in the journal.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from backports import zstd

from .restore_patch import PatchError

MAGIC = b"GEOR-LAYOUT-1\n"
CHUNK = 1 << 22
#: The most bytes around the media data a patch keeps (a file whose metadata is larger is not
#: rewritten: its undo would need a copy).
MAX_OUTSIDE_BYTES = 64 << 20


@dataclass(frozen=True)
class Span:
    """Where the media data sits in a file: its offset and size."""

    offset: int
    size: int


def is_layout_patch(patch: bytes) -> bool:
    return patch.startswith(MAGIC)


def _ranges(path: Path, ranges: list[tuple[int, int]]) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        for start, end in ranges:
            handle.seek(start)
            left = end - start
            while left > 0:
                chunk = handle.read(min(CHUNK, left))
                if not chunk:
                    raise PatchError(f"{path} ends before byte {end}")
                left -= len(chunk)
                yield chunk


def span_sha256(path: Path, span: Span) -> str:
    digest = hashlib.sha256()
    for chunk in _ranges(path, [(span.offset, span.offset + span.size)]):
        digest.update(chunk)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def make_layout_patch(original: Path, original_media: Span, written: Path, written_media: Span) -> bytes:
    """The patch turning ``written`` back into ``original``; PatchError when the media data differs
    or the bytes around it are too many to keep."""
    if original_media.size != written_media.size:
        raise PatchError("the media data changed size")
    if span_sha256(original, original_media) != span_sha256(written, written_media):
        raise PatchError("the media data changed")
    size = os.stat(original).st_size
    outside = [(0, original_media.offset), (original_media.offset + original_media.size, size)]
    if size - original_media.size > MAX_OUTSIDE_BYTES:
        raise PatchError(f"more than {MAX_OUTSIDE_BYTES >> 20} MB of metadata around the media data")
    kept = b"".join(_ranges(original, outside))
    header = json.dumps({"size": size, "original": [original_media.offset, original_media.size],
                         "written": [written_media.offset, written_media.size]}).encode()
    return MAGIC + len(header).to_bytes(4, "little") + header + zstd.compress(kept, 3)


def _parse(patch: bytes) -> tuple[int, Span, Span, bytes]:
    if not is_layout_patch(patch):
        raise PatchError("not a layout patch")
    try:
        start = len(MAGIC) + 4
        length = int.from_bytes(patch[len(MAGIC):start], "little")
        header = json.loads(patch[start:start + length])
        kept = zstd.decompress(patch[start + length:])
        original, written = Span(*header["original"]), Span(*header["written"])
        size = int(header["size"])
    except (ValueError, KeyError, TypeError, zstd.ZstdError) as exc:
        raise PatchError(f"a damaged layout patch ({exc})") from None
    if len(kept) != size - original.size or not 0 <= original.offset <= len(kept):
        raise PatchError("a layout patch that does not add up")
    return size, original, written, kept


def rebuilt_chunks(written: Path, patch: bytes) -> Iterator[bytes]:
    """The original file's bytes, chunk by chunk, from the written file and its patch."""
    _, original, media, kept = _parse(patch)
    if os.stat(written).st_size < media.offset + media.size:
        raise PatchError("the file is shorter than the media data it held")
    yield kept[:original.offset]
    yield from _ranges(written, [(media.offset, media.offset + media.size)])
    yield kept[original.offset:]


def rebuilt_sha256(written: Path, patch: bytes) -> str:
    digest = hashlib.sha256()
    for chunk in rebuilt_chunks(written, patch):
        digest.update(chunk)
    return digest.hexdigest()


def write_rebuilt(written: Path, patch: bytes, into: Path) -> None:
    """Write the original's bytes into ``into`` (fsynced)."""
    with open(into, "wb") as handle:
        for chunk in rebuilt_chunks(written, patch):
            handle.write(chunk)
        handle.flush()
        os.fsync(handle.fileno())
