"""GGUF files written byte by byte (independently of the parser under test), for headers that no
converter would write: wrong magic, truncation, hostile counts, mismatched projectors."""

from __future__ import annotations

import struct
from pathlib import Path


def _string(text: str) -> bytes:
    data = text.encode()
    return struct.pack("<Q", len(data)) + data


def _value(value: object) -> bytes:
    if isinstance(value, bool):
        return struct.pack("<I?", 7, value)
    if isinstance(value, int):
        return struct.pack("<Iq", 11, value)
    if isinstance(value, float):
        return struct.pack("<If", 6, value)
    if isinstance(value, str):
        return struct.pack("<I", 8) + _string(value)
    raise TypeError(value)


def gguf_bytes(metadata: dict[str, object], tensors: list[tuple[str, tuple[int, ...]]] = (), version: int = 3,
               data: bool = True) -> bytes:
    """A GGUF with F32 tensors of the given shapes (zeros), or without their data when ``data`` is False."""
    out = b"GGUF" + struct.pack("<IQQ", version, len(tensors), len(metadata))
    for key, value in metadata.items():
        out += _string(key) + _value(value)
    offset = 0
    sizes = []
    for name, shape in tensors:
        out += _string(name) + struct.pack("<I", len(shape)) + b"".join(struct.pack("<Q", d) for d in shape)
        out += struct.pack("<IQ", 0, offset)
        size = 4
        for d in shape:
            size *= d
        sizes.append(size)
        offset += (size + 31) // 32 * 32
    out += b"\0" * ((32 - len(out) % 32) % 32)
    if data:
        for size in sizes:
            out += b"\0" * ((size + 31) // 32 * 32)
    return out


def write_gguf(path: Path, metadata: dict[str, object], tensors=(), **kwargs) -> Path:
    path.write_bytes(gguf_bytes(metadata, list(tensors), **kwargs))
    return path


def language_model(path: Path, arch: str = "qwen2vl", width: int = 64, template: bool = True) -> Path:
    metadata: dict[str, object] = {"general.architecture": arch, f"{arch}.embedding_length": width}
    if template:
        metadata["tokenizer.chat_template"] = "{{ messages }}"
    return write_gguf(path, metadata, [("token_embd.weight", (width, 8))])


def projector(path: Path, kind: str = "qwen2.5vl_merger", width: int = 64) -> Path:
    metadata = {"general.architecture": "clip", "clip.has_vision_encoder": True, "clip.projector_type": kind,
                "clip.vision.projection_dim": width}
    return write_gguf(path, metadata, [("v.patch_embd.weight", (14, 14, 3, 8))])
