"""``geor-train sft CONFIG``: supervised fine-tuning on Chain-of-Region targets (TRL's SFTTrainer).

The loss covers the answer only (prompt-completion rows); LoRA when the config has a ``lora``
section, else a full fine-tune (vision tower frozen unless ``freeze_vision: false``).
"""

from __future__ import annotations

from pathlib import Path

from .checkpoints import load_for_training, peft_config
from .config import TrainConfig
from .data import open_geocoder, prepare
from .runs import run_trainer, trainer_arguments
from .supervision import ChainRows

SFT_DEFAULTS = {"max_length": None, "learning_rate": 1e-5, "num_train_epochs": 1, "per_device_train_batch_size": 1}


def run_sft(config: TrainConfig, restart: bool = False) -> Path:
    from trl import SFTConfig, SFTTrainer

    data = prepare(config, open_geocoder(config))
    print("data: " + "; ".join(data.summary["read"]) + f"; train {data.summary['train']:,}, eval {data.summary['eval']:,}")
    args = trainer_arguments(SFTConfig, config, SFT_DEFAULTS)
    model, processor = load_for_training(config)
    rows = ChainRows(data.train, with_completion=True, max_pixels=config.image_max_pixels, prompt_version=config.prompt_version)
    eval_dataset = None
    if data.eval and args.eval_strategy != "no":
        eval_dataset = ChainRows(data.eval, True, config.image_max_pixels, config.prompt_version).dataset()
    trainer = SFTTrainer(model=model, args=args, train_dataset=rows.dataset(), eval_dataset=eval_dataset,
                         processing_class=processor, peft_config=peft_config(config))
    final = run_trainer(trainer, config, "sft", data.summary, restart)
    if rows.bad_images:
        print(f"skipped {len(rows.bad_images)} photos that could not be decoded (logged above)")
    return final
