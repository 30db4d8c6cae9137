"""The shipped configs load, build TRL's argument classes, and give well-formed launch commands.
(They cannot run here: no GPU, no DeepSpeed, no vLLM, no datasets.)"""

import shlex
from importlib.resources import files
from pathlib import Path

import pytest

from geor.training.config import ConfigError, load_config
from geor.training.launch import format_commands, launch_commands

CONFIGS = sorted(Path(str(files("geor.training") / "configs")).glob("*.yaml"))


def test_configs_ship_with_the_package():
    names = {p.name for p in CONFIGS}
    assert {"qwen2.5-vl-3b-sft.yaml", "qwen2.5-vl-3b-grpo.yaml", "qwen2.5-vl-3b-grpo-vllm.yaml", "qwen3-vl-8b-sft-zero3.yaml"} <= names
    accelerate = {p.name for p in (CONFIGS[0].parent / "accelerate").glob("*.yaml")}
    assert accelerate == {"multi-gpu.yaml", "zero2.yaml", "zero3.yaml"}


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_every_shipped_config_loads_and_builds_its_trainer_arguments(path):
    pytest.importorskip("trl")
    from trl import GRPOConfig, SFTConfig

    from geor.training.grpo import GRPO_DEFAULTS
    from geor.training.rewards import reward_functions
    from geor.training.runs import trainer_arguments
    from geor.training.sft import SFT_DEFAULTS

    config = load_config(path)
    assert config.output_dir.is_absolute()
    assert all(Path(s.get("csv") or s["photos"]).is_absolute() for s in config.data.train + config.data.eval)
    if "grpo" in path.name:
        _, weights = reward_functions({k: v for k, v in config.rewards.items() if k != "consistency"})
        args = trainer_arguments(GRPOConfig, config, GRPO_DEFAULTS | {"reward_weights": weights})
        assert args.num_generations >= 2
        assert args.per_device_train_batch_size * args.gradient_accumulation_steps % args.num_generations == 0
    elif config.data.train:
        args = trainer_arguments(SFTConfig, config, SFT_DEFAULTS)
    else:
        return  # evaluation-only config
    assert args.output_dir == str(config.output_dir)
    assert args.remove_unused_columns is False
    assert args.bf16 is False  # no GPU here: bf16 is switched on only where one exists


@pytest.mark.parametrize(("config_name", "stage", "scale", "gpus"), [
    ("qwen2.5-vl-3b-sft.yaml", "sft", "single", 1),
    ("qwen2.5-vl-3b-sft.yaml", "sft", "multi-gpu", 4),
    ("qwen2.5-vl-3b-grpo.yaml", "grpo", "zero2", 8),
    ("qwen3-vl-8b-sft-zero3.yaml", "sft", "zero3", 8),
    ("qwen2.5-vl-3b-grpo-vllm.yaml", "grpo", "multi-gpu", 4),
])
def test_launch_commands_parse_with_accelerates_own_parser(config_name, stage, scale, gpus):
    accelerate = pytest.importorskip("accelerate.commands.launch")
    from accelerate.commands.config.config_args import load_config_from_file

    from geor.training.cli import build_parser

    config = load_config(CONFIGS[0].parent / config_name)
    commands = launch_commands(stage, config, scale, gpus)
    training = commands[-1]
    if scale == "single":
        assert training[:3] == ["python", "-m", "geor.training.cli"]
        cli_args = training[3:]
    else:
        assert training[0] == "env" and training[1] == f"CUDA_VISIBLE_DEVICES={','.join(map(str, range(len(training[1].split('=')[1].split(',')))))}"
        assert training[2:4] == ["accelerate", "launch"]
        parsed = accelerate.launch_command_parser().parse_args(training[4:])
        assert parsed.module and parsed.training_script == "geor.training.cli"
        assert Path(parsed.config_file).is_file()
        cluster = load_config_from_file(parsed.config_file)
        if scale.startswith("zero"):
            assert cluster.deepspeed_config["zero_stage"] == int(scale[-1])
        cli_args = parsed.training_script_args
    args = build_parser().parse_args(cli_args)
    assert args.command == stage and args.config == config.path
    if "vllm" in config_name:
        server = commands[0]
        assert server[1] == f"CUDA_VISIBLE_DEVICES={gpus - 1}" and server[2:4] == ["trl", "vllm-serve"]
        assert training[1] == "CUDA_VISIBLE_DEVICES=" + ",".join(str(i) for i in range(gpus - 1))
    assert all(shlex.split(line.split("   #")[0]) for line in format_commands(commands).splitlines())


def test_launch_refuses_impossible_layouts():
    config = load_config(CONFIGS[0].parent / "qwen2.5-vl-3b-grpo-vllm.yaml")
    with pytest.raises(ValueError, match="vLLM server mode needs"):
        launch_commands("grpo", config, "multi-gpu", 1)
    with pytest.raises(ValueError, match="single scale"):
        launch_commands("sft", load_config(CONFIGS[0].parent / "qwen2.5-vl-3b-sft.yaml"), "single", 2)


def write(tmp_path, text):
    path = tmp_path / "run.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "message"), [
    ("model: m\noutput_dir: o\nlearning_rate: 1\n", "unknown setting 'learning_rate'"),
    ("model: m\noutput_dir: o\ndata: {train: [{csv: a.csv}]}\n", "needs 'photos: FOLDER', or 'csv: FILE' and 'images: FOLDER'"),
    ("model: m\noutput_dir: o\ndata: {train: [{csv: a.csv, images: i, colour: red}]}\n", "unknown setting 'colour'"),
    ("model: m\noutput_dir: o\nrewards: {distance: 1}\n", "unknown reward 'distance'"),
    ("model: m\noutput_dir: o\nlora: {rank: 8}\n", "lora: unknown setting 'rank'"),
    ("model: m\noutput_dir: o\ntrainer: {output_dir: x}\n", "not under trainer"),
    ("output_dir: o\n", "'model' is required"),
    ("model: m\noutput_dir: o\ndtype: int8\n", "dtype must be"),
    ("model: m\noutput_dir: o\nprompt_version: cor-9\n", "prompt_version 'cor-9' is unknown"),
    ("model: [unclosed\n", "not valid YAML"),
    ("- a list\n", "expected a mapping"),
])
def test_config_errors_name_the_file_and_the_key(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as caught:
        load_config(path)
    assert str(path) in str(caught.value)


def test_relative_paths_are_relative_to_the_config(tmp_path):
    (tmp_path / "base").mkdir()
    config = load_config(write(tmp_path, "model: base\noutput_dir: runs/x\ndata: {train: [{photos: lib}]}\n"))
    assert config.output_dir == tmp_path / "runs/x"
    assert config.data.train == [{"photos": str(tmp_path / "lib")}]
    assert config.model_reference() == str(tmp_path / "base")
    hub = load_config(write(tmp_path, "model: Qwen/Qwen2.5-VL-3B-Instruct\noutput_dir: o\n"))
    assert hub.model_reference() == "Qwen/Qwen2.5-VL-3B-Instruct"


def test_unknown_trainer_option_is_a_clear_error(tmp_path):
    pytest.importorskip("trl")
    from trl import SFTConfig

    from geor.training.runs import trainer_arguments

    config = load_config(write(tmp_path, "model: m\noutput_dir: o\ntrainer: {learning_rat: 0.1}\n"))
    with pytest.raises(Exception, match="trainer: .*learning_rat"):
        trainer_arguments(SFTConfig, config, {})
