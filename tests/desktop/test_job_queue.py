"""The job queue over a real folder and job store: which photos the review screen is given."""

from __future__ import annotations

from pathlib import Path

from geor.desktop.job_queue import REVIEW, JobQueue
from geor.desktop.settings import AppSettings
from geor.desktop.workers import read_snapshot
from geor.engine.pipeline import JobStore

from ..helpers.desktop_photos import photo_folder


def names(views) -> set[str]:
    return {Path(v.relpath).name for v in views}


def test_a_read_that_began_earlier_never_replaces_the_photos_shown(qtbot, desktop_home, tmp_path):
    """The job's thread and the review lane both read the store and deliver what they read in any
    order; a slow read that began before the newest one (under load, it lands last) is dropped."""
    empty = tmp_path / "empty"
    empty.mkdir()
    store = JobStore.create(empty, {"desktop": True}, origin="desktop")
    try:
        early = read_snapshot(store)  # begins before the job below has read a photo
    finally:
        store.close()
    assert early.views == []

    queue = JobQueue(AppSettings())
    try:
        queue.add_folder(photo_folder(tmp_path, model_photos=1))
        qtbot.waitUntil(lambda: bool(queue.jobs) and queue.jobs[0].state == REVIEW, timeout=180000)
        job = queue.jobs[0]
        shown = names(job.views)
        assert {"tokyo_1.jpg", "hokkaido_1.jpg", "damaged.jpg"} <= shown

        with qtbot.assertNotEmitted(queue.views_changed):
            queue._views(job, early)  # the slot both readers' results arrive at
        assert names(job.views) == shown

        # a read that begins now is newer than all of them and is shown
        refreshed = []
        queue.views_changed.connect(refreshed.append)
        queue.load_views(job)
        qtbot.waitUntil(lambda: bool(refreshed))
        assert names(job.views) == shown and job.views_taken > early.taken
    finally:
        queue.shutdown()
