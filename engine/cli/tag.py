"""``geor tag FOLDER``, ``geor undo JOB`` and ``geor jobs``: the batch geotagging job."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from .predict import add_model_arguments, load_predictor


def register(subparsers: argparse._SubParsersAction) -> None:
    tag = subparsers.add_parser(
        "tag", help="geotag a folder of photos from every device's GPS, tracks and (optionally) the model",
        description=(
            "Scan FOLDER (sub-folders and every device in it), read every photo's time and GPS, work out each "
            "camera's clock offset, place photos without GPS from the GPS photos of any device and from track "
            "files taken at the same moment, check every decision, and write GPS and place names into the photos "
            "(or XMP sidecars). Rerun the same command to resume an interrupted job; undo with geor undo JOB."
        ),
    )
    tag.add_argument("folder", type=Path)
    tag.add_argument("--dry-run", action="store_true", help="decide and report, write nothing")
    tag.add_argument("--sidecar", action="store_true", help="write XMP sidecars instead of touching any photo")
    tag.add_argument("--overwrite", action="store_true",
                     help="replace the GPS position and place names a photo already has (default: never)")
    tag.add_argument("--new-job", action="store_true", help="start afresh instead of resuming an unfinished job on this folder")
    where = tag.add_argument_group("tracks and clocks")
    where.add_argument("--track", "--gpx", dest="tracks", type=Path, action="append", default=[], metavar="FILE",
                       help="a track: GPX, KML/KMZ, GeoJSON, NMEA, CSV (time, lat, lon) or Google location history "
                            "(Records.json, Timeline export); repeat for several")
    where.add_argument("--clock", action="append", default=[], metavar="CAMERA=OFFSET",
                       help="set a camera's clock offset from UTC, e.g. \"NIKON Z 6=+01:03:27\" (the camera named by words "
                            "of its make, model or serial number); repeat for several")
    where.add_argument("--tz", help="UTC offset of the clock of cameras nothing else tells about, e.g. +02:00")
    where.add_argument("--no-clock-inference", dest="infer_clocks", action="store_false",
                       help="do not infer clocks from other devices' photos or tracks (only --clock, GPS times, OffsetTime tags, --tz)")
    # the numbers of engine/pipeline/policy.py's PlacementPolicy, written out so that `geor --version`
    # need not import the pipeline (tests/engine/cli/test_tag_cli.py holds them equal)
    policy = tag.add_argument_group("interpolation policy")
    policy.add_argument("--same-place-m", type=float, default=100.0,
                        help="two anchors this close are one place: photos between them take it ... (default %(default)g)")
    policy.add_argument("--same-place-max-min", type=float, default=120.0, help="... when they are at most this far apart in time (default %(default)g)")
    policy.add_argument("--interpolate-max-min", type=float, default=30.0,
                        help="between two different places, interpolate along the great circle only when they are this close in time (default %(default)g)")
    policy.add_argument("--extrapolate-max-min", type=float, default=30.0,
                        help="else take the nearer anchor's position when it is this close in time (default %(default)g)")
    policy.add_argument("--max-speed-kmh", type=float, default=300.0,
                        help="plausibility: a faster move between two photos of one camera needs review (a track can justify it) (default %(default)g)")
    policy.add_argument("--far-km", type=float, default=200.0,
                        help="plausibility: a decision this far from all of the same day's GPS photos and track points needs review (default %(default)g)")
    policy.add_argument("--min-confidence", type=float, default=0.3, help="write only decisions at least this confident (default %(default)g)")
    privacy = tag.add_argument_group("privacy zones (saved ones come from the user's config; see README)")
    privacy.add_argument("--privacy-zone", action="append", default=[], metavar="LAT,LON,RADIUS_M",
                         help="never write a position inside this circle exactly (repeat for several; a name may follow)")
    privacy.add_argument("--privacy", choices=("coarsen", "omit"), default=None,
                         help="inside a zone: round the position (coarsen) or write none (omit); default: the saved setting, else coarsen")
    privacy.add_argument("--privacy-decimals", type=int, default=None,
                         help="coarsen to this many decimal degrees (2: about 1 km); default: the saved setting, else 2")
    privacy.add_argument("--privacy-names", action=argparse.BooleanOptionalAction, default=None,
                         help="write place names for positions inside a zone; default: the saved setting, else yes")
    add_model_arguments(tag, required=False)
    tag.add_argument("--window-min", type=float, default=10.0,
                     help="with --pool-events: photos of one camera and folder each within this of the previous are one scene (default %(default)g)")
    tag.add_argument("--pool-events", action="store_true",
                     help="with --model: pool the answers of photos taken in one scene (see --window-min)")
    tag.set_defaults(handler=run_tag)
    undo = subparsers.add_parser("undo", help="restore every file a tagging job changed")
    undo.add_argument("job", help="job id (printed by geor tag; listed by geor jobs)")
    undo.set_defaults(handler=run_undo)
    jobs = subparsers.add_parser("jobs", help="list tagging jobs")
    jobs.set_defaults(handler=run_jobs)


def place_namer():  # type: ignore[no-untyped-def]
    """Place names for positions, from the default offline geocoder."""
    from geor.engine.geo.geocoder import Geocoder
    from geor.engine.geo.geocoder.default_pack import default_pack_path
    from geor.engine.pipeline.place_names import place_namer_for

    return place_namer_for(Geocoder(default_pack_path(progress=lambda m: print(m, file=sys.stderr))))


def options_from(args: argparse.Namespace) -> Any:
    """The job's declarative options from the command line and the user's saved privacy zones."""
    from geor.engine.pipeline import TagOptions
    from geor.engine.pipeline.clock_offsets import parse_clock_overrides
    from geor.engine.pipeline.privacy import load_rules, parse_zone

    saved = load_rules()
    zones = [z.text() for z in saved.zones] + [parse_zone(z).text() for z in args.privacy_zone]
    model_id = None
    if args.model:
        model_path = Path(args.model).expanduser()
        model_id = str(model_path.resolve()) if model_path.exists() else args.model
    if args.pool_events and not args.model:
        raise ValueError("--pool-events needs --model")
    return TagOptions(
        dry_run=args.dry_run, sidecar=args.sidecar, overwrite=args.overwrite, min_confidence=args.min_confidence,
        window_min=args.window_min, tracks=sorted(str(p.expanduser().resolve()) for p in args.tracks), tz=args.tz,
        clocks=parse_clock_overrides(args.clock), infer_clocks=args.infer_clocks, same_place_m=args.same_place_m,
        same_place_max_min=args.same_place_max_min, interpolate_max_min=args.interpolate_max_min,
        extrapolate_max_min=args.extrapolate_max_min, max_speed_kmh=args.max_speed_kmh, far_km=args.far_km,
        privacy_zones=zones, privacy_mode=args.privacy or saved.mode,
        privacy_decimals=saved.decimals if args.privacy_decimals is None else args.privacy_decimals,
        privacy_names=saved.names if args.privacy_names is None else args.privacy_names,
        model=model_id, samples=args.samples, pool_events=args.pool_events,
    )


def run_tag(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from geor.engine.pipeline import open_job_store, plan_job, run_tag_job

    folder = args.folder
    if not folder.is_dir():
        raise ValueError(f"{folder}: no such folder")
    options = options_from(args)
    plan = plan_job(options)  # every option checked and every track read before a job exists
    for line in plan.notes:
        print(line, file=sys.stderr)
    root = folder.resolve()
    store, resumed = open_job_store(root, options, new_job=args.new_job)
    print(f"{'resuming' if resumed else 'job'} {store.id} on {root}", file=sys.stderr)
    progress = Progress(TextColumn("{task.description:>8}"), BarColumn(), MofNCompleteColumn(), transient=True, disable=not sys.stderr.isatty())
    tasks: dict[str, int] = {}

    def tick(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(stage, total=total)
        progress.update(tasks[stage], completed=done, total=total)

    predictor = None
    sources = list(plan.sources)
    if args.model:
        from geor.engine.pipeline.model_source import ModelSource

        predictor = load_predictor(args)
        sources.append(ModelSource(predictor, options.model, store, args.pool_events, dt.timedelta(minutes=args.window_min), tick))
    try:
        with progress:
            summary = run_tag_job(store, options, sources, place_namer(), tick, plan.track)
    finally:
        if predictor is not None:
            predictor.backend.close()
    for line in summary.problems + summary.failures:
        print(line, file=sys.stderr)
    print_clocks(summary.clocks)
    for label, count in sorted(summary.counts.items()):
        print(f"{count:8,}  {label}")
    print(f"report: {summary.report_csv}\n        {summary.report_geojson}")
    if not args.dry_run:
        print(f"undo:   geor undo {summary.job_id}")
    return 0


def print_clocks(clocks: list[Any]) -> None:
    """Each camera's clock offset from UTC and why, the cameras with the most photos first."""
    if not clocks:
        return
    print("camera clocks (offset from UTC):")
    for clock in sorted(clocks, key=lambda c: (-c.photos, c.camera)):
        print(f"  {clock.camera} ({clock.photos:,} photo{'s' if clock.photos != 1 else ''}): {clock.describe()}")
        if len(clock.segments) > 1 and clock.source in ("bursts", "gps-time"):
            for segment in clock.as_dict()["segments"]:
                print(f"      {segment['from']} .. {segment['to']}: {segment['offset']} ({segment['strength']})")


def run_undo(args: argparse.Namespace) -> int:
    from geor.engine.pipeline import JobStore, undo_job

    summary = undo_job(JobStore.open(args.job))
    for line in summary.skipped:
        print(line, file=sys.stderr)
    print(f"restored {summary.restored} files, removed {summary.removed_sidecars} sidecars; {len(summary.skipped)} left as they are")
    return 0


def run_jobs(args: argparse.Namespace) -> int:
    from geor.engine.pipeline.jobstore import JobStore, jobs_dir

    paths = sorted(jobs_dir().glob("*.sqlite")) if jobs_dir().is_dir() else []
    if not paths:
        print("no jobs yet")
    for path in paths:
        store = JobStore(path)
        print(f"{store.id}  {store.get('state'):9}  {store.root}")
        store.close()
    return 0
