"""Which model to ask and how to run it, declared once: ``geor predict``'s and ``geor tag``'s model
flags are made from these fields (engine/options.py), the desktop's settings build the same type,
a tagging job stores it with its options, and ``open_request`` opens the predictor it describes.
Nothing heavy is imported here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from geor.engine.options import option

if TYPE_CHECKING:
    from geor.engine.geo.geocoder import Geocoder

    from .predictor import Predictor

DEFAULT_PER_SCENE = 3  # the model sees up to this many photos of a scene (placement.scenes.group_scenes)


@dataclass(frozen=True, kw_only=True)
class ModelRequest:
    model: str = field(metadata=option("a .gguf file, a model or checkpoint folder, or an installed model's name (geor models list)",
                                       metavar="M"))
    mmproj: str | None = field(default=None, metadata=option("the vision projector GGUF, when it is not the one mmproj*.gguf beside the model",
                                                             metavar="FILE"))
    device: str = field(default="auto", metadata=option("where to run (default: CUDA when the build and a GPU allow)",
                                                        choices=("auto", "cpu", "cuda")))
    threads: int | None = field(default=None, metadata=option("CPU threads (default: all cores)"))
    ctx: int = field(default=4096, metadata=option("context size in tokens (GGUF)"))
    gpu_layers: int | None = field(default=None, metadata=option("layers to offload to the GPU (GGUF; default all with CUDA)"))
    samples: int = field(default=1, metadata=option(
        "answers per photo; K > 1 pools them (geometric median) and measures their spread", metavar="K"))
    temperature: float | None = field(default=None, metadata=option("sampling temperature (default 0 = greedy for one sample, 0.7 for several)"))
    max_tokens: int = field(default=128, metadata=option("longest answer in tokens"))
    max_pixels: int | None = field(default=None, metadata=option("image budget in pixels (default: the model's, else 448x448)"))
    review_below: float = field(default=0.5, metadata=option("mark answers less confident than this for review"))
    seed: int = field(default=0, metadata=option("the sampling seed"))
    per_scene: int = field(default=DEFAULT_PER_SCENE, metadata=option(
        "with --model: ask about up to N of a scene's most distinct photos and give every photo of the scene their pooled answer; "
        "0: ask about every photo on its own", metavar="N"))

    @property
    def identity(self) -> str:
        """How a job store names the model: a resolved path, or a registry name."""
        return model_identity(self.model)


#: A request's fields that only the tagging job uses (not the predictor).
JOB_ONLY = ("per_scene",)


def model_identity(model: str) -> str:
    """How the job store names a model (a resolved path, or a registry name)."""
    path = Path(model).expanduser()
    return str(path.resolve()) if path.exists() else model


def open_request(request: ModelRequest, *, geocoder: Geocoder | None = None, progress: Callable[[str], None] | None = None) -> Predictor:
    """The predictor ``request`` describes (the caller closes its backend)."""
    from .loader import open_predictor

    settings = {k: v for k, v in asdict(request).items() if k not in (*JOB_ONLY, "model")}
    return open_predictor(request.model, geocoder=geocoder, progress=progress, **settings)
