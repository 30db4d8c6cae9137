"""The write stage, which the job (``geor tag``) and a person's review (review.write_accepted)
both call: each photo's position through the safe writer (engine.photos: ExifTool, the rewrite
check, atomic replace), journaled in the job store ahead of every rename as one batch that undo
gives back together, with privacy zones applied by the rules the job recorded."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from geor.engine.photos import FileState, Location, PhotoWriteError, PhotoWriter, WriteRequest, WriteResult, sha256_of
from geor.engine.photos.place_name_tags import NAME_TAGS
from geor.engine.placement import PrivacyZone, rules_for_writing

from .jobstore import JobStore, PhotoRow
from .progress import BATCH, JobCancelled, Progress
from .vocabulary import NAME_FIELDS, Stage, Step

#: ExifTool processes writing at once, one per core this process may use (each a Perl process of
#: about 30 MB): the verified write reads every file twice, so it needs the cores to keep up.
WRITE_WORKERS = max(1, min(8, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def write_rows(store: JobStore, rows: list[PhotoRow], sidecar: bool, tick: Progress, writer: PhotoWriter | None = None) -> int:
    """Write each row's position through the safe writer (``writer``, else one of its own), journaled
    ahead of every rename as one batch (undone together); returns the batch number. A position inside
    a privacy zone is coarsened or withheld (privacy.py) by the rules the job recorded."""
    root = store.root
    batch = store.next_batch()
    options = store.options()
    overwrite = options.overwrite
    privacy = rules_for_writing(options.privacy_rules())
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


def settle_pending_writes(store: JobStore) -> None:
    """A write journaled but maybe not renamed (the process died): the checksum tells."""
    for change in store.changes("pending"):
        target = Path(os.fsdecode(change.target))
        if sha256_of(target) == change.sha256:
            store.set_change(change.id, "done")
            store.set_stage(change.photo_id, Stage.WRITTEN, None)
        else:
            store.set_change(change.id, "abandoned", "the rename never happened")
