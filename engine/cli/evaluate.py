"""``geor evaluate PREDICTIONS.csv``: accuracy at 1/25/200/750/2500 km, errors, GeoScore."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "evaluate", help="score a CSV of predictions against the truth",
        description=(
            "Score predictions against true positions. Each row holds the truth and either the model's "
            "text (parsed as a Chain of Region) or parsed coordinates."
        ),
    )
    parser.add_argument("csv", type=Path, help="predictions CSV")
    parser.add_argument("--lat-col", default="lat", help="column of the true latitude (default: lat)")
    parser.add_argument("--lon-col", default="lon", help="column of the true longitude (default: lon)")
    parser.add_argument("--text-col", default="output", help="column of the model's text (default: output)")
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from geor.engine.predictions import score_predictions_csv

    scored = score_predictions_csv(args.csv, args.lat_col, args.lon_col, args.text_col)
    for problem in scored.skipped_rows:
        print(f"{args.csv}: {problem}; row skipped", file=sys.stderr)
    if args.json:
        report = scored.metrics.as_dict() | {"parse_failures": dict(scored.failures), "skipped_rows": len(scored.skipped_rows)}
        print(json.dumps(report, indent=2))
        return 0
    print(f"{args.csv}")
    print(scored.metrics.format_table())
    if scored.failures:
        reasons = ", ".join(f"{reason} {count}" for reason, count in scored.failures.most_common())
        print(f"parse failures   {reasons}")
    if scored.skipped_rows:
        print(f"skipped rows     {len(scored.skipped_rows)} (bad true position, listed above)")
    return 0
