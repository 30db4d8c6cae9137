"""What undo needs to give a photo back byte for byte: a patch from the file Geo-R wrote to the
file as it was.

A metadata write leaves almost every byte in place (the image data is copied, maybe shifted), so
the original compresses to a few kilobytes when the written file is the compression's prefix (what
``zstd --patch-from`` does: Zstandard with a raw-content prefix and long-distance matching). The
patch is checked by applying it before anything is renamed, so an undo that cannot work is known
before the photo is touched.
"""

from __future__ import annotations

from backports import zstd

from geor.engine.errors import BadInput

#: Zstandard's largest window (2 GiB) bounds the files a patch can span.
MAX_FILE_BYTES = 1 << 31


class PatchError(BadInput):
    """A patch that does not rebuild the original (wrong file, damaged journal)."""


def _window_log(*sizes: int) -> int:
    return max(10, max(sizes).bit_length())


def make_patch(written: bytes, original: bytes) -> bytes:
    """A patch turning ``written`` back into ``original``; raises PatchError beyond MAX_FILE_BYTES."""
    if max(len(written), len(original)) >= MAX_FILE_BYTES:
        raise PatchError(f"files of {MAX_FILE_BYTES >> 30} GiB and more cannot be patched")
    options: dict[int, int] = {  # the stubs take int keys (the parameters are IntEnums)
        zstd.CompressionParameter.compression_level: 3,
        zstd.CompressionParameter.window_log: _window_log(len(written), len(original)),
        zstd.CompressionParameter.enable_long_distance_matching: 1,
        zstd.CompressionParameter.checksum_flag: 1,
    }
    patch = zstd.compress(original, options=options, zstd_dict=zstd.ZstdDict(written, is_raw=True).as_prefix)
    return len(original).to_bytes(8, "little") + patch


def apply_patch(written: bytes, patch: bytes) -> bytes:
    """The original bytes back from the written file and its patch."""
    if len(patch) < 8:
        raise PatchError("the patch is empty")
    size = int.from_bytes(patch[:8], "little")
    try:
        original = zstd.decompress(patch[8:], zstd_dict=zstd.ZstdDict(written, is_raw=True).as_prefix,
                                   options={zstd.DecompressionParameter.window_log_max: _window_log(len(written), size)})
    except zstd.ZstdError as exc:
        raise PatchError(f"the patch does not apply to this file ({exc})") from None
    if len(original) != size:
        raise PatchError("the patch rebuilt a file of the wrong size")
    return original


def checked_patch(written: bytes, original: bytes) -> bytes:
    """make_patch, applied once to prove it rebuilds ``original`` exactly."""
    patch = make_patch(written, original)
    if apply_patch(written, patch) != original:
        raise PatchError("the undo patch does not rebuild the original")
    return patch
