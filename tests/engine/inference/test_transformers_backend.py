"""transformers is the reference: the f16 GGUF must reproduce its greedy tokens exactly."""

import numpy as np
import pytest
from PIL import Image

from geor.engine.cor import chat_messages
from geor.engine.inference.backend import BackendError, SamplingOptions
from geor.engine.inference.gguf_backend import GgufBackend
from geor.engine.inference.images import from_pil
from geor.engine.inference.transformers_backend import TransformersBackend


@pytest.fixture(scope="module")
def reference(tiny_vlm):
    return TransformersBackend(tiny_vlm.checkpoint, device="cpu")


def test_f16_gguf_reproduces_transformers_greedy_tokens(tiny_vlm, reference):
    gguf = GgufBackend(tiny_vlm.model, tiny_vlm.mmproj, device="cpu", n_ctx=1024)
    options = SamplingOptions(max_new_tokens=64)
    try:
        for seed, size in enumerate([(112, 112), (84, 112), (140, 84)]):
            pixels = (np.random.default_rng(seed).random((size[1], size[0], 3)) * 255).astype("uint8")
            image = from_pil(Image.fromarray(pixels))
            expected = reference.generate(image, chat_messages(), 1, options)[0]
            got = gguf.generate(image, chat_messages(), 1, options)[0]
            assert got.tokens == expected.tokens
            assert got.text == expected.text
            assert expected.finished and got.finished
    finally:
        gguf.close()


def test_renders_the_same_prompt_as_the_gguf(tiny_vlm, reference):
    gguf = GgufBackend(tiny_vlm.model, tiny_vlm.mmproj, device="cpu", n_ctx=1024)
    try:
        expected = reference.render(chat_messages()).replace("<|vision_start|><|image_pad|><|vision_end|>", "<__media__>")
        assert gguf.render(chat_messages()) == expected
    finally:
        gguf.close()


def test_refuses_pickles_and_non_checkpoints(tmp_path):
    with pytest.raises(BackendError, match="no config.json"):
        TransformersBackend(tmp_path)
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "pytorch_model.bin").write_bytes(b"pickle")
    with pytest.raises(BackendError, match="pickled weights are never loaded"):
        TransformersBackend(tmp_path)
