"""Known models, and pulling them into the user's data directory.

Entries are base vision-language models usable zero-shot with the Chain-of-Region prompt
(published GGUF builds with their vision projectors) and, once published, Geo-R's own
checkpoints. Files come from a Hugging Face-style endpoint (``GEOR_HF_ENDPOINT`` for a mirror);
their size and SHA-256 come from the registry when pinned there, else from the server's LFS
metadata (``X-Linked-Size``, ``X-Linked-ETag``), and every file is verified after download.
``GEOR_MODEL_REGISTRY`` names a JSON file whose entries are added to (or replace) the built-in ones.

A pulled model is a folder ``<data dir>/models/<name>/`` with its files and a manifest, usable as
``--model <name>``. Pulling is resumable (see :mod:`.download`) and is the only network use.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from geor.engine.errors import BadInput
from geor.engine.paths import user_data_dir

from .download import DownloadError, download, remote_info
from .gguf_file import GgufError, check_pair, read_header
from .manifest import MANIFEST_NAME, FileEntry, ManifestError, ModelManifest, sha256_file

DEFAULT_ENDPOINT = "https://huggingface.co"


@dataclass(frozen=True)
class RemoteFile:
    repo: str
    file: str
    revision: str = "main"
    sha256: str | None = None
    size: int | None = None

    def url(self, endpoint: str) -> str:
        return f"{endpoint.rstrip('/')}/{self.repo}/resolve/{self.revision}/{self.file}"


@dataclass(frozen=True, kw_only=True)
class RegistryModel:
    name: str
    family: str
    format: str
    quantization: str
    description: str
    licence: str
    files: dict[str, RemoteFile] = field(default_factory=dict)
    prompt_version: str = "cor-1"
    image_max_pixels: int | None = None


BUILTIN: tuple[RegistryModel, ...] = (
    RegistryModel(
        name="qwen2.5-vl-3b-instruct-q4", family="qwen2.5-vl", format="gguf", quantization="Q4_K_M",
        description="Qwen2.5-VL-3B-Instruct, zero-shot with the Chain-of-Region prompt; about 2.7 GB; the CPU default",
        licence="Qwen Research License (non-commercial)",
        files={"model": RemoteFile("ggml-org/Qwen2.5-VL-3B-Instruct-GGUF", "Qwen2.5-VL-3B-Instruct-Q4_K_M.gguf"),
         "mmproj": RemoteFile("ggml-org/Qwen2.5-VL-3B-Instruct-GGUF", "mmproj-Qwen2.5-VL-3B-Instruct-Q8_0.gguf")},
    ),
    RegistryModel(
        name="qwen2.5-vl-7b-instruct-q4", family="qwen2.5-vl", format="gguf", quantization="Q4_K_M",
        description="Qwen2.5-VL-7B-Instruct, zero-shot; about 5.5 GB; better answers, slower",
        licence="Apache-2.0",
        files={"model": RemoteFile("ggml-org/Qwen2.5-VL-7B-Instruct-GGUF", "Qwen2.5-VL-7B-Instruct-Q4_K_M.gguf"),
         "mmproj": RemoteFile("ggml-org/Qwen2.5-VL-7B-Instruct-GGUF", "mmproj-Qwen2.5-VL-7B-Instruct-Q8_0.gguf")},
    ),
    RegistryModel(
        name="qwen3-vl-4b-instruct-q4", family="qwen3-vl", format="gguf", quantization="Q4_K_M",
        description="Qwen3-VL-4B-Instruct, zero-shot; about 3.3 GB",
        licence="Apache-2.0",
        files={"model": RemoteFile("Qwen/Qwen3-VL-4B-Instruct-GGUF", "Qwen3VL-4B-Instruct-Q4_K_M.gguf"),
         "mmproj": RemoteFile("Qwen/Qwen3-VL-4B-Instruct-GGUF", "mmproj-Qwen3VL-4B-Instruct-Q8_0.gguf")},
    ),
)


class RegistryError(BadInput):
    """An installed model or a registry entry that cannot be used; the message names it."""


def models_dir() -> Path:
    return user_data_dir() / "models"


def endpoint() -> str:
    return os.environ.get("GEOR_HF_ENDPOINT", DEFAULT_ENDPOINT)


def registry() -> dict[str, RegistryModel]:
    models = {m.name: m for m in BUILTIN}
    extra = os.environ.get("GEOR_MODEL_REGISTRY")
    if extra:
        path = Path(extra).expanduser()
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))
            for entry in entries:
                files = {role: RemoteFile(**spec) for role, spec in entry.pop("files").items()}
                model = RegistryModel(files=files, **entry)
                models[model.name] = model
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            raise RegistryError(f"GEOR_MODEL_REGISTRY={extra}: not a readable registry file ({exc})") from None
    return models


def lookup(name: str) -> RegistryModel:
    models = registry()
    if name not in models:
        raise RegistryError(f"no model named {name!r} in the registry; known: {', '.join(sorted(models))}")
    return models[name]


def installed_path(name: str) -> Path | None:
    if "/" in name or "\\" in name or name.startswith("."):
        return None
    folder = models_dir() / name
    return folder if (folder / MANIFEST_NAME).is_file() else None


def status(name: str) -> str:
    """installed, partial (a pull was interrupted), or absent."""
    folder = models_dir() / name
    if installed_path(name):
        return "installed"
    if folder.is_dir() and any(folder.iterdir()):
        return "partial"
    return "absent"


def pull(name: str, progress: Callable[[str, int, int | None], None] | None = None) -> Path:
    """Download ``name``'s files (resuming), verify them, write the manifest; return the folder."""
    model = lookup(name)
    folder = models_dir() / name
    folder.mkdir(parents=True, exist_ok=True)
    base = endpoint()
    entries = {}
    for role, remote in model.files.items():
        url = remote.url(base)
        sha, size = remote.sha256, remote.size
        if sha is None or size is None:
            info = remote_info(url)
            sha, size = sha or info.sha256, size or info.size
        target = folder / remote.file

        def tick(done: int, total: int | None, file: str = remote.file) -> None:
            if progress is not None:
                progress(file, done, total)

        download(url, target, sha256=sha, size=size, progress=tick)
        entries[role] = FileEntry(remote.file, sha or sha256_file(target), target.stat().st_size)
    if model.format == "gguf":
        try:
            check_pair(read_header(folder / entries["model"].path), read_header(folder / entries["mmproj"].path))
        except GgufError as exc:
            raise DownloadError(f"{name}: downloaded, but the files are not a usable pair: {exc}") from None
    manifest = ModelManifest(name=name, family=model.family, format=model.format, files=entries, quantization=model.quantization,
                             prompt_version=model.prompt_version, image_max_pixels=model.image_max_pixels,
                             source={"registry": name, "endpoint": base, "licence": model.licence,
                                     "repos": sorted({f.repo for f in model.files.values()})})
    manifest.save(folder)
    return folder


def remove(name: str) -> bool:
    folder = models_dir() / name
    if not folder.is_dir():
        return False
    shutil.rmtree(folder)
    return True


def verify_folder(folder: Path) -> list[str]:
    """Problems with an installed or exported model folder; empty when it is sound."""
    try:
        manifest = ModelManifest.load(folder)
    except ManifestError as exc:
        return [str(exc)]
    problems = []
    try:
        from .manifest import verify

        problems = verify(manifest)
    except ManifestError as exc:
        return [str(exc)]
    if not problems and manifest.format == "gguf":
        try:
            check_pair(read_header(manifest.path_of("model")), read_header(manifest.path_of("mmproj")))
        except (GgufError, ManifestError) as exc:
            problems.append(str(exc))
    return problems
