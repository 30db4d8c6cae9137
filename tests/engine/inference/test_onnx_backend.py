"""The onnxruntime backend on the tiny model exported to ONNX: each NumPy piece matches the
transformers processor and model, and greedy answers match token for token."""

import numpy as np
import pytest
from PIL import Image

from geor.engine.cor import chat_messages
from geor.engine.inference.backend import BackendError, SamplingOptions
from geor.engine.inference.images import from_pil
from geor.engine.inference.loader import open_backend, resolve
from geor.engine.models.manifest import ModelManifest


@pytest.fixture(scope="module")
def onnx_model(tiny_vlm, tmp_path_factory):
    pytest.importorskip("onnxruntime")
    from geor.export.onnx_export import export_onnx

    folder = tmp_path_factory.mktemp("onnx")
    export_onnx(tiny_vlm.checkpoint, folder)
    return folder


@pytest.fixture(scope="module")
def backend(onnx_model):
    spec = resolve(onnx_model)
    assert spec.format == "onnx"
    return open_backend(spec, device="cpu")


@pytest.fixture(scope="module")
def hf(tiny_vlm):
    from transformers import AutoModelForImageTextToText, AutoProcessor

    return AutoProcessor.from_pretrained(tiny_vlm.checkpoint), AutoModelForImageTextToText.from_pretrained(tiny_vlm.checkpoint)


def image(seed=0):
    return from_pil(Image.fromarray((np.random.default_rng(seed).random((112, 112, 3)) * 255).astype("uint8")))


def test_pixels_tokens_and_positions_match_transformers(backend, hf):
    processor, model = hf
    picture = image()
    text = processor.apply_chat_template(chat_messages(), add_generation_prompt=True, tokenize=False)
    inputs = processor(text=[text], images=[picture.to_pil()], return_tensors="pt")
    np.testing.assert_allclose(backend.pixel_values(picture), inputs["pixel_values"].numpy(), atol=1e-5)
    ids, positions, _ = backend.prompt(chat_messages())
    assert ids.tolist() == inputs["input_ids"][0].tolist()
    expected, _ = model.model.get_rope_index(inputs["input_ids"], inputs["mm_token_type_ids"], inputs["image_grid_thw"])
    assert positions.tolist() == expected[:, 0].tolist()


def test_greedy_answer_matches_transformers(backend, tiny_vlm):
    from geor.engine.inference.transformers_backend import TransformersBackend

    reference = TransformersBackend(tiny_vlm.checkpoint, device="cpu")
    options = SamplingOptions(max_new_tokens=64)
    for seed in range(2):
        expected = reference.generate(image(seed), chat_messages(), 1, options)[0]
        got = backend.generate(image(seed), chat_messages(), 1, options)[0]
        assert got.tokens == expected.tokens and got.finished
    assert got.text.startswith("Country: Japan")


def test_sampling_is_seeded(backend):
    hot = SamplingOptions(max_new_tokens=8, temperature=3.0, top_p=1.0, seed=4)
    first = [g.tokens for g in backend.generate(image(3), chat_messages(), 3, hot)]
    assert first == [g.tokens for g in backend.generate(image(3), chat_messages(), 3, hot)]
    assert len({tuple(t) for t in first}) > 1


def test_manifest_and_errors(onnx_model, tmp_path):
    manifest = ModelManifest.load(onnx_model)
    assert manifest.format == "onnx" and manifest.image_max_pixels == 112 * 112
    assert manifest.source["decoder_check_max_abs"] < 1e-3
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(onnx_model, broken)
    (broken / "decoder.onnx").write_bytes(b"not a graph")
    with pytest.raises(BackendError, match="onnxruntime could not load"):
        open_backend(resolve(broken), device="cpu")
    (broken / "decoder.onnx").unlink()
    with pytest.raises(BackendError, match="missing from the ONNX model folder"):
        open_backend(resolve(broken), device="cpu")
    import onnxruntime

    if "CUDAExecutionProvider" not in onnxruntime.get_available_providers():
        with pytest.raises(BackendError, match="no CUDA execution provider"):
            open_backend(resolve(onnx_model), device="cuda")
