"""``geor-train``: the research side's command-line tool.

    geor-train sft CONFIG            supervised fine-tuning on Chain-of-Region targets
    geor-train grpo CONFIG           GRPO with Haversine rewards, from an SFT checkpoint
    geor-train eval CONFIG           any engine model over an evaluation set: report + error map
    geor-train hard-samples PREDICTIONS.csv --out hard.csv
                                     the paper's hard-sample subset for GRPO
    geor-train launch STAGE CONFIG --scale zero3 --gpus 8
                                     the commands for several GPUs / vLLM rollouts / a split evaluation
    geor-train synthetic FOLDER      a synthetic task, a tiny model and configs to try it all on
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from geor.engine import __version__
from geor.engine.cli import OneLineParser, run_command
from geor.engine.errors import RESUME_HINT


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="geor-train", description="Geo-R training: Chain-of-Region SFT, GRPO, evaluation.")
    parser.add_argument("--version", action="version", version=f"geor-train {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the traceback of unexpected errors")
    parser.set_defaults(interrupted_hint=RESUME_HINT)  # sft, grpo and eval resume where they stopped
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)

    for name, text in (("sft", "supervised fine-tuning on Chain-of-Region targets (TRL SFTTrainer)"),
                       ("grpo", "reinforcement learning with Haversine rewards (TRL GRPOTrainer)")):
        command = commands.add_parser(name, help=text, description=text)
        command.add_argument("config", type=Path, help="YAML config (see geor/training/configs)")
        command.add_argument("--restart", action="store_true", help="ignore the checkpoints of an interrupted run instead of resuming")
        command.set_defaults(handler=_train)

    command = commands.add_parser("eval", help="evaluate a model (checkpoint, GGUF or ONNX) on the config's evaluation set")
    command.add_argument("config", type=Path)
    command.add_argument("--model", help="model to evaluate (default: the config's evaluation.model, else OUTPUT_DIR/final)")
    command.add_argument("--out", type=Path, help="folder for the report (default: OUTPUT_DIR/<evaluation.out>)")
    command.add_argument("--restart", action="store_true", help="evaluate every photo again instead of resuming")
    command.set_defaults(handler=_eval)

    command = commands.add_parser("hard-samples", help="the hard-sample subset for GRPO from an evaluation's predictions")
    command.add_argument("predictions", type=Path, help="predictions.csv written by geor-train eval on the training pool")
    command.add_argument("--out", type=Path, required=True, help="CSV to write (MP16 layout, absolute image paths)")
    command.add_argument("--correct-km", type=float, default=None, help="an answer this close is right (default 25)")
    command.add_argument("--exclusion-km", type=float, default=None, help="drop wrong samples this close to a right one (default 200)")
    command.set_defaults(handler=_hard_samples)

    command = commands.add_parser("launch", help="print the commands for several GPUs, vLLM-served rollouts or a split evaluation")
    command.add_argument("stage", choices=("sft", "grpo", "eval"))
    command.add_argument("config", type=Path)
    command.add_argument("--scale", choices=("single", "multi-gpu", "zero2", "zero3"), default="single")
    command.add_argument("--gpus", type=int, default=1)
    command.set_defaults(handler=_launch)

    command = commands.add_parser("synthetic", help="write a synthetic task, a tiny random model and configs for a first run")
    command.add_argument("folder", type=Path)
    command.add_argument("--per-city", type=int, default=24, help="training photos per city (default 24)")
    command.set_defaults(handler=_synthetic)
    return parser


def _train(args: argparse.Namespace) -> int:
    from .config import load_config

    config = load_config(args.config)
    if args.command == "sft":
        from .sft import run_sft

        final = run_sft(config, restart=args.restart)
    else:
        from .grpo import run_grpo

        final = run_grpo(config, restart=args.restart)
    print(f"wrote {final}")
    return 0


def _eval(args: argparse.Namespace) -> int:
    from .config import load_config
    from .evaluation import format_report, run_eval

    result = run_eval(load_config(args.config), model=args.model, out=args.out, restart=args.restart)
    print(format_report(result.report))
    print(f"wrote {result.folder}/report.md, report.json, predictions.csv, errors.png")
    return 0


def _hard_samples(args: argparse.Namespace) -> int:
    from .hard_samples import DEFAULT_CORRECT_KM, DEFAULT_EXCLUSION_KM, write_hard_samples

    selection = write_hard_samples(args.predictions, args.out, args.correct_km if args.correct_km is not None else DEFAULT_CORRECT_KM,
                                   args.exclusion_km if args.exclusion_km is not None else DEFAULT_EXCLUSION_KM)
    print(f"{selection.right:,} right, {selection.wrong:,} wrong, {selection.dropped_near_right:,} wrong ones dropped near a right one: "
          f"wrote {len(selection.hard):,} hard samples to {args.out}")
    return 0


def _launch(args: argparse.Namespace) -> int:
    from .config import load_config
    from .launch import format_commands, launch_commands

    print(format_commands(launch_commands(args.stage, load_config(args.config), args.scale, args.gpus)))
    return 0


def _synthetic(args: argparse.Namespace) -> int:
    from .synthetic import write_starter

    for path in write_starter(args.folder, per_city=args.per_city):
        print(f"wrote {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(build_parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
