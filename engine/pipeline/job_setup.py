"""Building a tagging job from its declarative options: the one engine function the CLI and the
desktop app both call, so a folder tagged from either follows the same rules.

``plan_job(options)`` checks every option (a bad offset, zone or track file is an error naming it,
before any job exists), reads the track files once, and gives the location sources in order of
trust: the user's own data (anchors: every device's GPS photos and the tracks, clock-corrected),
then, when asked, the model. ``open_job_store`` finds the unfinished job on the same folder with
the same options (to resume) or creates one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from geor.engine.placement import AnchorSource, LocationSource, Track, TrackRead, read_tracks

from .jobstore import JobStore
from .tag_options import TagOptions


@dataclass
class JobPlan:
    sources: list[LocationSource]
    tracks: TrackRead | None = None
    notes: list[str] = field(default_factory=list)  # what the user should know before the job runs (track records skipped: damaged, or without a fix)

    @property
    def track(self) -> Track | None:
        return self.tracks.track if self.tracks is not None else None


def plan_job(options: TagOptions) -> JobPlan:
    options.check()
    tracks = read_tracks([Path(p) for p in options.tracks]) if options.tracks else None
    notes = []
    if tracks is not None:
        for path, count in tracks.files.items():
            notes.append(f"{path}: {count:,} timed positions")
        if tracks.skipped:
            shown = tracks.skipped[:5]
            more = f" (and {len(tracks.skipped) - 5:,} more)" if len(tracks.skipped) > 5 else ""
            notes.append(f"skipped {len(tracks.skipped):,} track records (damaged, or without a fix): {'; '.join(shown)}{more}")
    return JobPlan([AnchorSource(options.policy, tracks.track if tracks is not None else None)], tracks, notes)


def open_job_store(root: Path, options: TagOptions, origin: str = "cli", new_job: bool = False) -> tuple[JobStore, bool]:
    """(store, resumed): the unfinished job on this folder with these options, or a new one."""
    store = None if new_job else JobStore.unfinished_for(root, options, origin)
    if store is not None:
        return store, True
    return JobStore.create(root, options, origin), False
