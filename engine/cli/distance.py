"""``geor distance LAT1 LON1 LAT2 LON2``: great-circle distance in km."""

from __future__ import annotations

import argparse
import json
import math


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "distance", help="great-circle distance between two points",
        description="Great-circle (Haversine) distance in km between two points given in degrees.",
    )
    for name in ("lat1", "lon1", "lat2", "lon2"):
        parser.add_argument(name, type=_degrees, help=f"{name[:3]}itude of point {name[-1]} in degrees")
    parser.add_argument("--json", action="store_true", help="print a JSON object")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from geor.engine.geo import haversine_km  # numba loads only for commands that need it

    km = haversine_km(args.lat1, args.lon1, args.lat2, args.lon2)
    if args.json:
        print(json.dumps({"km": km}))
    else:
        print(f"{km:.3f} km")
    return 0


def _degrees(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if math.isnan(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of degrees")
    return value
