"""Read and check a GGUF file's header before llama.cpp sees it.

llama.cpp trusts its input: a truncated download, an HTML error page saved as ``.gguf`` or a
projector for another model can abort the process. This module parses the header (metadata
key/values and tensor table) in pure Python, with limits on every count and length, and checks
that the file is long enough for every tensor it declares, so that each of those cases becomes a
:class:`GgufError` naming the file and what to do.

Format: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md (little-endian, versions 2 and 3).
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from geor.engine.errors import BadInput

MAGIC = b"GGUF"
DEFAULT_ALIGNMENT = 32

# Limits far above any real file; a header beyond them is damaged or hostile.
_MAX_KV = 1_000_000
_MAX_TENSORS = 1_000_000
_MAX_STRING = 64 * 1024 * 1024
_MAX_ARRAY = 16 * 1024 * 1024
_MAX_DIMS = 8

# GGUF metadata value types.
_UINT8, _INT8, _UINT16, _INT16, _UINT32, _INT32, _FLOAT32, _BOOL, _STRING, _ARRAY, _UINT64, _INT64, _FLOAT64 = range(13)
_SCALARS = {
    _UINT8: "<B", _INT8: "<b", _UINT16: "<H", _INT16: "<h", _UINT32: "<I", _INT32: "<i",
    _FLOAT32: "<f", _BOOL: "<?", _UINT64: "<Q", _INT64: "<q", _FLOAT64: "<d",
}

#: ggml tensor types: id -> (name, elements per block, bytes per block). Types not listed here are
#: accepted but their size is not checked.
GGML_TYPES: dict[int, tuple[str, int, int]] = {
    0: ("F32", 1, 4), 1: ("F16", 1, 2), 2: ("Q4_0", 32, 18), 3: ("Q4_1", 32, 20),
    6: ("Q5_0", 32, 22), 7: ("Q5_1", 32, 24), 8: ("Q8_0", 32, 34), 9: ("Q8_1", 32, 36),
    10: ("Q2_K", 256, 84), 11: ("Q3_K", 256, 110), 12: ("Q4_K", 256, 144), 13: ("Q5_K", 256, 176),
    14: ("Q6_K", 256, 210), 15: ("Q8_K", 256, 292), 16: ("IQ2_XXS", 256, 66), 17: ("IQ2_XS", 256, 74),
    18: ("IQ3_XXS", 256, 98), 19: ("IQ1_S", 256, 50), 20: ("IQ4_NL", 32, 18), 21: ("IQ3_S", 256, 110),
    22: ("IQ2_S", 256, 82), 23: ("IQ4_XS", 256, 136), 24: ("I8", 1, 1), 25: ("I16", 1, 2),
    26: ("I32", 1, 4), 27: ("I64", 1, 8), 28: ("F64", 1, 8), 29: ("IQ1_M", 256, 56), 30: ("BF16", 1, 2),
}

#: Pre-tokenizer split regexes llama.cpp implements, by its name for them.
KNOWN_PRE_TOKENIZERS = {  # written into GGUFs as tokenizer.ggml.pre
    "qwen2": (
        r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
    ),
}


class GgufError(BadInput):
    """A file that is not a usable GGUF; the message names the file and what to do."""


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: tuple[int, ...]
    type_id: int
    offset: int  # from the start of the data section

    @property
    def type_name(self) -> str:
        return GGML_TYPES.get(self.type_id, (f"type{self.type_id}", 0, 0))[0]

    @property
    def n_bytes(self) -> int | None:
        known = GGML_TYPES.get(self.type_id)
        if known is None:
            return None
        _, block, size = known
        elements = math.prod(self.shape)
        return (elements // block) * size if block > 1 else elements * size


@dataclass
class GgufHeader:
    path: Path
    version: int
    metadata: dict[str, Any]
    tensors: list[TensorInfo] = field(default_factory=list)
    data_offset: int = 0
    file_size: int = 0

    @property
    def architecture(self) -> str | None:
        value = self.metadata.get("general.architecture")
        return value if isinstance(value, str) else None

    @property
    def is_projector(self) -> bool:
        """A multimodal projector (mmproj): llama.cpp calls its architecture ``clip``."""
        return self.architecture == "clip"

    def get(self, key: str, default: Any = None) -> Any:
        return self.metadata.get(key, default)

    def file_types(self) -> dict[str, int]:
        """Tensor count per ggml type, e.g. {"Q4_K": 120, "F32": 50}."""
        counts: dict[str, int] = {}
        for tensor in self.tensors:
            counts[tensor.type_name] = counts.get(tensor.type_name, 0) + 1
        return counts


class _Reader:
    def __init__(self, handle: BinaryIO, path: Path, size: int) -> None:
        self.handle, self.path, self.size = handle, path, size

    def take(self, n: int) -> bytes:
        data = self.handle.read(n)
        if len(data) != n:
            raise GgufError(f"{self.path}: the file ends inside its header (truncated at {self.size:,} bytes); download or export it again")
        return data

    def scalar(self, fmt: str) -> Any:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def string(self) -> str:
        length = self.scalar("<Q")
        if length > _MAX_STRING:
            raise GgufError(f"{self.path}: a header string claims {length:,} bytes; the file is damaged")
        return self.take(length).decode("utf-8", errors="replace")

    def value(self, kind: int, depth: int = 0) -> Any:
        if kind in _SCALARS:
            return self.scalar(_SCALARS[kind])
        if kind == _STRING:
            return self.string()
        if kind == _ARRAY and depth == 0:
            item_kind = self.scalar("<I")
            count = self.scalar("<Q")
            if count > _MAX_ARRAY:
                raise GgufError(f"{self.path}: a header array claims {count:,} items; the file is damaged")
            if item_kind in _SCALARS and item_kind != _BOOL:
                fmt = _SCALARS[item_kind]
                width = struct.calcsize(fmt)
                return list(struct.unpack(f"<{count}{fmt[1]}", self.take(width * count)))
            return [self.value(item_kind, depth + 1) for _ in range(count)]
        raise GgufError(f"{self.path}: unknown metadata value type {kind}; the file is damaged or from a newer GGUF version")


def read_header(path: Path) -> GgufHeader:
    """Parse ``path``'s header and tensor table; raise :class:`GgufError` if it is not a complete GGUF."""
    path = Path(path)
    try:
        size = path.stat().st_size
        handle = path.open("rb")
    except FileNotFoundError:
        raise GgufError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise GgufError(f"{path}: is a folder, not a GGUF file") from None
    with handle:
        reader = _Reader(handle, path, size)
        magic = handle.read(4)
        if magic != MAGIC:
            hint = " (it looks like a web page: the download failed)" if magic.lstrip().lower().startswith((b"<", b"{")) else ""
            raise GgufError(f"{path}: not a GGUF file{hint}; expected a llama.cpp model (.gguf)")
        version = reader.scalar("<I")
        if version not in (2, 3):
            raise GgufError(f"{path}: GGUF version {version} is not supported (2 or 3 expected); update Geo-R or re-export the model")
        n_tensors = reader.scalar("<Q")
        n_kv = reader.scalar("<Q")
        if n_tensors > _MAX_TENSORS or n_kv > _MAX_KV:
            raise GgufError(f"{path}: the header claims {n_tensors:,} tensors and {n_kv:,} keys; the file is damaged")
        metadata: dict[str, Any] = {}
        for _ in range(n_kv):
            key = reader.string()
            metadata[key] = reader.value(reader.scalar("<I"))
        tensors = []
        for _ in range(n_tensors):
            name = reader.string()
            n_dims = reader.scalar("<I")
            if n_dims > _MAX_DIMS:
                raise GgufError(f"{path}: tensor {name!r} claims {n_dims} dimensions; the file is damaged")
            shape = tuple(reader.scalar("<Q") for _ in range(n_dims))
            tensors.append(TensorInfo(name, shape, reader.scalar("<I"), reader.scalar("<Q")))
        alignment = metadata.get("general.alignment", DEFAULT_ALIGNMENT)
        if not isinstance(alignment, int) or alignment <= 0:
            raise GgufError(f"{path}: invalid general.alignment {alignment!r}")
        position = handle.tell()
        data_offset = (position + alignment - 1) // alignment * alignment
    header = GgufHeader(path, version, metadata, tensors, data_offset, size)
    _check_complete(header)
    return header


def _check_complete(header: GgufHeader) -> None:
    end, last = header.data_offset, None
    for tensor in header.tensors:
        n_bytes = tensor.n_bytes
        if n_bytes is not None and header.data_offset + tensor.offset + n_bytes > end:
            end, last = header.data_offset + tensor.offset + n_bytes, tensor
    if end > header.file_size:
        raise GgufError(
            f"{header.path}: truncated: {header.file_size:,} bytes, but {f'tensor {last.name!r}' if last else 'its data'} needs {end:,}; "
            "the download or export did not finish (run `geor models pull` again, or re-export)"
        )


#: llama.cpp text architectures Geo-R drives with a vision projector, and the projector types that go with them.
VISION_PAIRS: dict[str, tuple[str, ...]] = {
    "qwen2vl": ("qwen2vl_merger", "qwen2.5vl_merger"),
    "qwen3vl": ("qwen3vl_merger",),
    "qwen3vlmoe": ("qwen3vl_merger",),
    "llama": ("idefics3", "llava", "mlp"),  # SmolVLM (Idefics3) and LLaVA put a llama text model behind their projector
    "gemma3": ("gemma3",),
}


def check_pair(model: GgufHeader, projector: GgufHeader) -> None:
    """Raise :class:`GgufError` unless ``model`` is a language model and ``projector`` a vision
    projector made for it (known architecture pair, projection width = the model's embedding width)."""
    if model.is_projector:
        raise GgufError(f"{model.path}: is a vision projector (mmproj), not the language model; pass it as the projector")
    if not projector.is_projector:
        raise GgufError(f"{projector.path}: is a language model ({projector.architecture}), not a vision projector (mmproj)")
    arch = model.architecture
    if arch not in VISION_PAIRS:
        raise GgufError(f"{model.path}: architecture {arch!r} is not a vision-language model Geo-R can run "
                        f"(supported: {', '.join(VISION_PAIRS)})")
    if not projector.get("clip.has_vision_encoder", False):
        raise GgufError(f"{projector.path}: this projector has no vision encoder (audio only?)")
    kind = projector.get("clip.projector_type") or projector.get("clip.vision.projector_type")
    if kind is not None and kind not in VISION_PAIRS[arch]:
        raise GgufError(f"{projector.path}: a {kind!r} projector does not belong to a {arch!r} model ({model.path.name}); "
                        "use the mmproj file published or exported with this model")
    width = model.get(f"{arch}.embedding_length")
    projected = projector.get("clip.vision.projection_dim")
    if isinstance(width, int) and isinstance(projected, int) and width != projected:
        raise GgufError(f"{projector.path}: projects images to width {projected}, but {model.path.name} expects {width}; "
                        "this projector belongs to another model size")
    if not isinstance(model.get("tokenizer.chat_template"), str):
        raise GgufError(f"{model.path}: has no chat template (tokenizer.chat_template); re-export it with geor-export")
