"""The region-pack container: one file of named NumPy arrays plus JSON metadata, memory-mapped.

Layout (little-endian)::

    b"GEORPAK1"                  8 bytes magic
    header length                uint64
    header                       UTF-8 JSON: {"format_version", "meta", "arrays": {name: {dtype, shape, offset, nbytes, crc32}}}
    padding to 64 bytes, then the arrays' raw bytes, each 64-byte aligned

Loading maps the file and returns views, so opening a pack costs a header parse, not a copy.
Only plain numeric dtypes are allowed: nothing in a pack can execute code (no pickle). Strings are
stored as a UTF-8 blob plus offsets (:class:`StringTable`). Which arrays a region pack holds, and
their dtypes, is :mod:`.pack_schema`'s to say: this module knows nothing of regions.
"""

from __future__ import annotations

import json
import mmap
import os
import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from geor.engine.atomic import atomic_binary_writer
from geor.engine.errors import BadInput

MAGIC = b"GEORPAK1"
FORMAT_VERSION = 1
_ALIGN = 64
_ALLOWED_KINDS = {"i", "u", "f", "b"}


class PackFormatError(BadInput):
    """The file is not a region pack, or it is damaged."""


def write_pack(path: Path, arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any]) -> None:
    """Write ``arrays`` and ``meta`` atomically to ``path`` (temp file, fsync, rename)."""
    entries: dict[str, dict[str, Any]] = {}
    offset = 0
    prepared = {}
    for name, array in arrays.items():
        array = np.ascontiguousarray(array)
        if array.dtype.kind not in _ALLOWED_KINDS:
            raise TypeError(f"array {name!r}: dtype {array.dtype} cannot be stored in a region pack")
        array = array.astype(array.dtype.newbyteorder("<"), copy=False)
        offset = _aligned(offset)
        data = array.tobytes()
        entries[name] = {
            "dtype": array.dtype.str, "shape": list(array.shape), "offset": offset,
            "nbytes": len(data), "crc32": zlib.crc32(data),
        }
        prepared[name] = data
        offset += len(data)
    header = json.dumps({"format_version": FORMAT_VERSION, "meta": dict(meta), "arrays": entries}, ensure_ascii=False).encode()
    start = _aligned(len(MAGIC) + 8 + len(header))
    with atomic_binary_writer(Path(path)) as handle:
        handle.write(MAGIC + struct.pack("<Q", len(header)) + header)
        handle.write(b"\0" * (start - handle.tell()))
        for name, data in prepared.items():
            handle.write(b"\0" * (start + entries[name]["offset"] - handle.tell()))
            handle.write(data)


@dataclass
class Pack:
    """An opened pack: ``arrays`` are read-only views into the mapped file."""

    path: Path
    meta: dict[str, Any]
    arrays: dict[str, np.ndarray]
    _entries: dict[str, dict[str, Any]]

    def verify(self) -> None:
        """Check every array's CRC32 (reads the whole file)."""
        for name, entry in self._entries.items():
            if zlib.crc32(self.arrays[name].tobytes()) != entry["crc32"]:
                raise PackFormatError(f"{self.path}: array {name!r} is damaged (checksum mismatch)")


def read_pack(path: Path) -> Pack:
    """Map a pack file; raises :class:`PackFormatError` naming the file when it is not a valid pack."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size < len(MAGIC) + 8:
                raise PackFormatError(f"{path}: too short to be a region pack ({size} bytes)")
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except FileNotFoundError:
        raise PackFormatError(f"{path}: no such region pack") from None
    except IsADirectoryError:
        raise PackFormatError(f"{path}: is a folder, expected a region pack file") from None
    if mapped[: len(MAGIC)] != MAGIC:
        raise PackFormatError(f"{path}: not a Geo-R region pack (wrong magic bytes)")
    (header_len,) = struct.unpack("<Q", mapped[len(MAGIC): len(MAGIC) + 8])
    if len(MAGIC) + 8 + header_len > size:
        raise PackFormatError(f"{path}: header runs past the end of the file (truncated?)")
    try:
        header = json.loads(bytes(mapped[len(MAGIC) + 8: len(MAGIC) + 8 + header_len]))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackFormatError(f"{path}: header is not valid JSON ({exc})") from None
    if header.get("format_version") != FORMAT_VERSION:
        raise PackFormatError(f"{path}: pack format version {header.get('format_version')!r}, this Geo-R reads {FORMAT_VERSION}; rebuild the pack")
    start = _aligned(len(MAGIC) + 8 + header_len)
    buffer = np.frombuffer(mapped, dtype=np.uint8)
    arrays = {}
    for name, entry in header["arrays"].items():
        dtype = np.dtype(entry["dtype"])
        if dtype.kind not in _ALLOWED_KINDS:
            raise PackFormatError(f"{path}: array {name!r} has forbidden dtype {dtype}")
        begin = start + int(entry["offset"])
        count = int(np.prod(entry["shape"], dtype=np.int64))
        if count * dtype.itemsize != entry["nbytes"] or begin + entry["nbytes"] > size:
            raise PackFormatError(f"{path}: array {name!r} runs past the end of the file (truncated?)")
        arrays[name] = buffer[begin: begin + entry["nbytes"]].view(dtype).reshape(entry["shape"])
    return Pack(path, header.get("meta", {}), arrays, header["arrays"])


class StringTable:
    """Many strings as one UTF-8 blob plus offsets; indexing decodes one string on demand."""

    def __init__(self, blob: np.ndarray, offsets: np.ndarray) -> None:
        self.blob = blob
        self.offsets = offsets

    @staticmethod
    def encode(strings: list[str]) -> tuple[np.ndarray, np.ndarray]:
        encoded = [s.encode("utf-8") for s in strings]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        return np.frombuffer(b"".join(encoded), dtype=np.uint8).copy(), offsets

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, index: int) -> str:
        return bytes(self.blob[self.offsets[index]: self.offsets[index + 1]]).decode("utf-8")

    def to_list(self) -> list[str]:
        raw = bytes(self.blob)
        offsets = self.offsets.tolist()
        return [raw[offsets[i]: offsets[i + 1]].decode("utf-8") for i in range(len(offsets) - 1)]


def _aligned(offset: int) -> int:
    return (offset + _ALIGN - 1) // _ALIGN * _ALIGN
