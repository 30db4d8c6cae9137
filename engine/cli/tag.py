"""``geor tag FOLDER``, ``geor undo JOB`` and ``geor jobs``: the batch geotagging job."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from geor.engine.errors import RESUME_HINT, BadOption
from geor.engine.options import add_arguments, from_arguments
from geor.engine.pipeline.tag_options import TagOptions

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
            f"exit status: 0 when every photo was handled (tagged, already located, left for review, no location found, or left alone "
            f"with no picture in it, an audio recording named as a video); "
            f"{EXIT_SOME_FAILED} when the job ran but some photos failed (unreadable, a write refused) or were skipped (a "
            f"link out of the folder, a folder that cannot be listed): each is named on stderr and in the report; 1 when "
            f"the job could not run (a missing folder, an option value that cannot work), 2 when the command line cannot "
            f"be read (an unknown option, a missing value), 130 when interrupted (run again to resume)"
        ),
    )
    tag.add_argument("folder", type=Path)
    tag.add_argument("--new-job", action="store_true", help="start afresh instead of resuming an unfinished job on this folder")
    add_arguments(tag, TagOptions)  # every option of the job, declared once (engine/pipeline/tag_options.py)
    add_model_arguments(tag, required=False, for_job=True)
    tag.add_argument("--pool-events", action="store_true", help=argparse.SUPPRESS)  # before scenes; pooling is now the default
    tag.set_defaults(handler=run_tag, interrupted_hint=RESUME_HINT)
    undo = subparsers.add_parser("undo", help="restore every file a tagging job changed")
    undo.add_argument("job", help="job id (printed by geor tag; listed by geor jobs)")
    undo.set_defaults(handler=run_undo)
    jobs = subparsers.add_parser("jobs", help="list tagging jobs")
    jobs.set_defaults(handler=run_jobs)


def tag_request(args: argparse.Namespace) -> TagRequest:
    """The job the command line asks for, declaratively (the desktop builds the same from its settings)."""
    from geor.engine.inference.model_request import ModelRequest
    from geor.engine.pipeline.tag_request import TagRequest

    if args.per_scene < 0:
        raise BadOption("--per-scene cannot be negative (0: ask about every photo)")
    model = from_arguments(ModelRequest, args) if args.model else None
    return TagRequest(folder=args.folder, options=from_arguments(TagOptions, args, model=model), new_job=args.new_job)


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
