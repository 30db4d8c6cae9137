"""``geor predict PHOTO... --model M``: where was each photo taken, according to the model."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from geor.engine.errors import BadInput

if TYPE_CHECKING:  # imported where used: `geor --help` stays fast
    from geor.engine.inference.predictor import Prediction, Predictor


def add_model_arguments(parser: argparse.ArgumentParser, required: bool) -> None:
    """The model options shared by ``geor predict`` and ``geor tag``."""
    group = parser.add_argument_group("model")
    group.add_argument("--model", required=required, metavar="M",
                       help="a .gguf file, a model or checkpoint folder, or an installed model's name (geor models list)")
    group.add_argument("--mmproj", type=Path, help="the vision projector GGUF, when it is not the one mmproj*.gguf beside the model")
    group.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto", help="where to run (default: CUDA when the build and a GPU allow)")
    group.add_argument("--threads", type=int, help="CPU threads (default: all cores)")
    group.add_argument("--ctx", type=int, default=4096, help="context size in tokens (GGUF; default 4096)")
    group.add_argument("--gpu-layers", type=int, help="layers to offload to the GPU (GGUF; default all with CUDA)")
    group.add_argument("--samples", type=int, default=1, metavar="K",
                       help="answers per photo; K > 1 pools them (geometric median) and measures their spread (default 1)")
    group.add_argument("--temperature", type=float, help="sampling temperature (default 0 = greedy for one sample, 0.7 for several)")
    group.add_argument("--max-tokens", type=int, default=128, help="longest answer in tokens (default 128)")
    group.add_argument("--max-pixels", type=int, help="image budget in pixels (default: the model's, else 448x448)")
    group.add_argument("--review-below", type=float, default=0.5, help="mark answers less confident than this for review (default 0.5)")
    group.add_argument("--seed", type=int, default=0)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "predict", help="ask a model where photos were taken",
        description=("For each photo, print the Chain of Region the model produced, the parsed coordinates, whether "
                     "the offline geocoder agrees with the named regions, and a confidence. Nothing is written to the photos."),
    )
    parser.add_argument("photos", nargs="+", type=Path, metavar="PHOTO")
    add_model_arguments(parser, required=True)
    parser.add_argument("--json", action="store_true", help="one JSON object per photo (JSON Lines)")
    parser.add_argument("--show-text", action="store_true", help="print the model's raw answers too")
    parser.set_defaults(handler=run)


def load_predictor(args: argparse.Namespace) -> Predictor:
    """Backend + geocoder + options from the command line; the caller closes ``predictor.backend``."""
    from geor.engine.inference.loader import open_predictor

    return open_predictor(args.model, mmproj=args.mmproj, device=args.device, threads=args.threads, ctx=args.ctx,
                          gpu_layers=args.gpu_layers, samples=args.samples, temperature=args.temperature, max_tokens=args.max_tokens,
                          max_pixels=args.max_pixels, review_below=args.review_below, seed=args.seed,
                          progress=lambda m: print(m, file=sys.stderr))


def _print(prediction: Prediction, show_text: bool) -> None:
    print(f"{prediction.path}")
    if prediction.status != "ok":
        print(f"  {prediction.status}: {prediction.reason}")
    else:
        print(f"  chain       {prediction.chain}")
        radius = f"  (samples spread {prediction.radius_km:,.0f} km)" if prediction.radius_km is not None else ""
        print(f"  coordinates {prediction.lat:.6f}, {prediction.lon:.6f}{radius}")
        checks = ", ".join(f"{c.level} {'yes' if c.agrees else 'no' if c.agrees is False else '?'}"
                           + (f" ({c.found})" if c.agrees is False and c.found else "") for c in prediction.checks)
        print(f"  geocoder    {checks}")
        flag = "  needs review" + (f": {prediction.reason}" if prediction.reason else "") if prediction.needs_review else ""
        print(f"  confidence  {prediction.confidence:.2f}{flag}")
    if show_text:
        for i, sample in enumerate(prediction.samples, start=1):
            print(f"  answer {i}: " + sample.text.replace("\n", "\n            "))


def run(args: argparse.Namespace) -> int:
    missing = [p for p in args.photos if not p.exists()]
    if missing:
        raise BadInput(f"{missing[0]}: no such file")
    predictor = load_predictor(args)
    failed = 0
    try:
        for path in args.photos:
            prediction = predictor.predict_path(path)
            failed += prediction.status == "error"
            if args.json:
                print(json.dumps(prediction.as_dict(), ensure_ascii=False))
            else:
                _print(prediction, args.show_text)
            sys.stdout.flush()
    finally:
        predictor.backend.close()
    return 1 if failed == len(args.photos) else 0
