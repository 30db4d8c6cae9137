"""The model manifest: one JSON file (``geor-model.json``) beside a model's files that says what the
folder holds, so the engine never guesses. Written by ``geor-export`` and ``geor models pull``,
read by the backends and ``geor models verify``.

Example::

    {"geor_manifest": 1, "name": "qwen2.5-vl-3b-q4", "family": "qwen2.5-vl", "format": "gguf",
     "quantization": "Q4_K_M", "prompt_version": "cor-1", "reasoning": false,
     "files": {"model": {"path": "model-Q4_K_M.gguf", "sha256": "...", "size": 1929903264},
               "mmproj": {"path": "mmproj-f16.gguf", "sha256": "...", "size": 1338428608}},
     "source": {"checkpoint": "runs/grpo/checkpoint-400", "geor": "0.1.0"}}
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from geor.engine.atomic import atomic_text_writer
from geor.engine.cor import CURRENT_PROMPT_VERSION, PROMPTS
from geor.engine.errors import BadInput

MANIFEST_NAME = "geor-model.json"
MANIFEST_VERSION = 1
FORMATS = ("gguf", "onnx", "transformers")
#: Families Geo-R knows how to prompt; the backends say which of them they can run.
FAMILIES = ("qwen2-vl", "qwen2.5-vl", "qwen3-vl", "smolvlm", "gemma3", "llava")
#: transformers' ``model_type`` of a checkpoint -> its family.
MODEL_TYPE_FAMILIES = {
    "qwen2_vl": "qwen2-vl", "qwen2_5_vl": "qwen2.5-vl", "qwen3_vl": "qwen3-vl", "qwen3_vl_moe": "qwen3-vl",
    "smolvlm": "smolvlm", "idefics3": "smolvlm", "gemma3": "gemma3", "llava": "llava", "llava_next": "llava",
}


class ManifestError(BadInput):
    """A manifest that is missing, unreadable or inconsistent; the message names the file."""


def family_of(model_type: str) -> str:
    """The family of a checkpoint's ``model_type``; ManifestError for one Geo-R cannot prompt."""
    family = MODEL_TYPE_FAMILIES.get(model_type)
    if family is None:
        raise ManifestError(f"model type {model_type!r} is not a family Geo-R knows ({', '.join(sorted(MODEL_TYPE_FAMILIES))})")
    return family


@dataclass(frozen=True)
class FileEntry:
    path: str  # relative to the manifest's folder
    sha256: str | None = None
    size: int | None = None


@dataclass
class ModelManifest:
    name: str
    family: str
    format: str
    files: dict[str, FileEntry]
    quantization: str | None = None
    prompt_version: str = CURRENT_PROMPT_VERSION
    reasoning: bool = False
    image_max_pixels: int | None = None  # the image budget the model was trained with
    source: dict[str, Any] = field(default_factory=dict)
    folder: Path | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        where = f"{self.folder / MANIFEST_NAME}: " if self.folder else ""
        if self.format not in FORMATS:
            raise ManifestError(f"{where}format {self.format!r} is not one of {', '.join(FORMATS)}")
        if self.family not in FAMILIES:
            raise ManifestError(f"{where}family {self.family!r} is not one of {', '.join(FAMILIES)}")
        if self.prompt_version not in PROMPTS:
            raise ManifestError(f"{where}prompt version {self.prompt_version!r} is unknown to this Geo-R ({', '.join(PROMPTS)}); update Geo-R")
        for role, entry in self.files.items():
            if Path(entry.path).is_absolute() or ".." in Path(entry.path).parts:
                raise ManifestError(f"{where}file {role!r} must be a path inside the model folder, not {entry.path!r}")

    def path_of(self, role: str) -> Path:
        if role not in self.files:
            raise ManifestError(f"{self.folder}: the manifest lists no {role!r} file")
        assert self.folder is not None
        return self.folder / self.files[role].path

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"geor_manifest": MANIFEST_VERSION}
        data.update({k: v for k, v in asdict(self).items() if k != "folder"})
        data["files"] = {role: {k: v for k, v in asdict(entry).items() if v is not None} for role, entry in self.files.items()}
        return data

    def save(self, folder: Path) -> Path:
        target = Path(folder) / MANIFEST_NAME
        with atomic_text_writer(target) as handle:
            json.dump(self.to_json(), handle, indent=2, ensure_ascii=False)
            handle.write("\n")
        self.folder = Path(folder)
        return target

    @classmethod
    def load(cls, folder: Path) -> ModelManifest:
        path = Path(folder) / MANIFEST_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ManifestError(f"{path}: no manifest; is {folder} a Geo-R model folder?") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ManifestError(f"{path}: not valid JSON ({exc})") from None
        if not isinstance(data, dict) or data.get("geor_manifest") != MANIFEST_VERSION:
            raise ManifestError(f"{path}: not a Geo-R manifest of version {MANIFEST_VERSION}")
        try:
            files = {role: FileEntry(**entry) for role, entry in data["files"].items()}
            return cls(
                name=data["name"], family=data["family"], format=data["format"], files=files,
                quantization=data.get("quantization"), prompt_version=data.get("prompt_version", CURRENT_PROMPT_VERSION),
                reasoning=bool(data.get("reasoning", False)), image_max_pixels=data.get("image_max_pixels"), source=dict(data.get("source", {})), folder=Path(folder),
            )
        except ManifestError as exc:
            raise ManifestError(f"{path}: {exc}") from None
        except (KeyError, TypeError, AttributeError) as exc:
            raise ManifestError(f"{path}: missing or malformed field ({exc})") from None


def sha256_file(path: Path, progress: Callable[[int], None] | None = None, chunk: int = 8 * 1024 * 1024) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
            if progress is not None:
                progress(len(block))
    return digest.hexdigest()


def file_entry(folder: Path, relative: str) -> FileEntry:
    """A manifest entry for ``folder/relative`` with its size and checksum."""
    path = Path(folder) / relative
    return FileEntry(relative, sha256_file(path), path.stat().st_size)


def verify(manifest: ModelManifest, progress: Callable[[int], None] | None = None) -> list[str]:
    """Problems with the files the manifest lists (missing, wrong size, wrong checksum); empty if all match."""
    problems = []
    for role, entry in manifest.files.items():
        path = manifest.path_of(role)
        if not path.is_file():
            problems.append(f"{path}: missing ({role})")
            continue
        size = path.stat().st_size
        if entry.size is not None and size != entry.size:
            problems.append(f"{path}: {size:,} bytes, the manifest says {entry.size:,} ({role}; incomplete or replaced)")
            continue
        if entry.sha256 is not None and sha256_file(path, progress) != entry.sha256.lower():
            problems.append(f"{path}: checksum differs from the manifest ({role}; damaged or replaced)")
    return problems
