"""``geor tag FOLDER``, ``geor undo JOB`` and ``geor jobs``: the batch geotagging job."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from geor.engine.pipeline.gpx import parse_utc_offset

from .predict import add_model_arguments, load_predictor


def register(subparsers: argparse._SubParsersAction) -> None:
    tag = subparsers.add_parser(
        "tag", help="geotag a folder of photos (time, GPX), safely and resumably",
        description=(
            "Scan FOLDER, read every photo's time and GPS, place the others from GPX tracks and from "
            "GPS-tagged photos taken close in time, and write GPS and place names into the photos "
            "(or XMP sidecars). Rerun the same command to resume an interrupted job; undo with geor undo JOB."
        ),
    )
    tag.add_argument("folder", type=Path)
    tag.add_argument("--dry-run", action="store_true", help="decide and report, write nothing")
    tag.add_argument("--sidecar", action="store_true", help="write XMP sidecars instead of touching any photo")
    tag.add_argument("--overwrite", action="store_true", help="replace the GPS position and place names a photo already has (default: never)")
    tag.add_argument("--gpx", type=Path, action="append", default=[], metavar="FILE", help="a GPX track log (repeat for several)")
    tag.add_argument("--tz", help="UTC offset of the camera clock, e.g. +02:00, for photos whose EXIF has none (needed with --gpx)")
    tag.add_argument("--window-min", type=float, default=10.0, help="propagate GPS to photos taken this close in time (default 10)")
    tag.add_argument("--min-confidence", type=float, default=0.3, help="write only decisions at least this confident (default 0.3)")
    tag.add_argument("--new-job", action="store_true", help="start afresh instead of resuming an unfinished job on this folder")
    add_model_arguments(tag, required=False)
    tag.add_argument("--pool-events", action="store_true",
                     help="with --model: pool the answers of photos taken in one burst (same folder and camera, each within --window-min)")
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


def run_tag(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from geor.engine.pipeline import GpxSource, JobStore, TagOptions, TimePropagation, run_tag_job
    from geor.engine.pipeline.gpx import Track

    folder = args.folder
    if not folder.is_dir():
        raise ValueError(f"{folder}: no such folder")
    if not 0 <= args.min_confidence <= 1 or args.window_min < 0:
        raise ValueError("--min-confidence must be within 0..1 and --window-min at least 0")
    tz = parse_utc_offset(args.tz, '--tz')
    if args.pool_events and not args.model:
        raise ValueError("--pool-events needs --model")
    model_id = None
    if args.model:
        model_path = Path(args.model).expanduser()
        model_id = str(model_path.resolve()) if model_path.exists() else args.model
    options = TagOptions(args.dry_run, args.sidecar, args.overwrite, args.min_confidence, args.window_min,
                         sorted(str(p.resolve()) for p in args.gpx), args.tz, model_id, args.samples, args.pool_events)
    sources = []
    gpx_source = None
    if args.gpx:
        gpx_source = GpxSource(Track.read(args.gpx), tz)
        sources.append(gpx_source)
    sources.append(TimePropagation(dt.timedelta(minutes=args.window_min)))
    root = folder.resolve()
    store = None if args.new_job else JobStore.unfinished_for(root, options.as_dict())
    resumed = store is not None
    store = store or JobStore.create(root, options.as_dict())
    print(f"{'resuming' if resumed else 'job'} {store.id} on {root}", file=sys.stderr)
    progress = Progress(TextColumn("{task.description:>8}"), BarColumn(), MofNCompleteColumn(), transient=True, disable=not sys.stderr.isatty())
    tasks: dict[str, int] = {}

    def tick(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(stage, total=total)
        progress.update(tasks[stage], completed=done, total=total)

    predictor = None
    if args.model:
        from geor.engine.pipeline.model_source import ModelSource

        predictor = load_predictor(args)
        sources.append(ModelSource(predictor, model_id, store, args.pool_events, dt.timedelta(minutes=args.window_min), tick))
    try:
        with progress:
            summary = run_tag_job(store, options, sources, place_namer(), tick)
    finally:
        if predictor is not None:
            predictor.backend.close()
    for line in summary.problems + summary.failures:
        print(line, file=sys.stderr)
    if gpx_source is not None and gpx_source.unzoned:
        print(f"{len(gpx_source.unzoned)} photos have no time zone in their EXIF: pass --tz to match them to the GPX track", file=sys.stderr)
    for label, count in sorted(summary.counts.items()):
        print(f"{count:8,}  {label}")
    print(f"report: {summary.report_csv}\n        {summary.report_geojson}")
    if not args.dry_run:
        print(f"undo:   geor undo {summary.job_id}")
    return 0


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
