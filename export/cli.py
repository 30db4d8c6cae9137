"""``geor-export CHECKPOINT [--format gguf|onnx] [--quant ...]``: a trained checkpoint (or a LoRA
adapter) -> a model folder the engine loads directly, verified against the checkpoint.

    geor-export runs/grpo/final --quant q4                 # GGUF Q4_K_M + Q8_0 projector
    geor-export runs/grpo/final --quant f16 --out models/geo-r-f16
    geor-export runs/lora-adapter --base Qwen2.5-VL-3B-Instruct/ --quant q8
    geor-export runs/grpo/final --format onnx --quant int8
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from geor.engine import __version__
from geor.engine.cli import OneLineParser, run_command


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="geor-export", description="Export a Geo-R checkpoint to GGUF or ONNX, quantised and verified.")
    parser.add_argument("--version", action="version", version=f"geor-export {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the traceback of unexpected errors")
    parser.add_argument("checkpoint", type=Path, help="checkpoint folder (safetensors) or LoRA adapter folder")
    parser.add_argument("--format", choices=("gguf", "onnx"), default="gguf")
    parser.add_argument("--quant", default=None,
                        help="gguf: q4 (Q4_K_M, default), q5 (Q5_K_M), q8 (Q8_0), f16; onnx: fp32, int8 (default), int4")
    parser.add_argument("--out", type=Path, help="output folder (default: CHECKPOINT-FORMAT-QUANT beside the checkpoint)")
    parser.add_argument("--base", help="base checkpoint folder of a LoRA adapter (default: the one the adapter names)")
    parser.add_argument("--force", action="store_true", help="replace an existing output folder")
    parser.add_argument("--no-verify", dest="verify", action="store_false", help="skip running the export against the checkpoint")
    parser.add_argument("--verify-photo", dest="verify_photos", action="append", type=Path, default=[], metavar="PHOTO",
                        help="a photo to verify on; repeat for several (default: a few generated pictures)")
    parser.add_argument("--eval-config", type=Path, default=None, metavar="CONFIG",
                        help="a geor-train config: evaluate the checkpoint and the export on its evaluation set and report the change")
    parser.add_argument("--threads", type=int, default=None)
    parser.set_defaults(handler=_export, command="")  # one command: errors read "geor-export: error: ..."
    return parser


def _export(args: argparse.Namespace) -> int:
    from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

    from .pipeline import ExportRequest, export

    quant = args.quant or ("q4" if args.format == "gguf" else "int8")
    request = ExportRequest(checkpoint=args.checkpoint, format=args.format, quant=quant, out=args.out, base=args.base, force=args.force,
                            verify=args.verify, photos=list(args.verify_photos), threads=args.threads, eval_config=args.eval_config)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), transient=False,
                  disable=not sys.stderr.isatty()) as progress:
        current: list[TaskID] = []

        def phase(name: str) -> None:
            if current:
                progress.update(current[-1], completed=1, total=1)
            current.append(progress.add_task(name, total=None))
            if progress.disable:
                print(f"  {name} ...", file=sys.stderr)

        result = export(request, phase)
        if current:
            progress.update(current[-1], completed=1, total=1)
    manifest = result.manifest
    print(f"wrote {result.folder}: {manifest.format} {manifest.quantization}")
    for role, entry in manifest.files.items():
        print(f"  {role:<10} {entry.path:<24} {(entry.size or 0) / 2**20:10.1f} MiB  sha256 {(entry.sha256 or '?')[:16]}...")
    v = result.verification or {}
    if "identical" in v:
        print(f"verification: {v['identical']} of {v['photos']} answers identical to the checkpoint's, "
              f"{100 * v['token_agreement']:.1f} % of tokens agree (greedy)")
    if "evaluation" in v:
        e = v["evaluation"]
        print(f"evaluation on {e['photos']} photos (checkpoint -> export):")
        for key, change in e["change"].items():
            print(f"  {key:<20} {e['checkpoint'][key]:>12.4f} -> {e['export'][key]:>12.4f}  ({change:+.4f})")
    print("phases: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.seconds.items()))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(build_parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
