"""geor-export end to end on the tiny taught Qwen2.5-VL: every advertised format and quantisation
writes a folder the engine opens and runs, checked against the checkpoint; bad inputs fail early
and clearly, and a failed export leaves nothing behind."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow

for module in ("torch", "transformers", "llama_cpp", "onnxruntime"):
    pytest.importorskip(module, reason="the export tests need the export, gguf and onnx extras (make test installs them)")

from geor.export.cli import main  # noqa: E402


def predict(folder, photo):
    from geor.engine.geo.geocoder import Geocoder
    from geor.engine.geo.geocoder.default_location import default_pack_path
    from geor.engine.inference.loader import open_backend, resolve
    from geor.engine.inference.predictor import PredictOptions, Predictor

    backend = open_backend(resolve(folder))
    try:
        return Predictor(backend, Geocoder(default_pack_path()), PredictOptions(max_new_tokens=48)).predict_path(photo)
    finally:
        backend.close()


@pytest.fixture(scope="module")
def photo(tmp_path_factory):
    from PIL import Image

    path = tmp_path_factory.mktemp("photo") / "field.jpg"
    Image.new("RGB", (120, 90), (90, 160, 60)).save(path)
    return path


@pytest.mark.parametrize(("fmt", "quant", "label"), [
    ("gguf", "f16", "F16"), ("gguf", "q8", "Q8_0"), ("gguf", "q5", "Q5_K_M"), ("gguf", "q4", "Q4_K_M"),
    ("onnx", "fp32", "fp32"), ("onnx", "int8", "int8"), ("onnx", "int4", "int4"),
])
def test_every_format_exports_verifies_and_runs_in_the_engine(tiny_vlm, tmp_path, photo, capsys, fmt, quant, label):
    from geor.engine.models.manifest import ModelManifest, verify

    out = tmp_path / f"tiny-{fmt}-{quant}"
    own_photo = ["--verify-photo", str(photo)] if label == "F16" else []  # else generated pictures
    assert main([str(tiny_vlm.checkpoint), "--format", fmt, "--quant", quant, "--out", str(out), *own_photo]) == 0
    printed = capsys.readouterr().out
    manifest = ModelManifest.load(out)
    assert (manifest.family, manifest.format, manifest.quantization) == ("qwen2.5-vl", fmt, label)
    assert verify(manifest) == []  # sizes and SHA-256 match the files
    assert manifest.source["checkpoint"] == str(tiny_vlm.checkpoint.resolve())
    assert manifest.image_max_pixels and manifest.prompt_version == "cor-1"
    verification = manifest.source["verification"]
    if label in ("F16", "fp32"):  # lossless formats reproduce the checkpoint's greedy tokens exactly
        assert verification["identical"] == verification["photos"] == (1 if own_photo else 4)
        assert verification["token_agreement"] == 1.0
    assert "verification:" in printed and "% of tokens agree" in printed
    assert not list(tmp_path.glob(".*partial*")), "no staging folder left behind"
    if fmt == "gguf":
        assert {p.name for p in out.glob("*.gguf")} == {manifest.files["model"].path, manifest.files["mmproj"].path}
        # the image encoder for the CPU: lossless beside F16, int8 beside the quantised ones
        assert manifest.files["vision_onnx"].path == ("vision.onnx" if label == "F16" else "vision-int8.onnx")
        assert json.loads((out / "vision_config.json").read_text())["any_size"] is True

    prediction = predict(out, photo)
    assert prediction.status in ("ok", "unparsed")
    if label in ("F16", "fp32", "Q8_0"):  # the taught answer survives a lossless or 8-bit export
        assert (prediction.country, prediction.state) == ("Japan", "Hokkaido")


def test_lora_adapter_is_merged_into_its_base(tiny_vlm, tmp_path, capsys):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForImageTextToText

    from geor.engine.models.manifest import ModelManifest

    model = AutoModelForImageTextToText.from_pretrained(tiny_vlm.checkpoint, dtype=torch.float32)
    peft = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    adapter = tmp_path / "adapter"
    peft.save_pretrained(adapter)
    config = json.loads((adapter / "adapter_config.json").read_text())
    config["base_model_name_or_path"] = "Qwen/not-here"  # as a hub-trained adapter names its base
    (adapter / "adapter_config.json").write_text(json.dumps(config))

    assert main([str(adapter), "--quant", "f16", "--out", str(tmp_path / "no-base")]) == 1
    assert "is not a folder here" in capsys.readouterr().err and not (tmp_path / "no-base").exists()

    out = tmp_path / "merged-f16"
    assert main([str(adapter), "--base", str(tiny_vlm.checkpoint), "--quant", "f16", "--out", str(out)]) == 0
    manifest = ModelManifest.load(out)
    assert manifest.source["lora_base"] == str(tiny_vlm.checkpoint.resolve())
    assert manifest.source["verification"]["identical"] == 4  # against the merged model


def test_bad_inputs_fail_before_any_work(tiny_vlm, tmp_path, capsys, monkeypatch):
    import shutil
    from collections import namedtuple

    def error(args):
        assert main(args) == 1
        return capsys.readouterr().err

    assert "no such folder" in error([str(tmp_path / "nowhere")])
    (tmp_path / "empty").mkdir()
    assert "no config.json" in error([str(tmp_path / "empty")])
    pickled = tmp_path / "pickled"
    pickled.mkdir()
    (pickled / "config.json").write_text('{"model_type": "qwen2_5_vl"}')
    (pickled / "pytorch_model.bin").write_bytes(b"\x80\x04")
    assert "pickled weights, which Geo-R never loads" in error([str(pickled)])
    foreign = tmp_path / "foreign"
    shutil.copytree(tiny_vlm.checkpoint, foreign)
    (foreign / "config.json").write_text(json.dumps(json.loads((foreign / "config.json").read_text()) | {"model_type": "bert"}))
    assert "'bert' is not a family Geo-R knows" in error([str(foreign)])
    assert "not available for onnx" in error([str(tiny_vlm.checkpoint), "--format", "onnx", "--quant", "q4"])
    taken = tmp_path / "taken"
    taken.mkdir()
    assert "already exists" in error([str(tiny_vlm.checkpoint), "--out", str(taken)])

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr("geor.export.pipeline.shutil.disk_usage", lambda path: usage(10**9, 10**9 - 1000, 1000))
    assert "not enough disk space" in error([str(tiny_vlm.checkpoint), "--out", str(tmp_path / "full")])
    assert not (tmp_path / "full").exists()


def test_a_failed_export_leaves_no_folder(tiny_vlm, tmp_path, capsys, monkeypatch):
    from geor.export.llama_cpp_converter import ConverterError

    def broken(*args, **kwargs):
        raise ConverterError("llama.cpp's converter failed (exit 1): simulated")

    monkeypatch.setattr("geor.export.gguf_export.convert", broken)
    out = tmp_path / "out"
    assert main([str(tiny_vlm.checkpoint), "--out", str(out)]) == 1
    assert "simulated" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # neither the folder nor its staging copy


def test_eval_config_reports_the_change_in_the_metrics(tiny_vlm, tmp_path, capsys):
    pytest.importorskip("trl")
    from geor.engine.models.manifest import ModelManifest
    from geor.training.synthetic import write_task

    write_task(tmp_path, per_city=1, csv_name="eval.csv")
    config = tmp_path / "eval.yaml"
    config.write_text(f"""
model: {tiny_vlm.checkpoint}
output_dir: runs
image_max_pixels: 12544
data: {{eval: [{{csv: eval.csv, images: photos}}]}}
evaluation: {{max_new_tokens: 48}}
""")
    out = tmp_path / "f16"
    assert main([str(tiny_vlm.checkpoint), "--quant", "f16", "--out", str(out), "--eval-config", str(config)]) == 0
    printed = capsys.readouterr().out
    evaluation = ModelManifest.load(out).source["evaluation"]
    assert evaluation["photos"] == 8
    # the taught model answers Biei for every photo: far from the eight cities, and f16 changes nothing
    assert evaluation["checkpoint"]["median_km"] > 1000
    assert all(change == 0 for change in evaluation["change"].values())
    assert "evaluation on 8 photos (checkpoint -> export):" in printed and "median_km" in printed
    bad = tmp_path / "bad.yaml"
    bad.write_text("model: m\n")
    assert main([str(tiny_vlm.checkpoint), "--out", str(tmp_path / "x"), "--eval-config", str(bad)]) == 1
    assert "'output_dir' is required" in capsys.readouterr().err and not (tmp_path / "x").exists()
