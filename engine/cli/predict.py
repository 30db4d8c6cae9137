"""``geor predict PHOTO... --model M``: where was each photo taken, according to the model."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from geor.engine.errors import BadInput
from geor.engine.options import add_arguments, from_arguments

if TYPE_CHECKING:  # imported where used: `geor --help` stays fast
    from geor.engine.inference.predictor import Prediction, Predictor


def add_model_arguments(parser: argparse.ArgumentParser, required: bool, *, for_job: bool = False) -> None:
    """The model options shared by ``geor predict`` and ``geor tag`` (ModelRequest's fields; the
    scene option ``--per-scene`` only for a job)."""
    from geor.engine.inference.model_request import JOB_ONLY, ModelRequest

    add_arguments(parser.add_argument_group("model"), ModelRequest, required=("model",) if required else (), skip=() if for_job else JOB_ONLY)


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
    from geor.engine.inference.model_request import ModelRequest, open_request

    return open_request(from_arguments(ModelRequest, args, per_scene=0), progress=lambda m: print(m, file=sys.stderr))


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
