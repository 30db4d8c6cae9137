"""Open a model by what its path holds, so users never name a backend.

- a folder with ``geor-model.json``: the manifest says the format and files;
- a registry name (``geor models list``) that has been pulled: its folder in the user's data dir;
- a ``.gguf`` file: the language model, with its projector from ``mmproj=`` or the one
  ``mmproj*.gguf`` file beside it;
- a folder of GGUF files (one model, one projector), or of ONNX files with a manifest;
- a checkpoint folder (``config.json`` + ``*.safetensors``): transformers.
"""

from __future__ import annotations

import atexit
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geor.engine.errors import BadOption
from geor.engine.models.gguf_file import GgufError, read_header
from geor.engine.models.manifest import MANIFEST_NAME, ManifestError, ModelManifest

from .backend import Backend, BackendError

if TYPE_CHECKING:  # imported where used: numpy and the geocoder stay unloaded until a model is opened
    from geor.engine.geo.geocoder import Geocoder

    from .predictor import Predictor

_open_backends: weakref.WeakSet[Any] = weakref.WeakSet()
#: A GGUF model folder's optional image encoder on onnxruntime (engine/inference/onnx_vision.py), used instead of the projector's.
VISION_ROLES = ("vision_onnx", "vision_config")


@atexit.register
def _close_all() -> None:  # llama.cpp objects must be freed before the interpreter tears down ctypes
    for backend in list(_open_backends):
        try:
            backend.close()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


@dataclass(frozen=True)
class ModelSpec:
    format: str  # gguf, onnx, transformers
    files: dict[str, Path]  # role -> path (gguf: model, mmproj, optionally vision_onnx + vision_config; transformers/onnx: folder)
    manifest: ModelManifest | None


def resolve(model: str | Path, mmproj: str | Path | None = None) -> ModelSpec:
    """What ``model`` (a path or an installed registry name) holds; raises BackendError if nothing usable."""
    path = Path(model).expanduser()
    if not path.exists():
        from geor.engine.models.registry import installed_path

        named = installed_path(str(model))
        if named is None:
            raise BackendError(f"{model}: no such file or folder, and no installed model of that name (see `geor models list`)")
        path = named
    if path.is_dir() and (path / MANIFEST_NAME).is_file():
        try:
            manifest = ModelManifest.load(path)
        except ManifestError as exc:
            raise BackendError(str(exc)) from None
        if manifest.format == "gguf":
            files = {role: manifest.path_of(role) for role in ("model", "mmproj", *VISION_ROLES) if role in manifest.files}
            return ModelSpec("gguf", files, manifest)
        return ModelSpec(manifest.format, {"folder": path}, manifest)
    if path.is_file():
        if path.suffix.lower() != ".gguf":
            raise BackendError(f"{path}: not a model Geo-R can open (a .gguf file, or a model or checkpoint folder)")
        return ModelSpec("gguf", {"model": path, "mmproj": _projector(path, mmproj)}, None)
    ggufs = sorted(path.glob("*.gguf"))
    if ggufs:
        projectors = [p for p in ggufs if _is_projector(p)]
        models = [p for p in ggufs if p not in projectors]
        if len(models) != 1:
            raise BackendError(f"{path}: holds {len(models)} language-model GGUF files ({', '.join(p.name for p in models) or 'none'}); "
                               "pass the one to use")
        return ModelSpec("gguf", {"model": models[0], "mmproj": _projector(models[0], mmproj)}, None)
    if (path / "config.json").is_file():
        return ModelSpec("transformers", {"folder": path}, None)
    if any(path.glob("*.onnx")):
        raise BackendError(f"{path}: ONNX models need the {MANIFEST_NAME} that geor-export writes beside them")
    raise BackendError(f"{path}: holds no model (no .gguf files, no {MANIFEST_NAME}, no config.json)")


def _is_projector(path: Path) -> bool:
    try:
        return read_header(path).is_projector
    except GgufError:
        return "mmproj" in path.name.lower()


def _projector(model: Path, mmproj: str | Path | None) -> Path:
    if mmproj is not None:
        return Path(mmproj).expanduser()
    candidates = [p for p in sorted(model.parent.glob("*.gguf")) if p != model and _is_projector(p)]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise BackendError(f"{model}: no vision projector (mmproj*.gguf) beside it; pass it with --mmproj")
    raise BackendError(f"{model}: several projectors beside it ({', '.join(p.name for p in candidates)}); pass one with --mmproj")


def open_backend(spec: ModelSpec, device: str = "auto", threads: int | None = None, ctx: int = 4096,
                 gpu_layers: int | None = None, prefix_cache: bool = True) -> Backend:
    if spec.format == "gguf":
        from .gguf_backend import GgufBackend

        backend: Backend = GgufBackend(spec.files["model"], spec.files["mmproj"], device=device, n_threads=threads, n_ctx=ctx,
                                       n_gpu_layers=gpu_layers, prefix_cache=prefix_cache, vision_onnx=spec.files.get("vision_onnx"),
                                       vision_config=spec.files.get("vision_config"))
    elif spec.format == "transformers":
        from .transformers_backend import TransformersBackend

        backend = TransformersBackend(spec.files["folder"], device=device, n_threads=threads)
    elif spec.format == "onnx":
        from .onnx_backend import OnnxBackend

        assert spec.manifest is not None
        backend = OnnxBackend(spec.manifest, device=device, n_threads=threads)
    else:
        raise BackendError(f"unknown model format {spec.format!r}")
    _open_backends.add(backend)
    return backend


def open_predictor(model: str | Path, *, mmproj: str | Path | None = None, device: str = "auto", threads: int | None = None,
                   ctx: int = 4096, gpu_layers: int | None = None, samples: int = 1, temperature: float | None = None,
                   max_tokens: int = 128, max_pixels: int | None = None, review_below: float = 0.5, seed: int = 0,
                   geocoder: Geocoder | None = None, progress: Callable[[str], None] | None = None) -> Predictor:
    """A ready :class:`~.predictor.Predictor` for ``model`` (any path or name :func:`resolve` takes),
    with the default offline geocoder unless one is given; the caller closes ``predictor.backend``."""
    from geor.engine.geo.geocoder import Geocoder
    from geor.engine.geo.geocoder.default_location import default_pack_path

    from .predictor import PredictOptions, Predictor

    if samples < 1 or max_tokens < 1 or (threads is not None and threads < 1):
        raise BadOption("samples, max_tokens and threads must be at least 1")
    spec = resolve(model, mmproj)
    manifest = spec.manifest
    options = PredictOptions(
        samples=samples, temperature=temperature, max_new_tokens=max_tokens, seed=seed,
        prompt_version=manifest.prompt_version if manifest else PredictOptions.prompt_version,
        reasoning=manifest.reasoning if manifest else False, review_below=review_below,
        max_pixels=max_pixels or (manifest.image_max_pixels if manifest and manifest.image_max_pixels else PredictOptions.max_pixels),
    )
    geocoder = geocoder or Geocoder(default_pack_path(progress=progress))
    backend = open_backend(spec, device=device, threads=threads, ctx=ctx, gpu_layers=gpu_layers)
    return Predictor(backend, geocoder, options)
