"""Launch commands for the scales a single process cannot reach: several GPUs (accelerate, with
DeepSpeed ZeRO-2 or ZeRO-3), GRPO rollouts served by vLLM (TRL's ``use_vllm``) and an evaluation
split between processes. They print, not run: the user starts them on the GPU box, where they can be
read, edited and scheduled. The multi-gpu commands are the ones the test suite runs on two CPU
processes (tests/training/test_distributed.py).

The accelerate configs ship in ``geor/training/configs/accelerate``.
"""

from __future__ import annotations

import shlex
from importlib.resources import files
from pathlib import Path

from geor.engine.errors import BadOption

from .config import TrainConfig

SCALES = ("single", "multi-gpu", "zero2", "zero3")
STAGES = ("sft", "grpo", "eval")


def accelerate_config(scale: str) -> Path:
    if scale not in SCALES[1:]:
        raise BadOption(f"scale must be one of {', '.join(SCALES)}, not {scale!r}")
    return Path(str(files("geor.training") / "configs" / "accelerate" / f"{scale}.yaml"))


def launch_commands(stage: str, config: TrainConfig, scale: str = "single", gpus: int = 1) -> list[list[str]]:
    """The commands to run, in order: a vLLM server first when the config asks for server-mode rollouts."""
    if stage not in STAGES:
        raise BadOption(f"stage must be {', '.join(STAGES)}, not {stage!r}")
    if gpus < 1:
        raise BadOption("gpus must be at least 1")
    commands = []
    trainer = config.trainer
    training_gpus = gpus
    if stage == "grpo" and trainer.get("use_vllm") and trainer.get("vllm_mode", "colocate") == "server":
        if gpus < 2:
            raise BadOption("vLLM server mode needs one GPU for the server and at least one for training (--gpus 2 or more)")
        server_gpu = str(gpus - 1)
        commands.append(["env", f"CUDA_VISIBLE_DEVICES={server_gpu}", "trl", "vllm-serve", "--model", config.model_reference()])
        training_gpus = gpus - 1
    run = ["-m", "geor.training.cli", stage, str(config.path)]
    if scale == "single":
        if training_gpus != 1:
            raise BadOption("the single scale trains on one GPU; use multi-gpu, zero2 or zero3 for more")
        commands.append(["python", *run])
    else:
        visible = ",".join(str(i) for i in range(training_gpus))
        commands.append([
            "env", f"CUDA_VISIBLE_DEVICES={visible}", "accelerate", "launch", "--config_file", str(accelerate_config(scale)),
            "--num_processes", str(training_gpus), *run,
        ])
    return commands


def format_commands(commands: list[list[str]]) -> str:
    lines = [shlex.join(c) for c in commands]
    if len(lines) > 1:
        lines[0] += "   # in its own terminal; wait for 'Application startup complete'"
    return "\n".join(lines)
