"""Checkpoint folders (safetensors) on transformers: the reference the GGUF and ONNX runtimes are
checked against. Optional: torch and transformers are imported only when this backend is used, so
the rest of the runtime works without them. ``trust_remote_code`` is always off and only
safetensors weights are loaded (never pickles)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from geor.engine.errors import BadOption

from .backend import BackendError, Generation, SamplingOptions, check_device, check_memory, require
from .images import PreparedImage


class TransformersBackend:
    name = "transformers"

    def __init__(self, folder: Path, device: str = "auto", dtype: str = "auto", n_threads: int | None = None) -> None:
        self.folder = Path(folder)
        if not (self.folder / "config.json").is_file():
            raise BackendError(f"{self.folder}: not a checkpoint folder (no config.json)")
        weights = sorted(self.folder.glob("*.safetensors"))
        if not weights:
            found = sorted(p.name for p in self.folder.glob("*.bin")) + sorted(p.name for p in self.folder.glob("*.pt"))
            hint = f" (it holds {', '.join(found)}: pickled weights are never loaded; convert them to safetensors)" if found else ""
            raise BackendError(f"{self.folder}: no .safetensors weights{hint}")
        torch, transformers = require("checkpoint folders", "train", "torch", "transformers")
        requested = check_device(device)
        cuda = torch.cuda.is_available()
        if requested == "cuda" and not cuda:
            raise BackendError("--device cuda: torch sees no CUDA GPU (CPU-only torch build, or no driver); use --device cpu")
        self.device = "cuda" if requested == "cuda" or (requested == "auto" and cuda) else "cpu"
        if n_threads:
            torch.set_num_threads(n_threads)
        self.n_threads = torch.get_num_threads()
        if self.device == "cpu":
            check_memory({str(p): p.stat().st_size for p in weights})
        torch_dtype = {"auto": torch.bfloat16 if self.device == "cuda" else torch.float32, "float32": torch.float32,
                       "bfloat16": torch.bfloat16, "float16": torch.float16}.get(dtype)
        if torch_dtype is None:
            raise BadOption(f"dtype must be auto, float32, bfloat16 or float16, not {dtype!r}")
        self.dtype = str(torch_dtype).removeprefix("torch.")
        try:
            self.processor = transformers.AutoProcessor.from_pretrained(self.folder, trust_remote_code=False, local_files_only=True)
            self.model = transformers.AutoModelForImageTextToText.from_pretrained(
                self.folder, dtype=torch_dtype, trust_remote_code=False, local_files_only=True, use_safetensors=True,
            ).to(self.device).eval()
        except (OSError, ValueError, KeyError) as exc:
            raise BackendError(f"{self.folder}: transformers could not load the checkpoint ({exc})") from None
        self._torch = torch
        self.model_type = self.model.config.model_type

    def describe(self) -> dict[str, Any]:
        return {"backend": self.name, "device": self.device, "threads": self.n_threads, "model": str(self.folder),
                "model_type": self.model_type, "dtype": self.dtype}

    def render(self, messages: list[dict[str, Any]]) -> str:
        text: str = self.processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        return text

    def generate(self, image: PreparedImage, messages: list[dict[str, Any]], n: int, options: SamplingOptions) -> list[Generation]:
        torch = self._torch
        t0 = time.perf_counter()
        inputs = self.processor(text=[self.render(messages)], images=[image.to_pil()], return_tensors="pt").to(self.device)
        prompt_length = inputs["input_ids"].shape[1]
        eos = self.processor.tokenizer.convert_tokens_to_ids(self.processor.tokenizer.eos_token)
        results = []
        for i in range(max(1, n)):
            t1 = time.perf_counter()
            sampling = options.temperature > 0
            if sampling:
                torch.manual_seed(options.seed + i)
            with torch.inference_mode():
                output = self.model.generate(
                    **inputs, max_new_tokens=options.max_new_tokens, do_sample=sampling,
                    temperature=options.temperature if sampling else None, top_p=options.top_p if sampling else None,
                    top_k=options.top_k if sampling else None,
                )
            tokens = output[0, prompt_length:].tolist()
            finished = bool(tokens) and tokens[-1] == eos
            if finished:
                tokens = tokens[:-1]
            text = self.processor.tokenizer.decode(tokens, skip_special_tokens=True)
            timings = {"generate": time.perf_counter() - t1}
            if i == 0:
                timings["total"] = time.perf_counter() - t0
            results.append(Generation(text, tokens, finished, timings, prompt_length, 0))
        return results

    def close(self) -> None:
        self.model = None
