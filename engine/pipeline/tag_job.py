"""``geor tag``: the resumable batch job over a folder of photos.

Stages, each recorded in the job store before the next begins: scan -> read metadata (thread
pool) -> clocks (every camera's offset from UTC, clocks.py) -> decide (the location sources, in
order) -> name the places (geocoder) -> plausibility checks -> write (through the safe writer,
journaled ahead of every rename; privacy zones applied). Killing the process at any moment
and running the same command again resumes: finished photos are not redone, and a write that was
under way is recognised by its checksum as done or not.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import math
import os
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from geor.engine.errors import BadInput, BadOption
from geor.engine.paths import printable
from geor.engine.photos import (
    FileState,
    Location,
    PhotoReadError,
    PhotoWriteError,
    PhotoWriter,
    WriteRequest,
    WriteResult,
    read_metadata,
    sha256_of,
)
from geor.engine.photos.metadata import WEAK_TIME_SOURCES
from geor.engine.photos.place_name_tags import NAME_TAGS
from geor.engine.placement import (
    DEFAULT_ANCHOR_RADIUS_M,
    DEFAULT_PER_SCENE,
    CameraClock,
    ClockPhoto,
    Decision,
    LocationSource,
    PhotoRecord,
    Placed,
    PlacementPolicy,
    PrivacyRules,
    PrivacyZone,
    Track,
    camera_key,
    format_offset,
    implausible,
    infer_clocks,
    parse_clock_offset,
    parse_utc_offset,
    rules_for_writing,
    rules_from_options,
    stored_fingerprints,
)

from .jobstore import JobStore, PhotoRow, Position, Reading
from .report import write_reports
from .vocabulary import NAME_FIELDS, TIME_BASED_SOURCES, Source, Stage, Step

Progress = Callable[[str, int, int], None]  # stage, done, total; may raise JobCancelled to stop the job
READ_THREADS = 4
#: ExifTool processes writing at once, one per core this process may use (each a Perl process of
#: about 30 MB): the verified write reads every file twice, so it needs the cores to keep up.
WRITE_WORKERS = max(1, min(8, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))
BATCH = 100
#: Sources that place a photo by its capture time, which a ModifyDate-only time makes doubtful.
WEAK_TIME_NOTE = "its only capture time is ModifyDate, the time of the last edit"
POLICY = PlacementPolicy()


class JobCancelled(Exception):
    """Raised by a progress callback to stop a job between two photos. Everything done so far is
    in the job store; running the job again resumes."""


@dataclass(kw_only=True)
class TagOptions:
    """Everything a job is asked to do, declaratively (the CLI's flags, the desktop's settings); the
    job store keeps it, so a resumed job or a later review works by the same rules."""

    dry_run: bool = False
    sidecar: bool = False
    overwrite: bool = False
    min_confidence: float = 0.3
    window_min: float = 10.0  # photos this close in time (and alike) are one scene for the model
    tracks: list[str] = field(default_factory=list)  # GPX, KML/KMZ, GeoJSON, NMEA, CSV, Google location history
    tz: str | None = None  # the clock of cameras nothing else tells about
    clocks: dict[str, str] = field(default_factory=dict)  # camera words -> clock offset, set by the user
    infer_clocks: bool = True
    same_place_m: float = POLICY.same_place_m  # the interpolation policy and the checks' limits (policy.py)
    same_place_max_min: float = POLICY.same_place_max_min
    interpolate_max_min: float = POLICY.interpolate_max_min
    extrapolate_max_min: float = POLICY.extrapolate_max_min
    max_speed_kmh: float = POLICY.max_speed_kmh
    far_km: float = POLICY.far_km
    max_radius_m: float = POLICY.max_radius_m  # a position from photos or a track that may be further off than this goes to review
    privacy_zones: list[str] = field(default_factory=list)  # LAT,LON,RADIUS_M[,NAME]
    privacy_mode: str = "coarsen"
    privacy_decimals: int = 2
    privacy_names: bool = True
    model: str | None = None  # the model stage's model (path or name); None: no model stage
    samples: int = 1
    per_scene: int = DEFAULT_PER_SCENE  # photos the model is asked about per scene (scenes.py); 0: every photo

    def as_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v) for k, v in self.__dict__.items()}

    def policy(self) -> PlacementPolicy:
        return policy_from_options(self.as_dict())

    def privacy(self) -> PrivacyRules:
        return rules_from_options(self.as_dict())

    def check(self) -> None:
        """Raise a UserError naming the first setting that cannot work."""
        if not 0 <= self.min_confidence <= 1:
            raise BadOption("the minimum confidence must be within 0..1")
        if self.window_min < 0:
            raise BadOption("the scene window (--window-min) cannot be negative")
        if self.per_scene < 0:
            raise BadOption("photos per scene (--per-scene) cannot be negative; 0 asks about every photo")
        problems = self.policy().problems()
        if problems:
            raise BadOption(problems[0])
        parse_utc_offset(self.tz, "--tz")
        for words, offset in self.clocks.items():
            parse_clock_offset(offset, f"--clock {words!r}")
        self.privacy()  # every zone parsed


def policy_from_options(options: dict[str, Any]) -> PlacementPolicy:
    return PlacementPolicy(**{name: float(options.get(name, getattr(POLICY, name))) for name in POLICY.__dataclass_fields__})


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
        raise BadInput(f"{root}: no such folder")
    _settle_pending_writes(store)
    problems = _scan(store, root, tick)
    _read(store, tick)
    if not options.dry_run and not options.sidecar and (writable := _writable(store, options.overwrite)):
        writer.start().read_ahead(writable)  # ExifTool starts and reads these while the job decides (issue 25: the write stage's speed)
    clocks = _clocks(store, options, track, tick)
    _decide(store, options, sources, clocks, tick)
    _name_places(store, place_names)
    _check_plausibility(store, options, track)
    if not options.dry_run:
        write_rows(store, store.photos(Stage.DECIDED), options.sidecar, tick, writer)
    counts, failures = _tally(store, options)
    csv_path, geojson_path = write_reports(store)
    store.set("state", "finished" if not options.dry_run else "dry-run")
    return JobSummary(job_id=store.id, counts=counts, failures=failures, problems=problems, report_csv=csv_path,
                      report_geojson=geojson_path, clocks=list(clocks.values()))


def _writable(store: JobStore, overwrite: bool) -> list[Path]:
    """The photos the job may write in place, those with a capture time first (the likeliest to be placed)."""
    rows = [row for row in store.photos(Stage.READ, Stage.DECIDED) if overwrite or row.gps_lat is None]
    return [store.path_of(row) for row in sorted(rows, key=lambda row: row.taken_at is None)]


def _settle_pending_writes(store: JobStore) -> None:
    """A write journaled but maybe not renamed (the process died): the checksum tells."""
    for change in store.changes("pending"):
        target = Path(os.fsdecode(change.target))
        if sha256_of(target) == change.sha256:
            store.set_change(change.id, "done")
            store.set_stage(change.photo_id, Stage.WRITTEN, None)
        else:
            store.set_change(change.id, "abandoned", "the rename never happened")


def _scan(store: JobStore, root: Path, tick: Progress) -> list[str]:
    from .scan import scan_photos

    problems: list[str] = []
    known = {r.relpath: r for r in store.photos()}
    only = store.get("only")  # a job on some photos of a folder, not all: their relative paths (hex)
    chosen = {bytes.fromhex(h) for h in json.loads(only)} if only else None
    found = 0
    with store.transaction():
        for entry in scan_photos(root, problems):
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
            return photo_id, read_metadata(path)
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
                    if isinstance(result, PhotoReadError):
                        store.set_stage(photo_id, Stage.FAILED, f"cannot read: {result}")
                    else:
                        store.record_reading(photo_id, Reading(
                            taken_at=result.taken_at.isoformat() if result.taken_at else None,
                            utc_offset_s=int(result.utc_offset.total_seconds()) if result.utc_offset is not None else None,
                            time_source=result.time_source, camera=result.camera, gps=result.gps, gps_problem=result.gps_problem,
                            gps_time=result.gps_time.isoformat() if result.gps_time else None, gps_accuracy_m=result.gps_accuracy_m))
            done += len(chunk)
            tick(Step.READ, done, total)
    tick(Step.READ, done, total)


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
    overrides = {words: parse_clock_offset(text, f"--clock {words!r}").total_seconds() for words, text in options.clocks.items()}
    default = parse_utc_offset(options.tz, "--tz")
    def infer(photos: list[ClockPhoto]) -> dict[str, CameraClock]:
        return infer_clocks(photos, overrides=overrides, default_offset=default.total_seconds() if default is not None else None,
                            infer=options.infer_clocks, track=track, policy=options.policy())

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
    policy = options.policy()
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
            decision = decisions.get(record.id)
            if decision is None:
                if record.gps is not None:
                    store.record_position(record.id, Position(stage=Stage.KEPT, source=Source.EXIF, lat=record.gps[0], lon=record.gps[1],
                                                              gps_alt=record.gps[2], confidence=1.0, radius_m=record.gps_accuracy_m, message=None,
                                                              evidence="its own GPS"))
                else:
                    reason = "no time in its metadata" if record.taken_at is None else "no GPS, no track point or GPS photo near its time"
                    if record.id in notes:
                        reason = f"{reason}; {notes[record.id]}"
                    if problems.get(record.id):
                        reason = f"{reason}; {problems[record.id]}"
                    store.record_position(record.id, Position(stage=Stage.UNPLACED, source=None, lat=None, lon=None, confidence=None,
                                                              radius_m=None, message=reason, evidence=None))
                continue
            stage, message = decision_stage(decision, options.min_confidence, policy)
            if time_sources.get(record.id) in WEAK_TIME_SOURCES and decision.source in TIME_BASED_SOURCES:
                stage, message = Stage.REVIEW, f"{decision.note}; {WEAK_TIME_NOTE}: review before writing"
            if problems.get(record.id) and not options.overwrite:
                stage, message = Stage.REVIEW, f"{problems[record.id]}: not replaced without --overwrite"
            store.record_position(record.id, Position(
                stage=stage, source=decision.source, lat=decision.lat, lon=decision.lon, gps_alt=decision.altitude_m if record.gps is None else record.gps[2],
                confidence=round(decision.confidence, 3), message=message, evidence=decision.note,
                radius_m=round(decision.radius_m, 1) if decision.radius_m is not None and math.isfinite(decision.radius_m) else None))
    tick(Step.DECIDE, len(records), len(records))


def decision_stage(decision: Decision, min_confidence: float, policy: PlacementPolicy) -> tuple[Stage, str]:
    """Whether a source's decision is written (DECIDED) or proposed for review, and the words why:
    it is written when its source does not ask for review, it is at least ``min_confidence`` sure,
    and, for a position from photos or a track, it may be off by at most ``policy.max_radius_m``
    (its radius includes how far its clock's uncertainty can move it)."""
    if decision.review:
        return Stage.REVIEW, f"{decision.note}: review before writing"
    radius = decision.radius_m  # the more telling reason first: how far off it may be
    if decision.source in TIME_BASED_SOURCES and radius is not None and radius > policy.max_radius_m:
        reach = "it may be anywhere" if not math.isfinite(radius) else f"it may be {radius / 1000:,.1f} km off"
        return Stage.REVIEW, f"{decision.note}: {reach}, beyond the {policy.max_radius_m / 1000:g} km limit: review before writing"
    if decision.confidence < min_confidence:
        return Stage.REVIEW, f"confidence {decision.confidence:.2f} below {min_confidence:.2f}: review before writing"
    return Stage.DECIDED, decision.note


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
    flags = implausible(placed, options.policy(), track)
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


def write_rows(store: JobStore, rows: list[PhotoRow], sidecar: bool, tick: Progress, writer: PhotoWriter | None = None) -> int:
    """Write each row's position through the safe writer (``writer``, else one of its own), journaled
    ahead of every rename as one batch (undone together); returns the batch number. A position inside
    a privacy zone is coarsened or withheld (privacy.py) by the rules the job recorded."""
    root = store.root
    batch = store.next_batch()
    options = store.options()
    overwrite = bool(options.get("overwrite", False))
    privacy = rules_for_writing(options)
    requests: dict[WriteRequest, int] = {}
    private: dict[int, str] = {}
    withheld: dict[int, PrivacyZone] = {}
    for row in rows:
        path = store.path_of(row)
        assert row.position is not None  # a proposal has a position
        location = Location(lat=row.position[0], lon=row.position[1], altitude_m=row.gps_alt, **row.names)
        zone = privacy.zone_of(*row.position)
        if zone is not None:
            if privacy.mode == "omit":
                withheld[row.id] = zone
                continue
            lat, lon = privacy.coarsen(*row.position)
            location = Location(lat=lat, lon=lon, altitude_m=None,
                                **(row.names if privacy.names else dict.fromkeys(NAME_FIELDS)))
            private[row.id] = f"inside the privacy zone {zone.label()}: {privacy.describe()}"
        own = store.last_written(row.id)  # a correction replaces what this job wrote before
        request = WriteRequest(photo=path, location=location, sidecar=sidecar, overwrite=overwrite,
                               expect=FileState(row.size, row.mtime_ns) if row.size is not None and row.mtime_ns is not None else None,
                               own_position=own is not None, own_names=bool(own and set(own) & NAME_TAGS))
        requests[request] = row.id
    if withheld:
        with store.transaction():
            for photo_id, zone in withheld.items():
                store.set_stage(photo_id, Stage.WITHHELD, f"inside the privacy zone {zone.label()}: not written")
    change_ids: dict[WriteRequest, int] = {}

    def journal(request: WriteRequest, result: WriteResult) -> None:
        change_ids[request] = store.journal_pending(requests[request], result, batch)

    outcomes: list[tuple[int, int | None, str, str, FileState | None]] = []  # (photo, change, stage, message, file): every BATCH writes

    def record() -> None:
        """Each write's outcome. Until this commits, a crash leaves the change 'pending', which
        the next run settles by the file's checksum: only the journal entry must precede a rename."""
        with store.transaction():
            for photo_id, change_id, stage, message, state in outcomes:
                if change_id is not None:
                    store.set_change(change_id, "done" if stage == Stage.WRITTEN else "abandoned", None if stage == Stage.WRITTEN else message)
                store.set_stage(photo_id, stage, message)
                if state is not None:
                    store.record_file(photo_id, state.size, state.mtime_ns)
        outcomes.clear()

    with (contextlib.nullcontext(writer) if writer is not None else PhotoWriter(root, workers=WRITE_WORKERS)) as photo_writer, \
            contextlib.closing(photo_writer.write_many(requests, before_replace=journal)) as writes:
        for done, (request, outcome) in enumerate(writes, start=1):
            if isinstance(outcome, PhotoWriteError):
                outcomes.append((requests[request], change_ids.get(request), Stage.FAILED, f"write failed: {outcome}", None))
            else:
                notes = [f"written to {outcome.target.name}", *([private[requests[request]]] if requests[request] in private else []), *outcome.notes]
                # the store's idea of the file follows the write, so a later correction can write again
                state = FileState.of(request.photo) if outcome.target == request.photo else None
                outcomes.append((requests[request], change_ids.get(request), Stage.WRITTEN, "; ".join(notes), state))
            if len(outcomes) >= BATCH:
                record()
            try:
                tick(Step.WRITE, done, len(requests))
            except JobCancelled:
                record()  # what was written stays recorded; the rest is untouched and resumes
                raise
    record()
    return batch


def _tally(store: JobStore, options: TagOptions) -> tuple[Counter[str], list[str]]:
    counts: Counter[str] = Counter()
    failures = []
    for row in store.photos():
        stage = row.stage
        if stage == Stage.WRITTEN or (stage == Stage.DECIDED and options.dry_run):
            counts[f"{'would tag' if options.dry_run else 'tagged'} by {row.source}"] += 1
        elif stage == Stage.KEPT:
            counts["already had GPS (exif)"] += 1
        else:
            words: dict[str, str] = {Stage.UNPLACED: "no location found", Stage.REVIEW: "left for review", Stage.FAILED: "failed",
                    Stage.SKIPPED: "skipped (not a photo of this folder)", Stage.WITHHELD: "withheld (privacy zone)"}
            counts[words.get(stage, stage)] += 1
        if stage in (Stage.FAILED, Stage.SKIPPED):
            failures.append(f"{printable(store.path_of(row))}: {row.message}")
    return counts, failures
