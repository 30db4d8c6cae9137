"""SFT and GRPO with LoRA run for each family Geo-R trains first (Qwen2.5-VL, Qwen3-VL), and the
merged checkpoint they write is a plain model the engine opens."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

for module in ("torch", "transformers", "trl", "peft"):
    pytest.importorskip(module, reason="the training tests need the train extra (make test installs it)")


def config_text(model, output_dir, trainer, extra=""):
    return f"""
model: {model}
output_dir: {output_dir}
image_max_pixels: 12544
dtype: float32
lora: {{r: 8, alpha: 16, dropout: 0.0}}
data:
  train: [{{csv: train.csv, images: photos}}]
  eval: [{{csv: eval.csv, images: photos}}]
  dedup_km: 0
{extra}trainer: {trainer}
"""


@pytest.mark.parametrize("family", ["qwen2.5-vl", "qwen3-vl"])
def test_lora_sft_then_grpo_and_the_engine_opens_the_result(tmp_path, family, geocoder):
    from safetensors.torch import load_file

    from geor.engine.inference.loader import open_backend, resolve
    from geor.engine.inference.predictor import PredictOptions, Predictor
    from geor.engine.models.manifest import ModelManifest
    from geor.training.config import load_config
    from geor.training.grpo import run_grpo
    from geor.training.random_models import build_checkpoint
    from geor.training.sft import run_sft
    from geor.training.synthetic import write_task

    write_task(tmp_path, per_city=2, csv_name="train.csv")
    write_task(tmp_path, per_city=1, seed=1, csv_name="eval.csv")
    build_checkpoint(family, tmp_path / "base", image_side=112)
    (tmp_path / "sft.yaml").write_text(config_text(
        "base", "runs/sft", "{max_steps: 6, per_device_train_batch_size: 4, learning_rate: 1.0e-2}"))
    final = run_sft(load_config(tmp_path / "sft.yaml"))

    assert not (final / "adapter_config.json").exists(), "LoRA is merged: the checkpoint is a plain model"
    manifest = ModelManifest.load(final)
    assert (manifest.family, manifest.format) == (family, "transformers")
    before, after = load_file(tmp_path / "base" / "model.safetensors"), load_file(final / "model.safetensors")
    q_proj = next(k for k in before if "q_proj.weight" in k and "visual" not in k)
    assert not (before[q_proj] == after[q_proj]).all(), "the merged LoRA changed the language model"
    vision = next(k for k in before if "visual" in k and k.endswith(".weight"))
    assert (before[vision] == after[vision]).all(), "LoRA adapts the language model only"

    (tmp_path / "grpo.yaml").write_text(config_text(
        "runs/sft/final", "runs/grpo",
        "{max_steps: 2, per_device_train_batch_size: 4, num_generations: 2, max_completion_length: 16, learning_rate: 1.0e-3}",
        extra="rewards: {coordinate: 1.0, format: 0.1, region: 0.2, consistency: 0.1}\n"))
    grpo_final = run_grpo(load_config(tmp_path / "grpo.yaml"))
    assert ModelManifest.load(grpo_final).source["stage"] == "grpo"

    backend = open_backend(resolve(grpo_final))
    try:
        prediction = Predictor(backend, geocoder, PredictOptions(max_new_tokens=16)).predict_path(tmp_path / "photos" / "c0_1_0000.jpg")
    finally:
        backend.close()
    assert prediction.status in ("ok", "unparsed") and prediction.samples and prediction.samples[0].text
