"""The one small interface every model runtime implements, and the values it exchanges.

A backend turns (photo, chat messages) into ``n`` generated texts. It knows nothing about the
Chain of Region: prompting, parsing and checking live in :mod:`geor.engine.inference.predictor`,
so the three runtimes (llama.cpp, onnxruntime, transformers) are interchangeable and comparable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from geor.engine.errors import BadOption, UserError

from .images import PreparedImage

DEVICES = ("auto", "cpu", "cuda")


class BackendError(UserError, RuntimeError):
    """A model that cannot be loaded or run; the message names the file and what to do."""


@dataclass(frozen=True)
class SamplingOptions:
    """Greedy when ``temperature`` is 0; ``seed`` + i seeds the i-th of n samples."""

    max_new_tokens: int = 128
    temperature: float = 0.0
    top_p: float = 0.95
    top_k: int = 40
    seed: int = 0

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1:
            raise BadOption("max_new_tokens must be at least 1")
        if self.temperature < 0:
            raise BadOption("temperature must be 0 (greedy) or more")


@dataclass
class Generation:
    text: str
    tokens: list[int]
    finished: bool  # the model ended its answer (end-of-turn token), rather than hitting max_new_tokens
    timings: dict[str, float] = field(default_factory=dict)  # seconds: image, prompt, generate
    prompt_tokens: int = 0
    reused_prompt_tokens: int = 0  # positions taken from the cache instead of evaluated


class Backend(Protocol):
    name: str  # "gguf", "onnx", "transformers"
    device: str  # "cpu" or "cuda"

    def generate(self, image: PreparedImage, messages: list[dict[str, Any]], n: int, options: SamplingOptions) -> list[Generation]:
        """``n`` answers to ``messages`` (the user turn, with one ``{"type": "image"}`` part) about ``image``."""
        ...

    def describe(self) -> dict[str, Any]:
        """What is loaded: files, family, quantisation, device, threads; for reports and ``--json``."""
        ...

    def close(self) -> None: ...


def require(what: str, extra: str, *modules: str) -> tuple[Any, ...]:
    """Import an optional runtime's modules, or say which extra installs them."""
    import importlib

    try:
        return tuple(importlib.import_module(name) for name in modules)
    except ImportError as exc:
        raise BackendError(f"{what} need {' and '.join(modules)} ({exc}); install them with: pip install 'geor[{extra}]'") from None


def check_device(device: str) -> str:
    if device not in DEVICES:
        raise BadOption(f"device must be one of {', '.join(DEVICES)}, not {device!r}")
    return device


def available_memory_bytes() -> int | None:
    """Memory the OS can give us now (Linux MemAvailable), or None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def check_memory(path_sizes: dict[str, int], headroom: float = 1.1) -> None:
    """Refuse to load models whose files alone exceed the memory available, before the OS kills us."""
    available = available_memory_bytes()
    total = sum(path_sizes.values())
    if available is not None and total * headroom > available:
        names = ", ".join(path_sizes)
        raise BackendError(
            f"{names}: needs about {total * headroom / 2**30:.1f} GiB of memory, {available / 2**30:.1f} GiB is available; "
            "close other programs or use a smaller quantisation (e.g. Q4_K_M)"
        )
