"""``geor-train grpo CONFIG``: reinforcement learning with Haversine rewards (TRL's GRPOTrainer).

The model is usually an SFT run's ``final`` folder. Rewards and their weights come from the
config's ``rewards`` section (:mod:`geor.training.rewards`); TRL logs each one separately.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from .checkpoints import load_for_training, peft_config
from .config import TrainConfig
from .data import open_geocoder, prepare
from .rewards import reward_functions
from .runs import run_trainer, trainer_arguments
from .supervision import ChainRows

GRPO_DEFAULTS = {
    "learning_rate": 1e-6, "num_generations": 8, "per_device_train_batch_size": 8, "max_completion_length": 256,
    "temperature": 0.7, "beta": 0.0, "mask_truncated_completions": True, "log_completions": False,
}


def run_grpo(config: TrainConfig, restart: bool = False) -> Path:
    from trl import GRPOConfig, GRPOTrainer

    geocoder = open_geocoder(config)
    data = prepare(config, geocoder)
    print("data: " + "; ".join(data.summary["read"]) + f"; train {data.summary['train']:,}")
    functions, weights = reward_functions(config.rewards, geocoder)
    args = trainer_arguments(GRPOConfig, config, GRPO_DEFAULTS | {"reward_weights": weights})
    model, processor = load_for_training(config)
    rows = ChainRows(data.train, with_completion=False, max_pixels=config.image_max_pixels, prompt_version=config.prompt_version)
    # list[...list[float]] is not a list[...list[float | None]] to mypy (lists are invariant); trl takes ours as they are
    trainer = GRPOTrainer(model=model, args=args, reward_funcs=cast(list[Any], functions), train_dataset=rows.dataset(),
                          processing_class=processor, peft_config=peft_config(config))
    data.summary["rewards"] = config.rewards
    return run_trainer(trainer, config, "grpo", data.summary, restart)
