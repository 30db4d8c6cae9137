"""What SFT and GRPO runs share: the TRL arguments from a config, resuming, timing, the summary."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from geor.engine.errors import UserError

from .checkpoints import FINAL, save_final, write_json
from .config import TrainConfig

SUMMARY = "run-summary.json"


def trainer_arguments(cls: type, config: TrainConfig, defaults: dict[str, Any]) -> Any:
    """TRL's config class built from the config's ``trainer`` section over Geo-R's defaults."""
    import torch

    on_gpu = torch.cuda.is_available()
    base: dict[str, Any] = {
        "output_dir": str(config.output_dir),
        "report_to": [],
        "remove_unused_columns": False,  # the rows carry images and the truth the rewards read
        "bf16": on_gpu and config.dtype == "bfloat16",
        "use_cpu": not on_gpu,
        "save_total_limit": 2,
        "logging_steps": 10,
    }
    arguments = base | defaults | config.trainer
    try:
        return cls(**arguments)
    except TypeError as exc:
        raise UserError(f"{config.path}: trainer: {exc} (see TRL's {cls.__name__})") from None
    except ValueError as exc:
        raise UserError(f"{config.path}: trainer: {exc}") from None


def last_checkpoint(output_dir: Path) -> str | None:
    from transformers.trainer_utils import get_last_checkpoint

    return get_last_checkpoint(str(output_dir)) if output_dir.is_dir() else None


def run_trainer(trainer: Any, config: TrainConfig, stage: str, summary: dict[str, Any], restart: bool = False) -> Path:
    """Train (resuming from the newest checkpoint of an interrupted run), save ``final``, write the summary.

    Under ``accelerate launch`` every process trains on its own share of the data (the trainer's
    distributed sampler); only the main process writes ``final`` and the summary, and the others
    wait for it, so every process returns once ``final`` is complete."""
    accelerator = trainer.accelerator
    resume = None if restart else last_checkpoint(config.output_dir)
    if resume and accelerator.is_main_process:
        print(f"resuming from {resume}")
    started = time.perf_counter()
    result = trainer.train(resume_from_checkpoint=resume)
    seconds = time.perf_counter() - started
    steps = max(1, int(trainer.state.global_step))
    final = config.output_dir / FINAL
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        save_final(trainer.model, trainer.processing_class, config, stage,
                   extra={"train_samples": summary.get("train"), "steps": steps, "processes": accelerator.num_processes})
        plugin = accelerator.state.deepspeed_plugin
        summary |= {
            "stage": stage, "final": str(final), "steps": steps, "processes": accelerator.num_processes,
            "distributed_type": str(accelerator.distributed_type.value), "zero_stage": plugin.zero_stage if plugin else None,
            "seconds": round(seconds, 2), "seconds_per_step": round(seconds / steps, 4), "train_loss": result.training_loss,
            "log": trainer.state.log_history,
        }
        write_json(config.output_dir / SUMMARY, summary)
    accelerator.wait_for_everyone()
    return final
