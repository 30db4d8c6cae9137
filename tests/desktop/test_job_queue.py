"""The job queue over a real folder and job store: which photos the review screen is given."""

from __future__ import annotations

from pathlib import Path

from geor.desktop.job_queue import REVIEW, JobQueue
from geor.desktop.settings import AppSettings
from geor.desktop.workers import read_snapshot
from geor.engine.pipeline import JobStore, list_jobs

from ..helpers.desktop_photos import photo_folder


def names(views) -> set[str]:
    return {Path(v.relpath).name for v in views}


def test_a_read_that_began_earlier_never_replaces_the_photos_shown(qtbot, desktop_home, tmp_path):
    """The job's thread and the review lane both read the store and deliver what they read in any
    order; a slow read that began before the newest one (under load, it lands last) is dropped."""
    empty = tmp_path / "empty"
    empty.mkdir()
    store = JobStore.create(empty, None, origin="desktop")
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


def test_a_job_added_while_earlier_jobs_are_listed_is_listed_once_and_as_new(qtbot, desktop_home, tmp_path):
    """At start the app lists earlier jobs on one thread while a dropped folder's job is created on
    another; the listing can come back first, having seen the new job's store."""
    earlier = JobStore.create(tmp_path, None, origin="desktop")  # a job of an earlier session
    earlier.set("state", "queued")
    earlier.close()

    queue = JobQueue(AppSettings())
    try:
        queue.add_folder(photo_folder(tmp_path, model_photos=0))
        assert queue.tasks.wait(30000)  # created; the queue has not been told yet (no events processed)
        queue._found_earlier(list_jobs())  # the listing's answer arrives first
        qtbot.waitUntil(lambda: len(queue.jobs) == 2)
        qtbot.wait(200)
        assert len(queue.jobs) == 2 and len({job.path for job in queue.jobs}) == 2
        assert [job.earlier for job in queue.jobs] == [True, False]
        assert queue.jobs[0].path == earlier.path
    finally:
        queue.shutdown()
