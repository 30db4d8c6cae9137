"""``geor where LAT LON`` and ``geor where --csv IN --out OUT``: offline reverse geocoding."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from geor.engine.csv_files import open_csv, parse_number
from geor.engine.errors import BadInput, BadOption

from .distance import _degrees

if TYPE_CHECKING:  # imported where used: `geor --help` stays fast
    from geor.engine.geo.geocoder import Geocoder, Place

#: Columns ``--csv`` adds to each row, in order.
OUTPUT_COLUMNS = ("continent", "country", "country_a2", "country_a3", "state", "state_code", "district", "district_kind",
                  "district_detail", "district_source", "city", "city_population", "city_km", "offshore_km", "geocode_error")
CHUNK_ROWS = 50_000


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("where", help="where a position is: country, state, district, nearest town",
                                   description="Reverse-geocode a position, or every row of a CSV, fully offline.")
    parser.add_argument("lat", nargs="?", type=_degrees, help="latitude in degrees")
    parser.add_argument("lon", nargs="?", type=_degrees, help="longitude in degrees")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--csv", type=Path, help="geocode every row of this CSV instead")
    parser.add_argument("--out", type=Path, help="output CSV for --csv (input columns + place columns)")
    parser.add_argument("--lat-col", default=None, help="latitude column of --csv (default: lat, LAT or latitude)")
    parser.add_argument("--lon-col", default=None, help="longitude column of --csv (default: lon, LON, lng or longitude)")
    add_pack_options(parser)
    parser.set_defaults(handler=run)


def add_pack_options(parser: argparse.ArgumentParser) -> None:
    from geor.engine.geo.geocoder import DEFAULT_SEA_KM

    parser.add_argument("--pack", type=Path, help="region pack to use (default: the embedded default pack)")
    parser.add_argument("--sea-km", type=_non_negative_km, default=DEFAULT_SEA_KM,
                        help=f"points at sea this close to land get the nearest region (default {DEFAULT_SEA_KM:g})")


def _non_negative_km(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a distance in km (0 or more)")
    return value


def open_geocoder(args: argparse.Namespace) -> Geocoder:
    from geor.engine.geo.geocoder import Geocoder
    from geor.engine.geo.geocoder.default_location import default_pack_path

    pack = args.pack if args.pack is not None else default_pack_path(progress=lambda m: print(m, file=sys.stderr))
    return Geocoder(pack, sea_km=args.sea_km)


def run(args: argparse.Namespace) -> int:
    if args.csv is not None:
        if args.lat is not None:
            raise BadOption("give either LAT LON or --csv, not both")
        if args.out is None:
            raise BadOption("--csv needs --out FILE for the results")
        return run_csv(args)
    if args.lat is None or args.lon is None:
        raise BadOption("give LAT LON (degrees) or --csv FILE --out FILE")
    geocoder = open_geocoder(args)
    place = geocoder.lookup(args.lat, args.lon)
    if args.json:
        print(json.dumps(place.as_dict(), ensure_ascii=False))
        return 0
    print(format_place(place))
    return 0


def format_place(place: Place) -> str:
    lines = [f"position    {place.lat:.6f}, {place.lon:.6f}"]
    if place.country is not None:
        lines.append(f"place       {one_line(place)}")
    if place.country is None:
        lines.append("country     none (open sea)")
        return "\n".join(lines)
    if place.offshore_km is not None:
        lines.append(f"at sea      {place.offshore_km:.1f} km off the coast; regions of the nearest coast")
    lines.append(f"continent   {place.continent or 'unknown'}")
    codes = " / ".join(c for c in (place.country_a2, place.country_a3) if c)
    lines.append(f"country     {place.country}" + (f" ({codes})" if codes else ""))
    if place.state:
        lines.append(f"state       {place.state}" + (f" ({place.state_code})" if place.state_code else ""))
    if place.district:
        from geor.engine.geo.geocoder.chain import is_city_unit

        label = "municipality" if is_city_unit(place) else "district"
        what = ", ".join(x for x in (place.district_kind, place.district_detail) if x)
        lines.append(f"{label:<11} {place.district}" + (f" ({what})" if what else "")
                     + (f"; {place.district_source}" if place.district_source else ""))
    if place.city:
        lines.append(f"city        {place.city} (population {place.city_population:,}), {place.city_km:.1f} km")
    return "\n".join(lines)


def one_line(place: Place) -> str:
    """"Biei (Town), Kamikawa District, Hokkaido, Japan"; "Kyoto (City), Kita Ward, Kyoto, Japan"; a large
    municipality, or none, adds the nearest town: "..., near Kami-furano"."""
    from geor.engine.geo.geocoder.chain import LARGE_KM2

    municipality = f"{place.district} ({place.district_kind})" if place.district and place.district_kind else place.district
    parts = [municipality, place.district_detail, place.state, place.country]
    if place.city and place.city != place.district and (not place.district or (place.district_km2 or 0.0) >= LARGE_KM2):
        parts.append(f"near {place.city}")
    return ", ".join(p for p in parts if p)


def pick_column(header: list[str], wanted: str | None, candidates: tuple[str, ...], what: str, path: Path) -> str:
    if wanted is not None:
        if wanted not in header:
            raise BadInput(f"{path}: no column {wanted!r} (columns: {', '.join(header)})")
        return wanted
    for name in candidates:
        if name in header:
            return name
    raise BadInput(f"{path}: no {what} column (looked for {', '.join(candidates)}; name it with --{what[:3]}-col)")


def read_csv_chunks(path: Path, lat_col: str | None, lon_col: str | None) -> tuple[list[str], str, str, Iterator[list[dict[str, str]]]]:
    """(header, lat column, lon column, iterator of row chunks) of a CSV with positions."""
    handle, reader, header = open_csv(path)
    lat_name = pick_column(header, lat_col, ("lat", "LAT", "latitude", "Latitude"), "latitude", path)
    lon_name = pick_column(header, lon_col, ("lon", "LON", "lng", "longitude", "Longitude"), "longitude", path)

    def chunks() -> Iterator[list[dict[str, str]]]:
        with handle:
            rows: list[dict[str, str]] = []
            try:
                for row in reader:
                    rows.append(row)
                    if len(rows) == CHUNK_ROWS:
                        yield rows
                        rows = []
            except (UnicodeDecodeError, csv.Error) as exc:
                raise BadInput(f"{path}: line {reader.line_num}: unreadable ({exc})") from None
            if rows:
                yield rows

    return header, lat_name, lon_name, chunks()


def count_data_rows(path: Path) -> int | None:
    """Rows in a CSV (for the progress bar's total), or None if it cannot be counted cheaply."""
    try:
        with path.open("rb") as handle:
            return max(sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")) - 1, 0)
    except OSError:
        return None


def run_csv(args: argparse.Namespace) -> int:
    import numpy as np
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from geor.engine.atomic import atomic_text_writer

    geocoder = open_geocoder(args)
    header, lat_name, lon_name, chunks = read_csv_chunks(args.csv, args.lat_col, args.lon_col)
    clash = [c for c in OUTPUT_COLUMNS if c in header]
    if clash:
        raise BadInput(f"{args.csv}: already has column(s) {', '.join(clash)}; rename them first")
    total = count_data_rows(args.csv)
    done = bad = 0
    progress = Progress(TextColumn("geocoding"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        transient=True, disable=not sys.stderr.isatty())
    with atomic_text_writer(args.out) as out, progress:
        task = progress.add_task("rows", total=total)
        writer = csv.DictWriter(out, fieldnames=[*header, *OUTPUT_COLUMNS], lineterminator="\n")
        writer.writeheader()
        for rows in chunks:
            lat = np.array([parse_number(r.get(lat_name)) for r in rows])
            lon = np.array([parse_number(r.get(lon_name)) for r in rows])
            batch = geocoder.lookup_many(lat, lon)
            columns = batch.columns()
            for i, row in enumerate(rows):
                record: dict[str, object] = dict(row)
                if i in batch.errors:
                    bad += 1
                    record["geocode_error"] = (
                        f"row {done + i + 2}: {lat_name}={row.get(lat_name)!r}, {lon_name}={row.get(lon_name)!r}: {batch.errors[i]}"
                    )
                for name in OUTPUT_COLUMNS[:-1]:
                    record[name] = columns[name][i]
                writer.writerow(record)
            done += len(rows)
            progress.update(task, completed=done)
    print(f"geocoded {done - bad:,} of {done:,} rows into {args.out}" + (f"; {bad:,} rows had no valid position (see geocode_error)" if bad else ""), file=sys.stderr)
    return 0
