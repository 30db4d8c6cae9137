"""The llama.cpp backend on a real (tiny) GGUF model and projector."""

import logging

import numpy as np
import pytest
from PIL import Image

from geor.engine.cor import chat_messages
from geor.engine.inference.backend import BackendError, SamplingOptions
from geor.engine.inference.gguf_backend import GgufBackend, cuda_available
from geor.engine.inference.images import from_pil
from tests.helpers.gguf_bytes import language_model, projector

GREEDY = SamplingOptions(max_new_tokens=48)


def photo(seed, size=(112, 112)):
    pixels = (np.random.default_rng(seed).random((size[1], size[0], 3)) * 255).astype("uint8")
    return from_pil(Image.fromarray(pixels))


@pytest.fixture(scope="module")
def backend(tiny_vlm):
    opened = GgufBackend(tiny_vlm.model, tiny_vlm.mmproj, device="cpu", n_ctx=1024)
    yield opened
    opened.close()


def test_answers_through_llama_cpp(backend):
    generation = backend.generate(photo(0), chat_messages(), 1, GREEDY)[0]
    assert generation.finished
    assert generation.text.startswith("Country: Japan\nState: Hokkaido\nCity: Biei\nCoordinates: (43.588")
    assert generation.timings["image"] > 0 and generation.prompt_tokens > 100
    assert backend.describe()["quantization"] == "F16" and backend.device == "cpu"


def test_prompt_renders_the_gguf_chat_template(backend):
    text = backend.render(chat_messages())
    assert text.startswith("<|im_start|>system\n")
    assert text.endswith("<__media__><|im_end|>\n<|im_start|>assistant\n")
    assert "Where was this photo taken?" in text


def test_prefix_cache_reuses_the_instruction_and_changes_nothing(tiny_vlm, backend):
    uncached = GgufBackend(tiny_vlm.model, tiny_vlm.mmproj, device="cpu", n_ctx=1024, prefix_cache=False)
    try:
        short = SamplingOptions(max_new_tokens=6)
        for seed in range(3):
            image = photo(seed, size=(84 + 28 * seed, 112))
            with_cache = backend.generate(image, chat_messages(), 1, short)[0]
            without = uncached.generate(image, chat_messages(), 1, short)[0]
            assert with_cache.tokens == without.tokens
            assert without.reused_prompt_tokens == 0
        # the second photo onwards: system prompt + instruction came from the cache
        assert with_cache.reused_prompt_tokens > 100
        again = backend.generate(image, chat_messages(), 1, short)[0]  # the same photo: everything cached
        assert again.tokens == with_cache.tokens and again.timings["image"] == 0
        assert again.reused_prompt_tokens == again.prompt_tokens - 1
    finally:
        uncached.close()


def test_samples_share_one_image_encoding_and_vary_with_temperature(backend):
    hot = SamplingOptions(max_new_tokens=12, temperature=3.0, top_p=1.0, seed=1)
    samples = backend.generate(photo(7), chat_messages(), 4, hot)
    assert len(samples) == 4
    assert len({tuple(s.tokens) for s in samples}) > 1
    assert [s.tokens for s in backend.generate(photo(7), chat_messages(), 4, hot)] == [s.tokens for s in samples]  # seeded


def test_cut_off_answer_is_reported_unfinished(backend):
    generation = backend.generate(photo(1), chat_messages(), 1, SamplingOptions(max_new_tokens=3))[0]
    assert not generation.finished and len(generation.tokens) == 3


def test_cuda_request_without_a_cuda_build(tiny_vlm):
    if cuda_available():
        pytest.skip("this llama-cpp-python has GPU offload")
    with pytest.raises(BackendError, match="built without GPU support.*--device cpu"):
        GgufBackend(tiny_vlm.model, tiny_vlm.mmproj, device="cuda")


def test_damaged_and_mismatched_files_never_reach_llama_cpp(tmp_path, tiny_vlm):
    truncated = tmp_path / "model.gguf"
    truncated.write_bytes(tiny_vlm.model.read_bytes()[:-4096])
    with pytest.raises(BackendError, match="truncated"):
        GgufBackend(truncated, tiny_vlm.mmproj)
    with pytest.raises(BackendError, match="is a vision projector"):
        GgufBackend(tiny_vlm.mmproj, tiny_vlm.model)
    wide = projector(tmp_path / "wide.gguf", width=128)
    with pytest.raises(BackendError, match="projects images to width 128"):
        GgufBackend(tiny_vlm.model, wide)
    with pytest.raises(BackendError, match="not a vision-language model"):
        GgufBackend(language_model(tmp_path / "bert.gguf", arch="bert"), tiny_vlm.mmproj)


def test_context_too_small_is_a_clear_error(tiny_vlm):
    small = GgufBackend(tiny_vlm.model, tiny_vlm.mmproj, device="cpu", n_ctx=64)
    try:
        with pytest.raises(BackendError, match="raise --ctx"):
            small.generate(photo(0), chat_messages(), 1, GREEDY)
        assert small._cached == []
    finally:
        small.close()


def test_not_enough_memory_is_refused_before_loading(tiny_vlm, monkeypatch):
    import geor.engine.inference.backend as backend_module

    monkeypatch.setattr(backend_module, "available_memory_bytes", lambda: 100_000)
    with pytest.raises(BackendError, match="GiB of memory, 0.0 GiB is available.*smaller quantisation"):
        GgufBackend(tiny_vlm.model, tiny_vlm.mmproj, device="cpu")


class CtrlCInLogLine(logging.Handler):
    """Presses Ctrl-C in the first llama.cpp log line: inside the C library's call back into Python."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.pressed = 0

    def emit(self, record):
        if not self.pressed:
            self.pressed += 1
            raise KeyboardInterrupt


@pytest.fixture
def ctrl_c_in_log_line():
    logger = logging.getLogger("geor.llama_cpp")
    handler, level = CtrlCInLogLine(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_ctrl_c_while_llama_cpp_loads_is_not_lost(tiny_vlm, ctrl_c_in_log_line):
    """ctypes would print and drop a KeyboardInterrupt raised in llama.cpp's log callback; the
    backend raises it once control is back in Python."""
    with pytest.raises(KeyboardInterrupt):
        GgufBackend(tiny_vlm.model, tiny_vlm.mmproj, device="cpu", n_ctx=1024)
    assert ctrl_c_in_log_line.pressed == 1


def test_ctrl_c_while_llama_cpp_encodes_a_photo_is_not_lost(backend, ctrl_c_in_log_line):
    with pytest.raises(KeyboardInterrupt):
        backend.generate(photo(2), chat_messages(), 1, SamplingOptions(max_new_tokens=3))
    assert ctrl_c_in_log_line.pressed == 1
    # raised once: the next photo is answered
    assert len(backend.generate(photo(3), chat_messages(), 1, SamplingOptions(max_new_tokens=3))[0].tokens) == 3
