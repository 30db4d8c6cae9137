"""``geor tag FOLDER``, ``geor undo JOB`` and ``geor jobs``: the batch geotagging job."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from geor.engine.errors import RESUME_HINT, BadOption

from .predict import add_model_arguments

if TYPE_CHECKING:  # imported where used: `geor --help` stays fast
    from rich.progress import TaskID

    from geor.engine.pipeline.tag_job import JobSummary
    from geor.engine.pipeline.tag_request import TagRequest
    from geor.engine.placement import CameraClock


#: ``geor tag``'s status when the job ran but some photos were not handled (the report's failed and
#: skipped rows), as rsync's 23 and exiftool's 1 say; 1 and 2 stay the CLI's bad input and usage.
EXIT_SOME_FAILED = 3


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tag = subparsers.add_parser(
        "tag", help="geotag a folder of photos from every device's GPS, tracks and (optionally) the model",
        description=(
            "Scan FOLDER (sub-folders and every device in it), read every photo's time and GPS, work out each "
            "camera's clock offset, place photos without GPS from the GPS photos of any device and from track "
            "files taken at the same moment, check every decision, and write GPS and place names into the photos "
            "(or XMP sidecars). Rerun the same command to resume an interrupted job; undo with geor undo JOB."
        ),
        epilog=(
            f"exit status: 0 when every photo was handled (tagged, already located, left for review, or no location found); "
            f"{EXIT_SOME_FAILED} when the job ran but some photos failed (unreadable, a write refused) or were skipped (a "
            f"link out of the folder, a folder that cannot be listed): each is named on stderr and in the report; 1 when "
            f"the job could not run (a missing folder, an option value that cannot work), 2 when the command line cannot "
            f"be read (an unknown option, a missing value), 130 when interrupted (run again to resume)"
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
    # the numbers of engine/placement/policy.py's PlacementPolicy, written out so that `geor --version`
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
    policy.add_argument("--max-radius-m", type=float, default=1000.0,
                        help="write a position from photos or a track only when it may be off by at most this many metres (its radius "
                             "includes how far a camera clock's uncertainty can move it); else review (default %(default)g)")
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
                     help="with --model: photos of one camera each within this of another and alike to look at are one scene (default %(default)g)")
    tag.add_argument("--per-scene", type=int, default=3, metavar="N",
                     help="with --model: ask about up to N of a scene's most distinct photos and give every photo of the scene their "
                          "pooled answer; 0: ask about every photo on its own (default %(default)d)")
    tag.add_argument("--pool-events", action="store_true", help=argparse.SUPPRESS)  # before scenes; pooling is now the default
    tag.set_defaults(handler=run_tag, interrupted_hint=RESUME_HINT)
    undo = subparsers.add_parser("undo", help="restore every file a tagging job changed")
    undo.add_argument("job", help="job id (printed by geor tag; listed by geor jobs)")
    undo.set_defaults(handler=run_undo)
    jobs = subparsers.add_parser("jobs", help="list tagging jobs")
    jobs.set_defaults(handler=run_jobs)


def tag_request(args: argparse.Namespace) -> TagRequest:
    """The job the command line asks for, declaratively (the desktop builds the same from its settings)."""
    from geor.engine.pipeline.tag_request import ModelRequest, TagRequest

    if args.per_scene < 0:
        raise BadOption("--per-scene cannot be negative (0: ask about every photo)")
    model = None
    if args.model:
        model = ModelRequest(model=args.model, mmproj=str(args.mmproj) if args.mmproj else None, device=args.device, threads=args.threads,
                             ctx=args.ctx, gpu_layers=args.gpu_layers, samples=args.samples, temperature=args.temperature,
                             max_tokens=args.max_tokens, max_pixels=args.max_pixels, review_below=args.review_below, seed=args.seed,
                             per_scene=args.per_scene)
    return TagRequest(
        folder=args.folder, dry_run=args.dry_run, sidecar=args.sidecar, overwrite=args.overwrite, min_confidence=args.min_confidence,
        window_min=args.window_min, tracks=tuple(args.tracks), tz=args.tz, clocks=tuple(args.clock), infer_clocks=args.infer_clocks,
        same_place_m=args.same_place_m, same_place_max_min=args.same_place_max_min, interpolate_max_min=args.interpolate_max_min,
        extrapolate_max_min=args.extrapolate_max_min, max_speed_kmh=args.max_speed_kmh, far_km=args.far_km,
        max_radius_m=args.max_radius_m, privacy_zones=tuple(args.privacy_zone), privacy_mode=args.privacy, privacy_decimals=args.privacy_decimals,
        privacy_names=args.privacy_names, model=model, new_job=args.new_job,
    )


def run_tag(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from geor.engine.pipeline.tag_request import assemble_tag_job

    progress = Progress(TextColumn("{task.description:>8}"), BarColumn(), MofNCompleteColumn(), transient=True, disable=not sys.stderr.isatty())
    tasks: dict[str, TaskID] = {}

    def tick(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(stage, total=total)
        progress.update(tasks[stage], completed=done, total=total)

    def say(line: str) -> None:
        print(line, file=sys.stderr)

    job = assemble_tag_job(tag_request(args), model_progress=tick, messages=say)
    try:
        for line in job.notes:
            say(line)
        say(f"{'resuming' if job.resumed else 'job'} {job.store.id} on {job.store.root}")
        with progress:
            summary = job.run(tick)
    finally:
        job.close()
        job.store.close()
    for line in summary.problems + summary.failures:
        print(line, file=sys.stderr)
    print_clocks(summary.clocks)
    for label, count in sorted(summary.counts.items()):
        print(f"{count:8,}  {label}")
    print(f"report: {summary.report_csv}\n        {summary.report_geojson}")
    if not args.dry_run:
        print(f"undo:   geor undo {summary.job_id}")
    return exit_status(summary)


def exit_status(summary: JobSummary) -> int:
    """0 when every photo was handled, EXIT_SOME_FAILED when a row failed or was skipped, or a
    folder could not be listed (its photos are in no row)."""
    from geor.engine.pipeline.scan import UNLISTABLE

    unhandled = len(summary.failures) + sum(UNLISTABLE in line for line in summary.problems)
    if not unhandled:
        return 0
    print(f"{unhandled:,} not handled (named above and in the report): exit status {EXIT_SOME_FAILED}", file=sys.stderr)
    return EXIT_SOME_FAILED


def print_clocks(clocks: list[CameraClock]) -> None:
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
