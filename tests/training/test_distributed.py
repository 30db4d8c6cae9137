"""The multi-GPU paths, run for real on two CPU processes: the commands ``geor-train launch --scale
multi-gpu --gpus 2`` prints (the shipped accelerate config, the same entry point), with gloo as the
backend. Both processes train on their own share of the data, only the main process writes ``final``
and the summary, an interrupted run resumes under two processes, and an evaluation split between the
processes gives the single process's predictions."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.distributed]

for module in ("torch", "transformers", "trl", "peft", "accelerate"):
    pytest.importorskip(module, reason="the training tests need the train extra (make test installs it)")


def launched(stage: str, config_path: Path, *extra: str, scale: str = "multi-gpu", timeout: int = 900) -> subprocess.CompletedProcess[str]:
    """Run what ``geor-train launch STAGE CONFIG --scale SCALE --gpus 2`` prints, on CPUs."""
    from geor.training.config import load_config
    from geor.training.launch import launch_commands

    command = launch_commands(stage, load_config(config_path), scale, 2)[-1]
    assert command[:5] == ["env", "CUDA_VISIBLE_DEVICES=0,1", "accelerate", "launch", "--config_file"]
    accelerate = shutil.which("accelerate", path=str(Path(sys.executable).parent))
    # the config asks for bf16 on GPUs; these CPUs train in float32 as the single-process tests do
    argv = [accelerate, "launch", "--mixed_precision", "no", *command[4:], *extra]
    env = os.environ | {"OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
    result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env, cwd=config_path.parent)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
    return result


@pytest.fixture(scope="module")
def starter(tmp_path_factory):
    from geor.training.synthetic import write_starter

    folder = tmp_path_factory.mktemp("starter")
    write_starter(folder, per_city=24)
    # the single-process test's global batch of 8, as 4 on each of two processes
    text = (folder / "sft.yaml").read_text(encoding="utf-8").replace("per_device_train_batch_size: 8", "per_device_train_batch_size: 4")
    (folder / "sft2.yaml").write_text(text.replace("runs/sft", "runs/sft2"), encoding="utf-8")
    return folder


def test_sft_on_two_processes_learns_and_only_the_main_process_writes(starter):
    from geor.engine.models.manifest import ModelManifest
    from geor.training.config import load_config
    from geor.training.evaluation import run_eval

    config = load_config(starter / "sft2.yaml")
    before = run_eval(config, model=str(starter / "base-model"), out=starter / "eval-base").report
    result = launched("sft", starter / "sft2.yaml")
    assert result.stdout.count("wrote ") == 2  # both processes return the same final folder
    final = config.output_dir / "final"
    manifest = ModelManifest.load(final)
    assert manifest.source["processes"] == 2 and manifest.source["steps"] == 160
    summary = json.loads((config.output_dir / "run-summary.json").read_text())
    assert summary["processes"] == 2 and summary["steps"] == 160
    assert not list(config.output_dir.glob(".final*")), "no staging folder is left behind"
    # each step took 4 photos on each process: 160 steps saw 1,280 photo-steps of the 192 photos,
    # i.e. the two processes drew disjoint shares (a duplicated share would still be 640 per process)
    epochs = [entry["epoch"] for entry in summary["log"] if "epoch" in entry]
    assert epochs and max(epochs) == pytest.approx(160 * 8 / 192, rel=0.05)
    after = run_eval(config).report  # the merged result loads in the engine and answers
    assert before["metrics"]["mean_km"] > 10_000
    assert after["parse_failure_rate"] <= 0.05 and after["metrics"]["median_km"] < 1.0 and after["metrics"]["acc_25km"] >= 0.9


def test_evaluation_split_between_two_processes_equals_one_process(starter):
    from geor.training.config import load_config
    from geor.training.evaluation import run_eval

    config = load_config(starter / "sft2.yaml")
    if not (config.output_dir / "final").is_dir():
        pytest.skip("needs the two-process SFT test's checkpoint")
    single = run_eval(config, out=starter / "eval-one").report
    launched("eval", starter / "sft2.yaml", "--out", str(starter / "eval-two"))
    two = json.loads((starter / "eval-two" / "report.json").read_text())
    assert not list((starter / "eval-two").glob("predictions.part-*"))

    def rows(folder: Path) -> list[dict[str, str]]:
        with (folder / "predictions.csv").open(newline="", encoding="utf-8") as handle:
            return [{k: v for k, v in r.items() if k != "seconds"} for r in csv.DictReader(handle)]

    assert rows(starter / "eval-two") == rows(starter / "eval-one")
    assert {k: v for k, v in two.items() if k != "seconds_per_photo"} == {k: v for k, v in single.items() if k != "seconds_per_photo"}

    # interrupted: the merged file holds 40 photos, one process's share file 3 more (and a torn line);
    # the next run on two processes merges them and evaluates only the other 5
    folder = starter / "eval-two"
    with (folder / "predictions.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields, done = reader.fieldnames, list(reader)

    def write(path: Path, records: list[dict[str, str]], tail: str = "") -> None:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(records)
            handle.write(tail)

    write(folder / "predictions.csv", done[:40])
    write(folder / "predictions.part-1.csv", done[40:43], tail=done[43]["id"] + ",/torn")
    result = launched("eval", starter / "sft2.yaml", "--out", str(folder))
    assert "resuming: 43 photos already evaluated" in result.stdout
    assert result.stdout.count("evaluated ") - result.stdout.count("already evaluated") == 2  # 3 + 2 photos, one line each
    assert rows(folder) == rows(starter / "eval-one")
    assert not list(folder.glob("predictions.part-*"))


def test_an_interrupted_run_resumes_under_two_processes(starter):
    from geor.training.config import load_config

    text = (starter / "sft2.yaml").read_text(encoding="utf-8")
    text = text.replace("runs/sft2", "runs/resume2").replace("max_steps: 160", "max_steps: 4").replace("save_steps: 80", "save_steps: 2")
    (starter / "resume2.yaml").write_text(text, encoding="utf-8")
    config = load_config(starter / "resume2.yaml")
    launched("sft", starter / "resume2.yaml")
    # as if killed after step 2: the final folder and the last checkpoint are gone
    shutil.rmtree(config.output_dir / "final")
    shutil.rmtree(config.output_dir / "checkpoint-4")
    result = launched("sft", starter / "resume2.yaml")
    assert result.stdout.count("resuming from") == 1 and "checkpoint-2" in result.stdout  # said once, by the main process
    assert json.loads((config.output_dir / "run-summary.json").read_text())["steps"] == 4
    assert (config.output_dir / "final" / "geor-model.json").is_file()


def test_grpo_on_two_processes_scores_each_share_and_writes_once(starter):
    """GRPO's rollouts and Haversine rewards under two processes (each scores its own prompts; TRL
    gathers the rewards for the group advantages), from the two-process SFT model. Only the mechanics:
    GRPO's learning is shown by the single-process test (100 steps; at 9 s a step on two CPU
    processes it would take 15 minutes here)."""
    from geor.engine.models.manifest import ModelManifest
    from geor.training.config import load_config

    if not (starter / "runs" / "sft2" / "final").is_dir():
        pytest.skip("needs the two-process SFT test's checkpoint")
    text = (starter / "grpo.yaml").read_text(encoding="utf-8")
    text = text.replace("runs/ambiguous-sft/final", "runs/sft2/final").replace("runs/grpo", "runs/grpo2")
    text = text.replace("max_steps: 100", "max_steps: 2, logging_steps: 1").replace("per_device_train_batch_size: 32", "per_device_train_batch_size: 8")
    (starter / "grpo2.yaml").write_text(text, encoding="utf-8")
    config = load_config(starter / "grpo2.yaml")
    result = launched("grpo", starter / "grpo2.yaml")
    assert result.stdout.count("wrote ") == 2
    summary = json.loads((config.output_dir / "run-summary.json").read_text())
    assert (summary["processes"], summary["steps"]) == (2, 2)
    logged = [entry for entry in summary["log"] if "rewards/coordinate_reward/mean" in entry]
    assert len(logged) == 2 and all("rewards/format_reward/mean" in entry and "rewards/region_reward/mean" in entry for entry in logged)
    # the SFT model places the photos: its rollouts earn most of the coordinate reward on both shares
    assert all(entry["rewards/coordinate_reward/mean"] > 0.5 for entry in logged)
    assert ModelManifest.load(config.output_dir / "final").source["stage"] == "grpo"


def test_deepspeed_zero2_on_two_cpu_processes(starter):
    """The shipped ZeRO-2 config through DeepSpeed's CPU accelerator (its shared-memory collectives
    are compiled on first use): optimiser state and gradients sharded over the two processes."""
    pytest.importorskip("deepspeed")
    from geor.engine.models.manifest import ModelManifest
    from geor.training.config import load_config

    text = (starter / "sft2.yaml").read_text(encoding="utf-8")
    text = text.replace("runs/sft2", "runs/zero2").replace("max_steps: 160", "max_steps: 4").replace("save_steps: 80", "save_steps: 4")
    (starter / "zero2.yaml").write_text(text, encoding="utf-8")
    config = load_config(starter / "zero2.yaml")
    launched("sft", starter / "zero2.yaml", scale="zero2")
    summary = json.loads((config.output_dir / "run-summary.json").read_text())
    assert (summary["distributed_type"], summary["zero_stage"], summary["processes"], summary["steps"]) == ("DEEPSPEED", 2, 2, 4)
    assert ModelManifest.load(config.output_dir / "final").source["steps"] == 4
