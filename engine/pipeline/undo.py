"""``geor undo JOB``: give back every file a job changed, byte for byte, newest change first.

Each journaled change holds a patch from the bytes Geo-R wrote to the bytes that were there before
(and both checksums): the photo is rebuilt from it, checked against the original checksum, and
swapped in atomically. A sidecar Geo-R created is removed. A file changed by someone else since
Geo-R wrote it is left alone and reported; undo can be run again safely."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from geor.engine.paths import printable
from geor.engine.photos import FileState, PhotoWriteError, restore_original, sha256_of

from .jobstore import JobStore
from .vocabulary import Stage


@dataclass
class UndoSummary:
    restored: int = 0
    removed_sidecars: int = 0
    skipped: list[str] = field(default_factory=list)


def undo_job(store: JobStore, batch: int | None = None) -> UndoSummary:
    """Undo every change of the job, or only those of one write action (``batch``)."""
    summary = UndoSummary()
    # a pending change whose file carries the new checksum did happen: undo it too
    for change in store.changes("pending"):
        target = Path(os.fsdecode(change.target))
        store.set_change(change.id, "done" if sha256_of(target) == change.sha256 else "abandoned")
    for change in reversed(store.changes("done", batch=batch)):
        target = Path(os.fsdecode(change.target))
        current = sha256_of(target)
        if current is None:
            summary.skipped.append(f"{printable(target)}: no longer exists; nothing to restore")
            store.set_change(change.id, "undone", "file gone")
            continue
        if current != change.sha256:
            summary.skipped.append(f"{printable(target)}: changed since Geo-R wrote it; left as it is")
            continue
        try:
            if change.created:
                target.unlink()
                summary.removed_sidecars += 1
            elif change.restore is None or change.original_sha256 is None:
                summary.skipped.append(f"{printable(target)}: written by a Geo-R older than 0.2, whose journal cannot give the bytes back; "
                                       "left as it is")
                continue
            else:
                restore_original(target, change.sha256, change.restore, change.original_sha256)
                summary.restored += 1
        except (PhotoWriteError, OSError) as exc:
            summary.skipped.append(f"{printable(target)}: {exc}")
            continue
        with store.transaction():
            store.set_change(change.id, "undone")
            store.set_stage(change.photo_id, Stage.DECIDED, "undone")
            photo = store.photo(change.photo_id)
            if photo is not None and store.path_of(photo) == target:
                state = FileState.of(target)
                store.record_file(change.photo_id, state.size, state.mtime_ns)
    if batch is None:
        store.set("state", "undone")
    return summary
