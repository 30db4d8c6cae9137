"""llama.cpp's decoder fed by the vision encoder on onnxruntime (the tiny taught model): the
embeddings agree with llama.cpp's own projector, greedy answers match transformers token for token
in float32, and the int8 encoder's agreement is measured."""

import ctypes

import numpy as np
import pytest
from PIL import Image

from geor.engine.cor import chat_messages
from geor.engine.inference.backend import BackendError, SamplingOptions
from geor.engine.inference.gguf_backend import GgufBackend
from geor.engine.inference.images import from_pil

GREEDY = SamplingOptions(max_new_tokens=64)


def photo(seed, size=(112, 112)):
    return from_pil(Image.fromarray((np.random.default_rng(seed).random((size[1], size[0], 3)) * 255).astype("uint8")))


@pytest.fixture(scope="module")
def vision_graphs(tiny_vlm, tmp_path_factory):
    """The tiny model's vision tower as ONNX: float32, and int8 by onnxruntime's dynamic quantiser."""
    pytest.importorskip("onnxruntime")
    from transformers import AutoModelForImageTextToText, AutoProcessor

    from geor.export.onnx_export import trace_vision_any_size
    from geor.export.onnx_quantize import quantize_vision, write_vision_config

    folder = tmp_path_factory.mktemp("vision-onnx")
    model = AutoModelForImageTextToText.from_pretrained(tiny_vlm.checkpoint)
    config = trace_vision_any_size(model.model.visual, AutoProcessor.from_pretrained(tiny_vlm.checkpoint), folder / "vision.onnx")
    assert config["vision_check"]["relative"] < 1e-4  # against transformers, on two aspect ratios
    write_vision_config(folder, config)
    quantize_vision(folder / "vision.onnx", folder / "vision-int8.onnx")
    return folder


@pytest.fixture(scope="module")
def hybrid(tiny_vlm, vision_graphs):
    opened = GgufBackend(tiny_vlm.model, tiny_vlm.mmproj, device="cpu", n_ctx=1024, vision_onnx=vision_graphs / "vision.onnx")
    yield opened
    opened.close()


def test_the_onnx_embeddings_are_the_projectors(tiny_vlm, hybrid):
    from llama_cpp import mtmd_cpp as mtmd

    native = GgufBackend(tiny_vlm.model, tiny_vlm.mmproj, device="cpu", n_ctx=1024)
    try:
        seen = {}
        original = native._encode

        def keep(image, chunk):  # what llama.cpp's own projector gives for the same chunk
            pointer = original(image, chunk)
            n = mtmd.mtmd_input_chunk_get_n_tokens(chunk)
            seen["native"] = np.ctypeslib.as_array(ctypes.cast(pointer, ctypes.POINTER(ctypes.c_float)), (n, native._llama.n_embd())).copy()
            return pointer

        native._encode = keep
        native.generate(photo(0), chat_messages(), 1, SamplingOptions(max_new_tokens=1))
    finally:
        native.close()
    ours = hybrid.vision.encode(photo(0))
    assert ours.shape == seen["native"].shape
    scale = np.abs(seen["native"]).max()
    assert np.abs(ours - seen["native"]).max() < 0.02 * scale  # an f16 projector against a float32 graph


@pytest.mark.parametrize("size", [(112, 112), (84, 112), (112, 56)])
def test_any_grid_gives_the_embeddings_transformers_gives(tiny_vlm, hybrid, size):
    import torch
    from transformers import AutoModelForImageTextToText, AutoProcessor

    from geor.engine.inference.onnx_vision import pixel_values

    images = AutoProcessor.from_pretrained(tiny_vlm.checkpoint).image_processor
    model = AutoModelForImageTextToText.from_pretrained(tiny_vlm.checkpoint)
    picture = photo(5, size)
    # the tiny processor's budget is exactly 112 x 112: widen it so that it keeps every size as it is
    inputs = images(images=[picture.to_pil()], size={"shortest_edge": 28 * 28, "longest_edge": 256 * 256}, return_tensors="pt")
    assert inputs["image_grid_thw"][0].tolist() == [1, size[1] // 14, size[0] // 14]
    np.testing.assert_allclose(pixel_values(picture, hybrid.vision.config), inputs["pixel_values"].numpy(), atol=1e-5)
    with torch.no_grad():
        expected = model.model.visual(inputs["pixel_values"], grid_thw=inputs["image_grid_thw"]).pooler_output.numpy()
    got = hybrid.vision.encode(picture)
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() < 1e-4 * np.abs(expected).max() + 1e-5


def test_greedy_answers_match_transformers_token_for_token(tiny_vlm, hybrid):
    from geor.engine.inference.transformers_backend import TransformersBackend

    reference = TransformersBackend(tiny_vlm.checkpoint, device="cpu")
    for seed, size in enumerate([(112, 112), (84, 112), (112, 84), (120, 90)]):
        expected = reference.generate(photo(seed, size), chat_messages(), 1, GREEDY)[0]
        got = hybrid.generate(photo(seed, size), chat_messages(), 1, GREEDY)[0]
        assert got.tokens == expected.tokens and got.finished
        assert got.timings["vision"] > 0 and got.timings["image"] > got.timings["vision"]
    assert got.text.startswith("Country: Japan")


def test_the_int8_encoder_gives_the_same_answer(tiny_vlm, vision_graphs, hybrid):
    int8 = GgufBackend(tiny_vlm.model, tiny_vlm.mmproj, device="cpu", n_ctx=1024, vision_onnx=vision_graphs / "vision-int8.onnx",
                       vision_config=vision_graphs / "onnx_config.json")
    try:
        for seed in range(3):
            assert int8.generate(photo(seed), chat_messages(), 1, GREEDY)[0].text == hybrid.generate(photo(seed), chat_messages(), 1, GREEDY)[0].text
    finally:
        int8.close()


def test_a_fixed_size_or_damaged_graph_is_refused(tiny_vlm, vision_graphs, tmp_path):
    import json

    config = json.loads((vision_graphs / "onnx_config.json").read_text())
    (tmp_path / "onnx_config.json").write_text(json.dumps({k: v for k, v in config.items() if k != "any_size"}))
    (tmp_path / "vision.onnx").write_bytes((vision_graphs / "vision.onnx").read_bytes())
    with pytest.raises(BackendError, match="traced for one image size"):
        GgufBackend(tiny_vlm.model, tiny_vlm.mmproj, device="cpu", vision_onnx=tmp_path / "vision.onnx")
    (tmp_path / "onnx_config.json").write_text(json.dumps(config))
    (tmp_path / "vision.onnx").write_bytes(b"not a graph")
    with pytest.raises(BackendError, match="could not load the vision encoder"):
        GgufBackend(tiny_vlm.model, tiny_vlm.mmproj, device="cpu", vision_onnx=tmp_path / "vision.onnx")


def test_the_encoder_counts_in_the_memory_check(tiny_vlm, vision_graphs, monkeypatch):
    import geor.engine.inference.backend as backend_module

    needed = sum(p.stat().st_size for p in (tiny_vlm.model, tiny_vlm.mmproj))
    monkeypatch.setattr(backend_module, "available_memory_bytes", lambda: int(needed * 1.15))  # enough without the encoder
    GgufBackend(tiny_vlm.model, tiny_vlm.mmproj, device="cpu", n_ctx=512).close()
    with pytest.raises(BackendError, match="vision.onnx: needs about"):
        GgufBackend(tiny_vlm.model, tiny_vlm.mmproj, device="cpu", n_ctx=512, vision_onnx=vision_graphs / "vision.onnx")
