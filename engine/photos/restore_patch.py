"""What undo needs to give a photo back byte for byte: a patch from the file Geo-R wrote to the
file as it was.

A metadata write leaves almost every byte in place: the bytes before the first change are the
same, and so are those after the last one (the image data, copied, maybe shifted). The patch keeps
the two lengths and, for the part between, the original's bytes compressed by Zstandard with the
written file's part between as a raw-content prefix (what ``zstd --patch-from`` does), a few
kilobytes. Finding the two ends is a comparison at memory speed, so a 24-megapixel photo's patch
costs about a millisecond where compressing it whole against the whole written file, as the first
format did (still applied, for journals that hold it), cost 26 ms. The patch is checked by applying
it before anything is renamed, so an undo that cannot work is known before the photo is touched.
"""

from __future__ import annotations

import numpy as np
from backports import zstd

from geor.engine.errors import BadInput

#: Zstandard's largest window (2 GiB) bounds the files a patch can span.
MAX_FILE_BYTES = 1 << 31
#: The patch format that keeps the common ends (the first format began with the original's size,
#: 8 bytes little-endian below MAX_FILE_BYTES, which these 8 bytes can never be).
SPLICE = b"GEOR-SPLICE-1\n"
#: Zstandard's shortest raw-content prefix: a shorter part between goes without one.
MIN_PREFIX = 8


class PatchError(BadInput):
    """A patch that does not rebuild the original (wrong file, damaged journal)."""


def _window_log(*sizes: int) -> int:
    return max(10, max(sizes).bit_length())


def make_patch(written: bytes, original: bytes) -> bytes:
    """A patch turning ``written`` back into ``original``; raises PatchError beyond MAX_FILE_BYTES."""
    if max(len(written), len(original)) >= MAX_FILE_BYTES:
        raise PatchError(f"files of {MAX_FILE_BYTES >> 30} GiB and more cannot be patched")
    head = _common_prefix(written, original)
    tail = _common_suffix(written, original, limit=min(len(written), len(original)) - head)
    middle = _compress(original[head:len(original) - tail], written[head:len(written) - tail])
    return SPLICE + b"".join(n.to_bytes(8, "little") for n in (len(original), head, tail)) + middle


def apply_patch(written: bytes, patch: bytes) -> bytes:
    """The original bytes back from the written file and its patch (either format)."""
    if patch.startswith(SPLICE):
        fields = patch[len(SPLICE):len(SPLICE) + 24]
        if len(fields) < 24:
            raise PatchError("the patch is cut short")
        size, head, tail = (int.from_bytes(fields[i:i + 8], "little") for i in (0, 8, 16))
        if head + tail > len(written) or head + tail > size:
            raise PatchError("the patch does not apply to this file (its kept ends do not fit)")
        view = memoryview(written)
        middle = _decompress(patch[len(SPLICE) + 24:], view[head:len(written) - tail], size - head - tail)
        original = b"".join((view[:head], middle, view[len(written) - tail:]))  # one copy of the kept ends
    else:  # the first format: the whole original compressed against the whole written file
        if len(patch) < 8:
            raise PatchError("the patch is empty")
        size = int.from_bytes(patch[:8], "little")
        original = _decompress(patch[8:], written, size)
    if len(original) != size:
        raise PatchError("the patch rebuilt a file of the wrong size")
    return original


def _compress(data: bytes, prefix: bytes) -> bytes:
    options: dict[int, int] = {  # the stubs take int keys (the parameters are IntEnums)
        zstd.CompressionParameter.compression_level: 3,
        zstd.CompressionParameter.window_log: _window_log(len(data), len(prefix)),
        zstd.CompressionParameter.enable_long_distance_matching: 1,
        zstd.CompressionParameter.checksum_flag: 1,
    }
    if len(prefix) < MIN_PREFIX:
        return zstd.compress(data, options=options)
    return zstd.compress(data, options=options, zstd_dict=zstd.ZstdDict(prefix, is_raw=True).as_prefix)


def _decompress(frame: bytes, prefix: bytes | memoryview, size: int) -> bytes:
    options: dict[int, int] = {zstd.DecompressionParameter.window_log_max: _window_log(len(prefix), size)}
    try:
        if len(prefix) >= MIN_PREFIX:
            return zstd.decompress(frame, zstd_dict=zstd.ZstdDict(prefix, is_raw=True).as_prefix, options=options)
        return zstd.decompress(frame, options=options)
    except zstd.ZstdError as exc:
        raise PatchError(f"the patch does not apply to this file ({exc})") from None


#: Compared a block at a time: equal blocks at memory speed, the first unequal one byte by byte.
_BLOCK = 1 << 16


def _common_prefix(a: bytes, b: bytes) -> int:
    """How many leading bytes ``a`` and ``b`` share."""
    n = min(len(a), len(b))
    for start in range(0, n, _BLOCK):
        end = min(n, start + _BLOCK)
        if a[start:end] != b[start:end]:
            return start + int(_differing(a[start:end], b[start:end])[0])
    return n


def _common_suffix(a: bytes, b: bytes, limit: int) -> int:
    """How many trailing bytes ``a`` and ``b`` share, at most ``limit``."""
    for done in range(0, limit, _BLOCK):
        size = min(_BLOCK, limit - done)
        x, y = a[len(a) - done - size:len(a) - done], b[len(b) - done - size:len(b) - done]
        if x != y:
            return done + size - 1 - int(_differing(x, y)[-1])
    return limit


def _differing(x: bytes, y: bytes) -> np.ndarray:
    """The positions where two blocks of the same length differ."""
    return np.flatnonzero(np.frombuffer(x, dtype=np.uint8) != np.frombuffer(y, dtype=np.uint8))


def checked_patch(written: bytes, original: bytes) -> bytes:
    """make_patch, applied once to prove it rebuilds ``original`` exactly."""
    patch = make_patch(written, original)
    if apply_patch(written, patch) != original:
        raise PatchError("the undo patch does not rebuild the original")
    return patch
