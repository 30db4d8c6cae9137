"""``geor tag``: the resumable batch job over a folder of photos.

Stages, each recorded in the job store before the next begins: scan -> read metadata (thread
pool) -> clocks (every camera's offset from UTC, clocks.py) -> decide (the location sources, in
order) -> name the places (geocoder) -> plausibility checks -> write (through the safe writer,
journaled ahead of every rename; privacy zones applied). Killing the process at any moment
and running the same command again resumes: finished photos are not redone, and a write that was
under way is recognised by its checksum as done or not.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from geor.engine.errors import not_a_folder
from geor.engine.paths import printable
from geor.engine.photos import (
    NotAPicture,
    PhotoReadError,
    PhotoWriter,
    read_media,
    sha256_of,
)
from geor.engine.photos.metadata import WEAK_TIME_SOURCES
from geor.engine.placement import (
    DEFAULT_ANCHOR_RADIUS_M,
    AnchorSource,
    CameraClock,
    ClockPhoto,
    Decision,
    Fix,
    LocationSource,
    PhotoRecord,
    Placed,
    PlacementPolicy,
    Track,
    TrackError,
    camera_key,
    format_offset,
    implausible,
    infer_clocks,
    parse_clock_offset,
    parse_utc_offset,
    read_track_file,
    stored_fingerprints,
)

from .decision import decided_position
from .jobstore import JobStore, PhotoRow, Reading
from .progress import BATCH, Progress
from .report import write_reports
from .tag_options import TagOptions
from .vocabulary import Source, Stage, Step
from .write_stage import WRITE_WORKERS, settle_pending_writes, write_rows

READ_THREADS = 4
POLICY = PlacementPolicy()


@dataclass(kw_only=True)
class JobSummary:
    job_id: str
    counts: Counter[str]
    failures: list[str]
    problems: list[str]
    report_csv: Path
    report_geojson: Path
    clocks: list[CameraClock] = field(default_factory=list)


def run_tag_job(store: JobStore, options: TagOptions, sources: list[LocationSource],
                place_names: Callable[[list[tuple[float, float]]], list[dict[str, str | None]]] | None = None,
                progress: Progress | None = None, track: Track | None = None) -> JobSummary:
    """Run (or resume) a job; ``track``: the fixes of the job's track files, read by the caller
    (job_setup.plan_job) for the clocks, the anchor source and the plausibility checks alike."""
    with PhotoWriter(store.root, workers=WRITE_WORKERS) as writer:
        return _run_tag_job(store, options, sources, place_names, tick=progress or (lambda stage, done, total: None), track=track,
                            writer=writer)


def _run_tag_job(store: JobStore, options: TagOptions, sources: list[LocationSource],
                 place_names: Callable[[list[tuple[float, float]]], list[dict[str, str | None]]] | None, *, tick: Progress,
                 track: Track | None, writer: PhotoWriter) -> JobSummary:
    root = store.root
    if not root.is_dir():
        raise not_a_folder(root)
    settle_pending_writes(store)
    side_tracks: list[Path] = []
    problems = _scan(store, root, tick, side_tracks)
    if not options.dry_run and not options.sidecar and store.photos(Stage.NEW, Stage.READ, Stage.DECIDED):
        writer.start()  # ExifTool starts while the job reads and decides (issue 25: the write stage's speed)
    _read(store, tick)
    track = _with_telemetry(store, _with_side_tracks(track, side_tracks, problems, options.tracks))
    for source in sources:
        if isinstance(source, AnchorSource):
            source.track = track  # the videos' own tracks place the other devices' photos too
    clocks = _clocks(store, options, track, tick)
    _decide(store, options, sources, clocks, tick)
    _name_places(store, place_names)
    _check_plausibility(store, options, track)
    if not options.dry_run:
        write_rows(store, store.photos(Stage.DECIDED), options.sidecar, tick, writer)
    counts, failures, left_alone = _tally(store, options)
    csv_path, geojson_path = write_reports(store)
    store.set("state", "finished" if not options.dry_run else "dry-run")
    return JobSummary(job_id=store.id, counts=counts, failures=failures, problems=problems + left_alone, report_csv=csv_path,
                      report_geojson=geojson_path, clocks=list(clocks.values()))


def _scan(store: JobStore, root: Path, tick: Progress, side_tracks: list[Path] | None = None) -> list[str]:
    from .scan import scan_photos

    problems: list[str] = []
    known = {r.relpath: r for r in store.photos()}
    only = store.get("only")  # a job on some photos of a folder, not all: their relative paths (hex)
    chosen = {bytes.fromhex(h) for h in json.loads(only)} if only else None
    found = 0
    with store.transaction():
        for entry in scan_photos(root, problems, side_tracks):
            relpath = entry.relpath
            if chosen is not None and relpath not in chosen:
                continue
            found += 1
            row = known.get(relpath)
            if entry.skipped:  # a looping, dangling or outside link: a row of the report with its reason
                if row is None:
                    store.add_skipped(relpath, entry.skipped)
                elif row.stage != Stage.WRITTEN:
                    store.set_stage(row.id, Stage.SKIPPED, entry.skipped)
                continue
            assert entry.size is not None and entry.mtime_ns is not None  # a file the scan stat'ed
            if row is None:
                store.add_found(relpath, entry.size, entry.mtime_ns)
            elif row.stage == Stage.SKIPPED or (
                (row.size, row.mtime_ns) != (entry.size, entry.mtime_ns) and row.stage not in (Stage.WRITTEN,)
            ):
                store.mark_found_again(row.id, entry.size, entry.mtime_ns)
    tick(Step.SCAN, found, found)
    return problems


def _read(store: JobStore, tick: Progress) -> None:
    pending = [(row.id, store.path_of(row)) for row in store.photos(Stage.NEW)]  # the store stays in this thread
    total = len(pending)

    def read(item: tuple[int, Path]) -> tuple[int, Any]:
        photo_id, path = item
        try:
            return photo_id, read_media(path)
        except PhotoReadError as exc:
            return photo_id, exc
        except (RuntimeError, ValueError, OSError) as exc:  # exiv2 on hostile files: report, never stop the job
            return photo_id, PhotoReadError(f"unreadable ({type(exc).__name__}: {exc})")

    done = 0
    with ThreadPoolExecutor(READ_THREADS) as pool:
        results = pool.map(read, pending)
        while chunk := list(itertools.islice(results, BATCH)):  # one transaction per batch: a killed job keeps what it read
            with store.transaction():
                for photo_id, result in chunk:
                    if isinstance(result, NotAPicture):
                        store.set_stage(photo_id, Stage.LEFT_ALONE, f"left alone: {result}")
                    elif isinstance(result, PhotoReadError):
                        store.set_stage(photo_id, Stage.FAILED, f"cannot read: {result}")
                    else:
                        result, telemetry = result
                        store.record_telemetry(photo_id, telemetry)
                        store.record_reading(photo_id, Reading(
                            taken_at=result.taken_at.isoformat() if result.taken_at else None,
                            utc_offset_s=int(result.utc_offset.total_seconds()) if result.utc_offset is not None else None,
                            time_source=result.time_source, camera=result.camera, gps=result.gps, gps_problem=result.gps_problem,
                            gps_time=result.gps_time.isoformat() if result.gps_time else None, gps_accuracy_m=result.gps_accuracy_m))
            done += len(chunk)
            tick(Step.READ, done, total)
    tick(Step.READ, done, total)


def _with_side_tracks(track: Track | None, paths: list[Path], problems: list[str], given: tuple[str, ...] = ()) -> Track | None:
    """The job's track with the track files found in the folder (a logger's GPX, a watch's FIT, a
    drone's SRT), each named in the problems as used, with its positions, or not, with the reason;
    one also named by --track (that file, or a copy of it) is read once."""
    if not paths:
        return track
    named = {_real(Path(p)) for p in given}
    copies: set[str | None] | None = None  # the named files' contents, hashed only when a folder track is not one of them
    fixes = []
    for path in paths:
        if _real(path) in named:
            continue
        if copies is None:
            copies = {_content(Path(p)) for p in given} - {None}
        if copies and _content(path) in copies:
            continue
        try:
            found, skipped = read_track_file(path)
        except TrackError as exc:
            problems.append(f"{exc}; not used")
            continue
        fixes.extend(found)
        problems.append(f"{path}: a track file in the folder, used ({len(found):,} timed positions)")
        problems.extend(skipped[:1])
    if not fixes:
        return track
    return Track([*(track.fixes if track is not None else []), *fixes])


def _content(path: Path) -> str | None:
    """A file's SHA-256 (engine.photos' streaming one), None when it cannot be read (the track reader says why)."""
    try:
        return sha256_of(path)
    except OSError:
        return None


def _real(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def _with_telemetry(store: JobStore, track: Track | None) -> Track | None:
    """The job's track: the user's track files and the telemetry of the folder's videos (GoPro,
    CAMM, drones: times from GPS, always UTC), each fix naming the video it came from."""
    telemetry = store.telemetry()
    if not telemetry:
        return track
    names = {row.id: _file_name(row) for row in store.photos() if row.id in telemetry}
    fixes = [Fix(t, lat, lon, ele, source=names[photo_id]) for photo_id, found in telemetry.items() for t, lat, lon, ele in found]
    return Track([*(track.fixes if track is not None else []), *fixes])


#: Stages of photos whose metadata was read.
READ_STAGES = (Stage.READ, Stage.DECIDED, Stage.WRITTEN, Stage.WITHHELD, Stage.KEPT, Stage.UNPLACED, Stage.REVIEW)


def _file_name(row: PhotoRow) -> str:
    return printable(os.fsdecode(os.path.basename(row.relpath)))


def _clock_photo(row: PhotoRow) -> ClockPhoto | None:
    if not row.taken_at:
        return None
    local = dt.datetime.fromisoformat(row.taken_at).replace(tzinfo=dt.UTC).timestamp()
    gps_time = dt.datetime.fromisoformat(row.gps_time).timestamp() if row.gps_time else None
    position = row.gps[:2] if row.gps is not None else None
    return ClockPhoto(id=row.id, camera=camera_key(row.camera, row.relpath), name=_file_name(row), local=local,
                      tag_offset=row.utc_offset_s, gps_time=gps_time, position=position,
                      weak_time=row.time_source in WEAK_TIME_SOURCES)


def _clocks(store: JobStore, options: TagOptions, track: Track | None, tick: Progress) -> dict[str, CameraClock]:
    """Every camera's clock; each photo's UTC moment and its clock in words go into the store."""
    rows = store.photos(*READ_STAGES)
    photos = [p for p in map(_clock_photo, rows) if p is not None]
    overrides = {words: parse_clock_offset(text, f"--clock {words!r}").total_seconds() for words, text in options.clock_overrides().items()}
    default = parse_utc_offset(options.tz, "--tz")
    def infer(photos: list[ClockPhoto]) -> dict[str, CameraClock]:
        return infer_clocks(photos, overrides=overrides, default_offset=default.total_seconds() if default is not None else None,
                            infer=options.infer_clocks, track=track, policy=options.policy)

    clocks = infer(photos)
    unsure = {c.camera for c in clocks.values() if c.source == "bursts" and c.strength != "strong"}
    if options.infer_clocks and unsure and any(c.trusted for c in clocks.values()):
        # finer evidence for the cameras the bursts left unsure: their photos that look like another device's (the same scene)
        wanted = {p.id for p in photos if p.camera in unsure or clocks[p.camera].trusted}
        paths = {row.id: store.path_of(row) for row in rows if row.id in wanted}
        looks = stored_fingerprints(store, paths, lambda done, total: tick(Step.CLOCKS, done, total))
        photos = [replace(p, look=looks.get(p.id)) for p in photos]
        clocks = infer(photos)
    with store.transaction():
        for photo in photos:
            clock = clocks[photo.camera]
            offset, strength = clock.offset_for(photo)
            utc = dt.datetime.fromtimestamp(photo.local - offset, dt.UTC).isoformat() if offset is not None else None
            words = f"{format_offset(offset)} {strength}" if offset is not None else "unknown"
            store.record_clock(photo.id, utc, words, strength)
        store.set("clocks", json.dumps([c.as_dict() for c in clocks.values()], ensure_ascii=False))
    tick(Step.CLOCKS, len(photos), len(photos))
    return clocks


def _records(store: JobStore, clocks: dict[str, CameraClock] | None = None) -> list[PhotoRecord]:
    records = []
    looks = store.fingerprints()  # the clocks stage's, where it took them: same-scene evidence for placing (anchors.py)
    for row in store.photos(*READ_STAGES):
        gps = row.gps
        camera = camera_key(row.camera, row.relpath)
        clock = (clocks or {}).get(camera)
        words = ""
        if clock is not None and row.utc:
            offset = row.clock.split(" ")[0] if row.clock else ""
            words = f"{offset}, {clock.evidence}" if clock.evidence else offset
        records.append(
            PhotoRecord(id=row.id, path=store.path_of(row),
                        taken_at=dt.datetime.fromisoformat(row.taken_at) if row.taken_at else None,
                        utc_offset=dt.timedelta(seconds=row.utc_offset_s) if row.utc_offset_s is not None else None, camera=camera,
                        gps=gps, utc=dt.datetime.fromisoformat(row.utc) if row.utc else None,
                        clock_strength=row.clock_strength or "unknown", clock=words,
                        clock_uncertainty_s=clock.uncertainty_s if clock is not None else 0.0, gps_accuracy_m=row.gps_accuracy_m,
                        look=looks.get(row.id))
        )
    return records


def _decide(store: JobStore, options: TagOptions, sources: list[LocationSource], clocks: dict[str, CameraClock], tick: Progress) -> None:
    records = _records(store, clocks)
    policy = options.policy
    undecided = {r.id: r for r in records}
    by_id = {r.id: r for r in records}
    stage_of = {row.id: row.stage for row in store.photos()}
    # a person's review (a verdict, a hand-placed position) is never undone by deciding again
    reviewed = {row.id for row in store.photos() if row.verdict is not None or row.source == Source.MANUAL}
    problems = {row.id: row.gps_problem for row in store.photos()}
    time_sources = {row.id: row.time_source for row in store.photos()}
    decisions: dict[int, Decision] = {}
    notes: dict[int, str] = {}
    for source in sources:
        # every source sees every photo (anchors included), except those that ask to see only the
        # photos still unplaced; a photo with its own GPS takes another position only with --overwrite
        seen = records
        if getattr(source, "only_unplaced", False):
            seen = [r for r in records if r.id in undecided and stage_of[r.id] != Stage.WRITTEN and (r.gps is None or options.overwrite)]
        located = source.locate(seen)
        notes.update(getattr(source, "notes", {}))
        for photo_id, found in located.items():
            if photo_id in undecided and (by_id[photo_id].gps is None or options.overwrite):
                decisions[photo_id] = found
                undecided.pop(photo_id)
    with store.transaction():
        for record in records:
            if stage_of[record.id] == Stage.WRITTEN or record.id in reviewed:
                continue
            store.record_position(record.id, decided_position(
                record, decisions.get(record.id), min_confidence=options.min_confidence, policy=policy, overwrite=options.overwrite,
                weak_time=time_sources.get(record.id) in WEAK_TIME_SOURCES, gps_problem=problems.get(record.id), why_unplaced=notes.get(record.id)))
    tick(Step.DECIDE, len(records), len(records))


def _name_places(store: JobStore, place_names: Callable[[list[tuple[float, float]]], list[dict[str, str | None]]] | None) -> None:
    rows = [(r.id, r.position) for r in store.photos(Stage.DECIDED, Stage.REVIEW, Stage.KEPT) if r.position is not None and r.country is None]
    if place_names is None or not rows:
        return
    names = place_names([position for _, position in rows if position is not None])
    with store.transaction():
        for (photo_id, _), fields in zip(rows, names, strict=True):
            store.record_place_names(photo_id, fields)


def _check_plausibility(store: JobStore, options: TagOptions, track: Track | None) -> None:
    """Decisions that fail a check (plausibility.py) go to review with the reason; a person's
    verdict or hand placement is never undone."""
    placed = []
    for row in store.photos(Stage.KEPT, Stage.DECIDED, Stage.REVIEW, Stage.WRITTEN):
        if row.position is None:
            continue
        lat, lon = row.position
        utc = row.utc
        t = dt.datetime.fromisoformat(utc).timestamp() if utc else (
            dt.datetime.fromisoformat(row.taken_at).replace(tzinfo=dt.UTC).timestamp() if row.taken_at else None)
        placed.append(
            Placed(id=row.id, name=_file_name(row), camera=camera_key(row.camera, row.relpath), t=t, on_utc=bool(utc),
                   lat=lat, lon=lon, radius_m=row.radius_m or DEFAULT_ANCHOR_RADIUS_M,
                   source=Source.MANUAL if row.verdict is not None else row.source or Source.EXIF, country=row.country,
                   country_code=row.country_code, review=row.stage == Stage.REVIEW)
        )
    flags = implausible(placed, options.policy, track)
    if not flags:
        return
    with store.transaction():
        for row in store.photos(Stage.DECIDED, Stage.REVIEW):
            reason = flags.get(row.id)
            if reason is None or row.verdict is not None or row.source == Source.MANUAL:
                continue
            message = f"{row.message}; implausible: {reason}" if row.message else f"implausible: {reason}"
            if row.stage == Stage.DECIDED:
                message += ": review before writing"
            store.set_stage(row.id, Stage.REVIEW, message)


#: How the summary counts the rows that were not written or kept.
TALLY_WORDS: dict[str, str] = {Stage.UNPLACED: "no location found", Stage.REVIEW: "left for review", Stage.FAILED: "failed",
                               Stage.SKIPPED: "skipped (not a photo of this folder)", Stage.WITHHELD: "withheld (privacy zone)",
                               Stage.LEFT_ALONE: "left alone (no picture in it)"}


def _tally(store: JobStore, options: TagOptions) -> tuple[Counter[str], list[str], list[str]]:
    """Counts by outcome; the rows not handled (failed, skipped); the files left alone, named."""
    counts: Counter[str] = Counter()
    failures, left_alone = [], []
    for row in store.photos():
        stage = row.stage
        if stage == Stage.WRITTEN or (stage == Stage.DECIDED and options.dry_run):
            counts[f"{'would tag' if options.dry_run else 'tagged'} by {row.source}"] += 1
        elif stage == Stage.KEPT:
            counts["already had GPS (exif)"] += 1
        else:
            counts[TALLY_WORDS.get(stage, stage)] += 1
        if stage in (Stage.FAILED, Stage.SKIPPED):
            failures.append(f"{printable(store.path_of(row))}: {row.message}")
        elif stage == Stage.LEFT_ALONE:  # named, not a failure: there is nothing in it to place
            left_alone.append(f"{printable(store.path_of(row))}: {row.message}")
    return counts, failures, left_alone
