"""The app's jobs, as a view-model: a queue of folders, one job running at a time (the model is
the expensive part), each pausable, resumable and cancellable; jobs left by an earlier session
(closed or crashed mid-run) come back as "interrupted" and resume from the job store.

Every database or file action runs off the UI thread: the job itself on a :class:`JobThread`,
review actions and writes one at a time on a single-thread lane (so they apply in the order the
person made them).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from geor.engine.errors import BadInput

from .error_edge import is_bug
from .settings import AppSettings
from .workers import JobThread, Snapshot, TaskRunner, read_snapshot

#: states a job is shown in
QUEUED, RUNNING, PAUSED, REVIEW, CANCELLED, FAILED, INTERRUPTED = (
    "queued", "running", "paused", "ready for review", "cancelled", "failed", "interrupted")
RESUMABLE = (CANCELLED, INTERRUPTED, FAILED)


@dataclass(kw_only=True)
class Job:
    path: Path  # the job store (SQLite)
    root: str  # the folder, as text
    state: str
    stage: str = ""
    done: int = 0
    total: int = 0
    error: str = ""
    views: list[Any] = field(default_factory=list)  # PhotoView
    views_taken: int = -1  # the Snapshot the views came from
    loaded: bool = False
    earlier: bool = False  # listed from an earlier session, not added in this one

    @property
    def id(self) -> str:
        return self.path.stem

    @property
    def name(self) -> str:
        return Path(self.root).name or self.root

    @property
    def busy(self) -> bool:
        return self.state in (QUEUED, RUNNING, PAUSED)


class JobQueue(QObject):
    jobs_changed = Signal()  # a job was added or removed
    job_updated = Signal(object)  # Job: state or progress
    views_changed = Signal(object)  # Job: its photos
    error = Signal(str, str)  # title, text
    notice = Signal(str)  # a line for the status bar
    wrote = Signal(object, object)  # Job, WriteSummary
    undid = Signal(object, object)  # Job, UndoSummary | None
    idle = Signal()  # nothing queued or running
    write_progress = Signal(object, int, int)  # Job, files written, files to write (emitted from the write's thread)

    def __init__(self, settings: AppSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.jobs: list[Job] = []
        self.tasks = TaskRunner(2, self)
        self.lane = TaskRunner(1, self)  # review actions and writes, in order
        self.job_thread: JobThread | None = None  # not self.thread: that would hide QObject.thread()
        self.running: Job | None = None
        self.stopping = False  # the app is closing: no new job starts
        # the stores this session created: listing earlier jobs (on another thread) may find one before it is added
        self._created_here: set[Path] = set()
        self._creating = threading.Lock()

    # -- adding jobs ------------------------------------------------------------------------------

    def load_earlier_jobs(self) -> None:
        """Jobs this app created in earlier sessions (newest first)."""
        from geor.engine.pipeline import list_jobs

        def listed() -> list[Any]:
            with self._creating:  # a job being added now is listed whole, or not at all
                return list_jobs()

        self.tasks.run(listed, self._found_earlier, lambda message: self.error.emit("Could not list earlier jobs", message))

    def _found_earlier(self, infos: list[Any]) -> None:
        with self._creating:  # added already, or about to be (a listing can come back before the job it saw is added)
            known = {job.path for job in self.jobs} | self._created_here
        for info in infos:
            if info.origin != "desktop" or info.path in known:
                continue
            state = INTERRUPTED if info.state in ("running", "queued") else REVIEW
            self.jobs.append(Job(path=info.path, root=info.root, state=state, earlier=True))
        self.jobs_changed.emit()

    def add_folder(self, folder: Path) -> None:
        self._add(Path(folder), None, "Cannot add this folder")

    def add_files(self, folder: Path, files: list[Path]) -> None:
        """A job on some photos of a folder (dropped or chosen one by one), not the whole folder."""
        self._add(Path(folder), files, "Cannot add these photos")

    def _add(self, folder: Path, files: list[Path] | None, title: str) -> None:
        """A queued job on ``folder`` (on ``files`` of it only, when given), created off the UI thread."""
        from geor.engine.pipeline import JobStore

        def create() -> Job:
            if files is None and not folder.is_dir():
                raise BadInput(f"{folder}: not a folder (drop folders, or photos inside one)")
            root = folder.resolve()
            with self._creating:
                store = JobStore.create(root, None, origin="desktop")  # its options are recorded when it starts
                self._created_here.add(store.path)
                try:
                    if files is not None:
                        store.limit_to([root / Path(f).name for f in files])
                    store.set("state", "queued")
                    return Job(path=store.path, root=store.get("root") or str(root), state=QUEUED)
                finally:
                    store.close()

        def added(job: Job) -> None:
            self.jobs.append(job)
            self.jobs_changed.emit()
            self._start_next()

        self.tasks.run(create, added, lambda message: self.error.emit(title, message))

    # -- running ----------------------------------------------------------------------------------

    def _start_next(self) -> None:
        if self.job_thread is not None or self.stopping:
            return
        job = next((j for j in self.jobs if j.state == QUEUED), None)
        if job is None:
            self.idle.emit()
            return
        job.state, job.error, job.stage, job.done, job.total = RUNNING, "", "starting", 0, 0
        thread = JobThread(job.path, self.settings, self)
        thread.progress.connect(lambda stage, done, total, job=job: self._progress(job, stage, done, total))
        thread.snapshot.connect(lambda snapshot, job=job: self._views(job, snapshot))
        thread.message.connect(self.notice)
        thread.paused_changed.connect(lambda paused, job=job: self._set_state(job, PAUSED if paused else RUNNING))
        thread.succeeded.connect(lambda summary, job=job: self._succeeded(job))
        thread.cancelled.connect(lambda job=job: self._set_state(job, CANCELLED))
        thread.failed.connect(lambda message, job=job: self._failed(job, message))
        thread.finished.connect(lambda job=job: self._thread_done(job))
        self.job_thread, self.running = thread, job
        self.job_updated.emit(job)
        thread.start()

    def _progress(self, job: Job, stage: str, done: int, total: int) -> None:
        job.stage, job.done, job.total = stage, done, total
        self.job_updated.emit(job)

    def _views(self, job: Job, snapshot: Snapshot) -> None:
        if snapshot.taken < job.views_taken:
            return  # a read that began before the one shown: stale
        job.views, job.views_taken, job.loaded = snapshot.views, snapshot.taken, True
        self.views_changed.emit(job)

    def _set_state(self, job: Job, state: str) -> None:
        job.state = state
        self.job_updated.emit(job)

    def _succeeded(self, job: Job) -> None:
        self._set_state(job, REVIEW)
        review = sum(v.status in ("needs review", "proposed") for v in job.views)
        self.notice.emit(f"{job.name}: {len(job.views)} photos processed; {review} proposals to review")

    def _failed(self, job: Job, message: str) -> None:
        job.state, job.error = FAILED, message
        self.job_updated.emit(job)
        advice = ("Resume may hit it again; the work done so far is kept." if is_bug(message) else
                  "The photos are untouched. Fix the cause (see Settings for the model) and choose Resume: the work done so far is kept.")
        self.error.emit(f"The job on {job.name} stopped", f"{message}\n\n{advice}")

    def _thread_done(self, job: Job) -> None:
        if self.job_thread is not None:
            self.job_thread.deleteLater()
        self.job_thread, self.running = None, None
        self._start_next()

    def pause(self, job: Job) -> None:
        if job is self.running and self.job_thread is not None and job.state == RUNNING:
            self.job_thread.pause()

    def resume(self, job: Job) -> None:
        if job is self.running and self.job_thread is not None and job.state == PAUSED:
            self.job_thread.resume()
        elif job.state in RESUMABLE:
            job.state = QUEUED
            self.job_updated.emit(job)
            self._start_next()

    def cancel(self, job: Job) -> None:
        if job is self.running and self.job_thread is not None:
            self.job_thread.cancel()
        elif job.state == QUEUED:
            self._set_state(job, CANCELLED)

    def shutdown(self, wait_ms: int = 10000) -> bool:
        """Stop the running job after the photo under way (it resumes next time), start no other,
        and wait for the workers; False if the job's thread is still finishing its photo."""
        self.stopping = True
        stopped = True
        if self.job_thread is not None:
            self.job_thread.cancel()
            stopped = self.job_thread.wait(wait_ms)
        self.tasks.wait(wait_ms)
        self.lane.wait(wait_ms)
        return stopped

    # -- photos and review ------------------------------------------------------------------------

    def load_views(self, job: Job) -> None:
        self.review(job, lambda store: None)

    def review(self, job: Job, action: Callable[[Any], Any], done: Callable[[Any], None] | None = None, title: str = "Review") -> None:
        """Run ``action(store)`` on the review lane, then refresh the job's photos."""
        from geor.engine.pipeline import JobStore

        def work() -> tuple[Any, Snapshot]:
            store = JobStore(job.path)
            try:
                result = action(store)
                return result, read_snapshot(store)
            finally:
                store.close()

        def finished(outcome: tuple[Any, Snapshot]) -> None:
            result, snapshot = outcome
            self._views(job, snapshot)
            if done is not None:
                done(result)

        self.lane.run(work, finished, lambda message: self.error.emit(title, message))

    def write(self, job: Job) -> None:
        from geor.engine.pipeline import write_accepted

        sidecar = self.settings.sidecar

        def progress(stage: str, done: int, total: int) -> None:
            self.write_progress.emit(job, done, total)  # a signal: delivered to the UI thread

        self.review(job, lambda store: write_accepted(store, sidecar, progress), lambda summary: self.wrote.emit(job, summary),
                    "Writing locations")

    def undo_last_write(self, job: Job) -> None:
        from geor.engine.pipeline import undo_last_write

        self.review(job, undo_last_write, lambda summary: self.undid.emit(job, summary), "Undo")
