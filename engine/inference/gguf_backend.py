"""GGUF models on llama.cpp (llama-cpp-python), with the vision projector run by llama.cpp's
multimodal library (mtmd).

Why not ``Llama.create_chat_completion`` with a chat handler: the handler clears the KV cache for
every call. This backend drives the same pieces itself (the GGUF's own chat template, mtmd's
tokenizer and image evaluation, llama.cpp's samplers) and keeps what it evaluated: the next photo
reuses every prompt chunk that is the same (the system prompt and the Chain-of-Region instruction,
which come before the image), and the k samples of one photo share one image encoding.

Every file is checked (:mod:`geor.engine.models.gguf_file`) before llama.cpp opens it, because a
damaged or mismatched file can abort the process inside llama.cpp.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geor.engine.models.gguf_file import GgufError, check_pair, read_header

from .backend import BackendError, Generation, SamplingOptions, check_device, check_memory, require
from .images import PreparedImage

if TYPE_CHECKING:  # jinja2 is imported when a model is opened
    from jinja2 import Template

log = logging.getLogger("geor.llama_cpp")
log.addHandler(logging.NullHandler())  # a library stays quiet unless the application configures logging

# ggml_log_level: NONE, DEBUG, INFO, WARN, ERROR, CONT (continues the previous line)
_LOG_LEVELS = {0: logging.CRITICAL, 1: logging.DEBUG, 2: logging.INFO, 3: logging.WARNING, 4: logging.ERROR}
_last_level = [logging.DEBUG]
_callbacks: list[Any] = []  # keep the ctypes callbacks alive
_recent_errors: list[str] = []


def _import_llama_cpp() -> Any:
    llama_cpp, _ = require("GGUF models", "gguf", "llama_cpp", "llama_cpp.mtmd_cpp")  # the multimodal library too
    if not _callbacks:
        _route_logs(llama_cpp)
    return llama_cpp


def _route_logs(llama_cpp: Any) -> None:
    """llama.cpp and mtmd print to stderr by default; send their lines to Python logging instead,
    keeping the last errors for our own messages."""
    from llama_cpp import mtmd_cpp

    def on_log(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
        message = text.decode("utf-8", errors="replace").rstrip()
        python_level = _last_level[0] if level == 5 else _LOG_LEVELS.get(level, logging.DEBUG)
        _last_level[0] = python_level
        if not message:
            return
        if python_level >= logging.ERROR:
            _recent_errors.append(message)
            del _recent_errors[:-8]
        log.log(python_level, message)

    callback = llama_cpp.llama_log_callback(on_log)
    _callbacks.append(callback)
    llama_cpp.llama_log_set(callback, ctypes.c_void_p(0))
    mtmd_cpp.mtmd_log_set(callback, ctypes.c_void_p(0))
    mtmd_cpp.mtmd_helper_log_set(callback, ctypes.c_void_p(0))


@contextlib.contextmanager
def _ctrl_c_kept() -> Iterator[None]:
    """Around calls into llama.cpp, which calls back into Python (its log lines): a Ctrl-C that
    lands inside such a callback is printed and dropped by ctypes ("Exception ignored on calling
    ctypes callback function"); here it is kept and raised once control is back in Python."""
    pressed: list[bool] = []
    previous = sys.unraisablehook

    def keep(unraisable: Any) -> None:
        if unraisable.exc_type is KeyboardInterrupt:
            pressed.append(True)
        else:
            previous(unraisable)

    sys.unraisablehook = keep
    try:
        yield
    finally:
        sys.unraisablehook = previous
    if pressed:
        raise KeyboardInterrupt


def _last_errors() -> str:
    text = "; ".join(_recent_errors[-3:])
    _recent_errors.clear()
    return f" (llama.cpp: {text})" if text else ""


def cuda_available() -> bool:
    """Whether the installed llama-cpp-python was built with GPU offload (CUDA, Metal, Vulkan ...)."""
    try:
        llama_cpp = _import_llama_cpp()
    except BackendError:
        return False
    return bool(llama_cpp.llama_supports_gpu_offload())


@dataclass
class _Chunk:
    """One prompt chunk as evaluated: text tokens, or an image; ``end`` is the position after it."""

    key: tuple[Any, ...]
    end: int


class GgufBackend:
    name = "gguf"

    def __init__(self, model_path: Path, mmproj_path: Path, device: str = "auto", n_threads: int | None = None,
                 n_ctx: int = 4096, n_gpu_layers: int | None = None, n_batch: int = 512, prefix_cache: bool = True,
                 flash_attn: bool = False, vision_onnx: Path | None = None, vision_config: Path | None = None) -> None:
        self.model_path, self.mmproj_path = Path(model_path), Path(mmproj_path)
        try:
            model, projector = read_header(self.model_path), read_header(self.mmproj_path)
            check_pair(model, projector)
        except GgufError as exc:
            raise BackendError(str(exc)) from None
        self.architecture = model.architecture
        self.quantization = _quantization(model)
        llama_cpp = _import_llama_cpp()
        from llama_cpp import mtmd_cpp

        self._llama_cpp, self._mtmd = llama_cpp, mtmd_cpp
        requested = check_device(device)
        gpu = bool(llama_cpp.llama_supports_gpu_offload())
        if requested == "cuda" and not gpu:
            raise BackendError(
                "--device cuda: this llama-cpp-python was built without GPU support; reinstall it with "
                "CMAKE_ARGS='-DGGML_CUDA=on' pip install --force-reinstall --no-binary llama-cpp-python llama-cpp-python, "
                "or use --device cpu"
            )
        self.device = "cuda" if requested == "cuda" or (requested == "auto" and gpu) else "cpu"
        if self.device == "cpu":
            files = {str(self.model_path): model.file_size, str(self.mmproj_path): projector.file_size}
            if vision_onnx is not None and Path(vision_onnx).is_file():  # with its external weights, if any
                files[str(vision_onnx)] = sum(p.stat().st_size for p in Path(vision_onnx).parent.glob(Path(vision_onnx).name + "*"))
            check_memory(files)
        self.n_threads = n_threads or max(1, os.cpu_count() or 1)
        layers = (-1 if self.device == "cuda" else 0) if n_gpu_layers is None else n_gpu_layers
        try:
            with _ctrl_c_kept():  # llama.cpp logs through a Python callback all the while it loads
                self._load(model, n_ctx, layers, n_batch, prefix_cache, flash_attn, vision_onnx, vision_config)
        except KeyboardInterrupt:
            self.close()
            raise

    def _load(self, model: Any, n_ctx: int, layers: int, n_batch: int, prefix_cache: bool, flash_attn: bool,
              vision_onnx: Path | None, vision_config: Path | None) -> None:
        llama_cpp, mtmd_cpp = self._llama_cpp, self._mtmd
        try:
            self._llama = llama_cpp.Llama(
                model_path=str(self.model_path), n_ctx=n_ctx, n_threads=self.n_threads, n_threads_batch=self.n_threads,
                n_gpu_layers=layers, n_batch=n_batch, flash_attn=flash_attn, verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise BackendError(f"{self.model_path}: llama.cpp could not load the model ({exc}){_last_errors()}") from None
        params = mtmd_cpp.mtmd_context_params_default()
        params.use_gpu = self.device == "cuda"
        params.print_timings = False
        params.n_threads = self.n_threads
        params.flash_attn_type = llama_cpp.LLAMA_FLASH_ATTN_TYPE_ENABLED if flash_attn else llama_cpp.LLAMA_FLASH_ATTN_TYPE_DISABLED
        # the warm-up encodes a dummy image of the projector's largest size to size GPU buffers early;
        # on a CPU it only costs time (minutes for a 3B model's vision tower), so it runs on GPUs only
        params.warmup = self.device == "cuda"
        self._mtmd_ctx = mtmd_cpp.mtmd_init_from_file(str(self.mmproj_path).encode(), self._llama.model, params)
        if not self._mtmd_ctx:
            self._llama.close()
            raise BackendError(f"{self.mmproj_path}: llama.cpp could not load the vision projector{_last_errors()}")
        if not mtmd_cpp.mtmd_support_vision(self._mtmd_ctx):
            self.close()
            raise BackendError(f"{self.mmproj_path}: this projector does not support images")
        self.vision = None  # the image encoder on onnxruntime instead of the projector's (onnx_vision.py): on the CPU
        if vision_onnx is not None and self.device == "cpu":
            from .onnx_vision import OnnxVision

            try:
                self.vision = OnnxVision(vision_onnx, vision_config, self.device, self.n_threads)
            except BackendError:
                self.close()
                raise
        self._marker = mtmd_cpp.mtmd_default_marker().decode("utf-8")
        self._template = _compile_template(model.get("tokenizer.chat_template"))
        self._bos = self._piece(self._llama.token_bos())
        self._eos = self._piece(self._llama.token_eos())
        self._vocab = self._llama._model.vocab
        self.prefix_cache = prefix_cache
        self._cached: list[_Chunk] = []
        self.n_ctx = n_ctx
        self.last_tokens = {"image": 0, "text": 0}

    def _piece(self, token: int) -> str:
        if token < 0:
            return ""
        piece: str = self._llama.detokenize([token], special=True).decode("utf-8", errors="ignore")
        return piece

    def describe(self) -> dict[str, Any]:
        return {
            "backend": self.name, "device": self.device, "threads": self.n_threads, "model": str(self.model_path),
            "mmproj": str(self.mmproj_path), "architecture": self.architecture, "quantization": self.quantization,
            "context": self.n_ctx, "prefix_cache": self.prefix_cache,
            "image_encoder": f"onnxruntime ({self.vision.graph.name})" if self.vision is not None else "llama.cpp (the projector)",
        }

    def render(self, messages: list[dict[str, Any]]) -> str:
        """The prompt text, with mtmd's media marker where the image goes."""
        converted = []
        for message in messages:
            content = message["content"]
            if isinstance(content, list):
                content = [{"type": "text", "text": self._marker} if part.get("type") == "image" else part for part in content]
            converted.append({**message, "content": content})
        return self._template.render(messages=converted, add_generation_prompt=True, bos_token=self._bos, eos_token=self._eos)

    def generate(self, image: PreparedImage, messages: list[dict[str, Any]], n: int, options: SamplingOptions) -> list[Generation]:
        with _ctrl_c_kept():
            return self._generate(image, messages, n, options)

    def _generate(self, image: PreparedImage, messages: list[dict[str, Any]], n: int, options: SamplingOptions) -> list[Generation]:
        if self._mtmd_ctx is None:
            raise BackendError("the model was closed")
        started = time.perf_counter()
        if self.vision is not None:  # sides in whole merged units, so that llama.cpp keeps the size and the grids agree
            from .onnx_vision import fit_to_patches

            image = fit_to_patches(image, self.vision.factor)
        timings, prompt_positions, reused = self._evaluate_prompt(image, self.render(messages))
        last_token = self._cached[-1].key[-1]
        results = []
        for i in range(max(1, n)):
            t0 = time.perf_counter()
            tokens, finished = self._sample(prompt_positions, last_token, options, options.seed + i)
            text = self._llama.detokenize(tokens).decode("utf-8", errors="replace")
            results.append(Generation(text, tokens, finished, {**timings, "generate": time.perf_counter() - t0},
                                      prompt_positions, reused))
        results[0].timings["total"] = time.perf_counter() - started
        return results

    def _evaluate_prompt(self, image: PreparedImage, text: str) -> tuple[dict[str, float], int, int]:
        mtmd = self._mtmd
        data = (ctypes.c_uint8 * len(image.rgb)).from_buffer_copy(image.rgb)
        bitmap = mtmd.mtmd_bitmap_init(image.width, image.height, data)
        if not bitmap:
            raise BackendError(f"{image.path}: llama.cpp could not take the image{_last_errors()}")
        chunks = mtmd.mtmd_input_chunks_init()
        timings = {"image": 0.0, "vision": 0.0, "prompt": 0.0}  # image: vision (the encoder) + its tokens through the decoder
        self.last_tokens = {"image": 0, "text": 0}  # evaluated for this prompt (the prefix cache's reuse not counted)
        try:
            encoded = text.encode("utf-8")
            input_text = mtmd.mtmd_input_text()
            input_text.text, input_text.text_len = encoded, len(encoded)
            input_text.add_special, input_text.parse_special = True, True
            bitmaps = (mtmd.mtmd_bitmap_p_ctypes * 1)(bitmap)
            status = mtmd.mtmd_tokenize(self._mtmd_ctx, chunks, ctypes.byref(input_text), bitmaps, 1)
            if status != 0:
                raise BackendError(f"{image.path}: the prompt does not fit the projector (mtmd_tokenize error {status}){_last_errors()}")
            plan = []
            for i in range(mtmd.mtmd_input_chunks_size(chunks)):
                chunk = mtmd.mtmd_input_chunks_get(chunks, i)
                if mtmd.mtmd_input_chunk_get_type(chunk) == mtmd.MTMD_INPUT_CHUNK_TYPE_TEXT:
                    count = ctypes.c_size_t()
                    pointer = mtmd.mtmd_input_chunk_get_tokens_text(chunk, ctypes.byref(count))
                    plan.append((("text", *(pointer[j] for j in range(count.value))), chunk))
                else:
                    plan.append((("image", image.key, mtmd.mtmd_input_chunk_get_n_pos(chunk)), chunk))
            if not plan or plan[-1][0][0] != "text" or len(plan[-1][0]) < 2:
                raise BackendError(f"{self.model_path}: the chat template must end the prompt with text after the image")
            keep, position, reused = self._reusable(plan)
            self._cached = self._cached[:keep]
            for index in range(keep, len(plan)):
                key, chunk = plan[index]
                start = self._cached[-1].end if self._cached else 0
                t0 = time.perf_counter()
                if key[0] == "text":
                    tokens = list(key[1:])
                    skip = position - start  # tokens of this chunk still valid in the cache
                    self._llama.n_tokens = position
                    if start + len(tokens) > self.n_ctx:
                        raise BackendError(f"the prompt needs {start + len(tokens)} positions, the context holds {self.n_ctx}; raise --ctx")
                    self._llama.eval(tokens[skip:])
                    self.last_tokens["text"] += len(tokens) - skip
                    timings["prompt"] += time.perf_counter() - t0
                else:
                    self._llama._ctx.kv_cache_seq_rm(-1, start, -1)
                    if start + key[2] > self.n_ctx:
                        raise BackendError(f"{image.path}: the image needs {key[2]} positions, the context holds {self.n_ctx}; raise --ctx")
                    new_past = self._llama_cpp.llama_pos(0)
                    # what mtmd_helper_eval_chunk_single does, in its two steps, so that each is timed
                    embeddings = self._encode(image, chunk)
                    timings["vision"] += time.perf_counter() - t0
                    status = mtmd.mtmd_helper_decode_image_chunk(
                        self._mtmd_ctx, self._llama._ctx.ctx, chunk, embeddings, start, 0, self._llama.n_batch, ctypes.byref(new_past),
                        mtmd.mtmd_helper_post_decode_callback(), None)
                    if status != 0:
                        self._cached = self._cached[:index]
                        raise BackendError(f"{image.path}: llama.cpp failed to decode the image's tokens (error {status}){_last_errors()}")
                    self._llama.n_tokens = new_past.value
                    self.last_tokens["image"] += mtmd.mtmd_input_chunk_get_n_tokens(chunk)
                    timings["image"] += time.perf_counter() - t0
                self._cached.append(_Chunk(key, self._llama.n_tokens))
                position = self._llama.n_tokens
            return timings, self._cached[-1].end, reused
        except BaseException:
            self._cached = []  # state unknown: never reuse it
            raise
        finally:
            mtmd.mtmd_input_chunks_free(chunks)
            mtmd.mtmd_bitmap_free(bitmap)

    def _encode(self, image: PreparedImage, chunk: Any) -> Any:
        """The image chunk's embeddings (a float pointer llama.cpp reads): the projector's, or the ONNX encoder's."""
        mtmd = self._mtmd
        if self.vision is None:
            status = mtmd.mtmd_encode_chunk(self._mtmd_ctx, chunk)
            if status != 0:
                raise BackendError(f"{image.path}: llama.cpp failed to encode the image (error {status}){_last_errors()}")
            return mtmd.mtmd_get_output_embd(self._mtmd_ctx)
        features = self.vision.encode(image)
        expected = (mtmd.mtmd_input_chunk_get_n_tokens(chunk), self._llama.n_embd())
        if features.shape != expected:
            raise BackendError(f"{self.vision.graph}: the ONNX vision encoder gives {features.shape[0]} x {features.shape[1]} embeddings, "
                               f"the model takes {expected[0]} x {expected[1]}: it was exported from another model")
        self._embeddings = features  # alive until llama.cpp has read it
        return features.ctypes.data_as(ctypes.POINTER(ctypes.c_float))

    def _reusable(self, plan: list[tuple[tuple[Any, ...], Any]]) -> tuple[int, int, int]:
        """(chunks kept whole, first position to evaluate, positions reused)."""
        if not self.prefix_cache:
            return 0, 0, 0
        keep, position = 0, 0
        for (key, _), cached in zip(plan, self._cached, strict=False):  # the common prefix of the plan and the cache
            if key != cached.key:
                if key[0] == "text" and cached.key[0] == "text":  # a partly shared text chunk
                    common = 0
                    for a, b in zip(key[1:], cached.key[1:], strict=False):  # their common tokens
                        if a != b:
                            break
                        common += 1
                    position += common
                break
            keep += 1
            position = cached.end
        if keep == len(plan):  # everything cached: re-evaluate the last token to get fresh logits
            keep -= 1
            position -= 1
        return keep, position, position

    def _sample(self, prompt_end: int, last_token: int, options: SamplingOptions, seed: int) -> tuple[list[int], bool]:
        from llama_cpp._internals import LlamaSampler

        llama = self._llama
        llama.n_tokens = prompt_end - 1  # re-evaluate the prompt's last token: fresh logits, and drops any earlier sample
        llama.eval([last_token])
        sampler = LlamaSampler()
        try:
            if options.temperature == 0:
                sampler.add_greedy()
            else:
                sampler.add_top_k(options.top_k)
                sampler.add_top_p(options.top_p, 1)
                sampler.add_temp(options.temperature)
                sampler.add_dist(seed & 0xFFFFFFFF)
            tokens: list[int] = []
            for _ in range(options.max_new_tokens):
                token = sampler.sample(llama._ctx, -1)
                if self._llama_cpp.llama_vocab_is_eog(self._vocab, token):
                    return tokens, True
                tokens.append(token)
                if llama.n_tokens + 1 >= self.n_ctx:
                    return tokens, False
                llama.eval([token])
            return tokens, False
        finally:
            sampler.close()
            # the generated tokens sit after the prompt in the cache; the next call cuts them off
            self._cached[-1] = _Chunk(self._cached[-1].key, prompt_end)

    def close(self) -> None:
        self.vision = None
        if getattr(self, "_mtmd_ctx", None) is not None:
            self._mtmd.mtmd_free(self._mtmd_ctx)
            self._mtmd_ctx = None
        if getattr(self, "_llama", None) is not None:
            self._llama.close()
            self._llama = None

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


def _compile_template(source: str) -> Template:
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def raise_exception(message: str) -> None:
        raise BackendError(f"the model's chat template refused the prompt: {message}")

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.globals["raise_exception"] = raise_exception
    return env.from_string(source)


def _quantization(header: Any) -> str:
    counts = header.file_types()
    weights = {k: v for k, v in counts.items() if k not in ("F32",)}
    return max(weights, key=lambda k: weights[k]) if weights else "F32"
