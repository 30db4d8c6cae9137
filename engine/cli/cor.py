"""``geor cor --csv IN --out targets.jsonl``: Chain-of-Region training targets from GPS rows."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from geor.engine.csv_files import parse_number
from geor.engine.errors import BadInput

from .where import _non_negative_km, add_pack_options, count_data_rows, open_geocoder, read_csv_chunks


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from geor.engine.geo.geocoder.chain import DEFAULT_CITY_KM

    parser = subparsers.add_parser(
        "cor", help="Chain-of-Region targets for GPS-labelled rows",
        description=(
            "Turn each row's true position into its Chain-of-Region answer (country / state / city / "
            "coordinates) by rules and the offline geocoder: the supervision text for training."
        ),
    )
    parser.add_argument("--csv", type=Path, required=True, help="CSV with positions (MP16-style: IMG_ID, LAT, LON)")
    parser.add_argument("--out", type=Path, required=True, help="JSONL file to write, one object per row")
    parser.add_argument("--lat-col", default=None, help="latitude column (default: LAT, lat or latitude)")
    parser.add_argument("--lon-col", default=None, help="longitude column (default: LON, lon, lng or longitude)")
    parser.add_argument("--id-col", default=None, help="row id column copied to the output (default: IMG_ID or id when present)")
    parser.add_argument("--city-km", type=_non_negative_km, default=DEFAULT_CITY_KM,
                        help=f"a town farther than this is not the photo's city (default {DEFAULT_CITY_KM:g})")
    add_pack_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import numpy as np
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from geor.engine.atomic import atomic_text_writer
    from geor.engine.geo.geocoder.chain import fallback_counts, region_chains

    geocoder = open_geocoder(args)
    header, lat_name, lon_name, chunks = read_csv_chunks(args.csv, args.lat_col, args.lon_col)
    id_name = args.id_col or next((c for c in ("IMG_ID", "id", "image", "img_id") if c in header), None)
    if id_name is not None and id_name not in header:
        raise BadInput(f"{args.csv}: no column {id_name!r}")
    counts: Counter[str] = Counter()
    done = 0
    progress = Progress(TextColumn("chains"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        transient=True, disable=not sys.stderr.isatty())
    with atomic_text_writer(args.out) as out, progress:
        task = progress.add_task("rows", total=count_data_rows(args.csv))
        for rows in chunks:
            lat = np.array([parse_number(r.get(lat_name)) for r in rows])
            lon = np.array([parse_number(r.get(lon_name)) for r in rows])
            chains = region_chains(geocoder, lat, lon, city_km=args.city_km)
            counts.update(fallback_counts(chains))
            for i, (row, chain) in enumerate(zip(rows, chains, strict=True)):
                record: dict[str, object] = {"id": row.get(id_name)} if id_name else {}
                record["row"] = done + i + 2
                if chain.error:
                    record |= {"lat": row.get(lat_name), "lon": row.get(lon_name), "error": chain.error}
                else:
                    record |= {
                        "lat": chain.lat, "lon": chain.lon, "continent": chain.continent, "country": chain.country,
                        "state": chain.state, "city": chain.city, "city_source": chain.city_source,
                        "city_level": chain.city_level, "near_town": chain.near_town, "fallbacks": list(chain.fallbacks),
                        "target": chain.cor_text(),
                    }
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            done += len(rows)
            progress.update(task, completed=done)
    summary = ", ".join(f"{reason} {count:,}" for reason, count in sorted(counts.items()))
    print(f"wrote {done:,} targets to {args.out}: {summary}", file=sys.stderr)
    return 0
