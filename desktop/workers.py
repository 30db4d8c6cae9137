"""Work off the UI thread: short tasks on a thread pool, a whole tagging job on its own thread.

Results come back as Qt signals, delivered in the UI thread (queued connections), so views only
ever touch widgets from the thread that owns them.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, Signal

from geor.engine.pipeline.vocabulary import Step

from .error_edge import describe

if TYPE_CHECKING:
    from geor.engine.pipeline import JobStore, JobSummary
    from geor.engine.pipeline.tag_request import TagJob


@dataclass(frozen=True)
class Snapshot:
    """A job's photos as read from its store at one moment. Readers on different threads (the job's
    own, the review lane) deliver in any order; ``taken`` orders them by when the read began, so a
    slow, older read never replaces a newer one."""

    taken: int
    views: list[Any]  # PhotoView


_reads = itertools.count()
_reads_lock = threading.Lock()


def read_snapshot(store: JobStore) -> Snapshot:
    """The store's photos now, numbered before the read begins."""
    from geor.engine.pipeline import photo_views

    with _reads_lock:
        taken = next(_reads)
    return Snapshot(taken, photo_views(store))


class _TaskSignals(QObject):
    done = Signal(object)
    failed = Signal(str)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], signals: _TaskSignals) -> None:
        super().__init__()
        self.fn, self.signals = fn, signals

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # noqa: BLE001 - every failure becomes a message for the UI (a bug says it is one)
            self._tell(self.signals.failed, describe(exc))
            return
        self._tell(self.signals.done, result)

    @staticmethod
    def _tell(signal: Any, value: Any) -> None:
        """Emit, unless the window that asked has closed meanwhile (the app quitting while a task
        still runs): then nobody waits for the answer and it is dropped, not reported as a bug."""
        try:
            signal.emit(value)
        except RuntimeError as exc:
            if "deleted" not in str(exc):
                raise


class TaskRunner(QObject):
    """Runs callables on a thread pool and calls back in the UI thread."""

    def __init__(self, threads: int = 2, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._alive: set[_TaskSignals] = set()

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[str], None] | None = None) -> None:
        signals = _TaskSignals()
        self._alive.add(signals)

        def finish(result: Any) -> None:
            self._alive.discard(signals)
            if on_done is not None:
                on_done(result)

        def fail(message: str) -> None:
            self._alive.discard(signals)
            if on_error is not None:
                on_error(message)

        signals.done.connect(finish)
        signals.failed.connect(fail)
        self.pool.start(_Task(fn, signals))

    def busy(self) -> bool:
        return self.pool.activeThreadCount() > 0

    def wait(self, msecs: int = -1) -> bool:
        return self.pool.waitForDone(msecs)


class JobThread(QThread):
    """One tagging job (scan, read, clocks, anchors and tracks, model, place names, checks; nothing
    is written) on its own thread; pausable and cancellable between photos. Everything it does is in the job store,
    so a cancelled, crashed or closed job resumes where it stopped."""

    progress = Signal(str, int, int)  # stage, done, total
    snapshot = Signal(object)  # Snapshot
    message = Signal(str)  # a line for the status bar
    succeeded = Signal(object)  # JobSummary
    failed = Signal(str)
    cancelled = Signal()
    paused_changed = Signal(bool)

    SNAPSHOT_EVERY = 4  # model answers between two refreshes of the table

    def __init__(self, job_path: Path, settings: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.job_path, self.settings = Path(job_path), settings
        self._go = threading.Event()
        self._go.set()
        self._stop = threading.Event()

    # called from the UI thread
    def pause(self) -> None:
        self._go.clear()
        self.paused_changed.emit(True)

    def resume(self) -> None:
        self._go.set()
        self.paused_changed.emit(False)

    def cancel(self) -> None:
        self._stop.set()
        self._go.set()

    @property
    def paused(self) -> bool:
        return not self._go.is_set()

    # the job's own thread
    def run(self) -> None:
        from geor.engine.pipeline import JobCancelled, JobStore

        store = JobStore(self.job_path)
        job = None
        try:
            job = self._assemble(store)
            self._checkpoint()
            summary = self._run(job)
            self.snapshot.emit(read_snapshot(store))
            self.succeeded.emit(summary)
        except JobCancelled:
            self.snapshot.emit(read_snapshot(store))
            self.cancelled.emit()
        except Exception as exc:  # noqa: BLE001 - a job that fails tells the user why (a bug says it is one); the app stays up
            self.snapshot.emit(read_snapshot(store))
            self.failed.emit(describe(exc))
        finally:
            if job is not None:
                job.close()
            store.close()

    def _checkpoint(self) -> None:
        from geor.engine.pipeline import JobCancelled

        if self._stop.is_set():
            raise JobCancelled()
        if not self._go.is_set():
            self._go.wait()
            if self._stop.is_set():
                raise JobCancelled()

    def _assemble(self, store: JobStore) -> TagJob:
        """The job, built by the engine from the settings as geor tag builds it from its flags."""
        from geor.engine.pipeline.tag_request import assemble_tag_job

        if self.settings.model.model:
            self.message.emit(f"loading the model {self.settings.model.model}")
        return assemble_tag_job(self.settings.tag_request(store.root), store=store, geocoder=shared_geocoder(),
                                model_progress=self._tick_with_snapshots(store), messages=self.message.emit)

    def _tick_with_snapshots(self, store: JobStore) -> Callable[[str, int, int], None]:
        def tick(stage: str, done: int, total: int) -> None:
            self.progress.emit(stage, done, total)
            if done % self.SNAPSHOT_EVERY == 0 or done == total:
                self.snapshot.emit(read_snapshot(store))
            self._checkpoint()

        return tick

    def _run(self, job: TagJob) -> JobSummary:
        store = job.store
        for line in job.notes:
            self.message.emit(line)

        def tick(stage: str, done: int, total: int) -> None:
            self.progress.emit(stage, done, total)
            if stage in (Step.SCAN, Step.READ, Step.DECIDE) and done == total:
                self.snapshot.emit(read_snapshot(store))
            self._checkpoint()

        store.set("state", "running")
        store.record_options(job.options)  # the review's write obeys them
        return job.run(tick)


_geocoder_lock = threading.Lock()
_geocoder: Any = None


def shared_geocoder() -> Any:
    """The default offline geocoder, opened once (memory-mapped; safe to query from any thread)."""
    global _geocoder
    with _geocoder_lock:
        if _geocoder is None:
            from geor.engine.geo.geocoder import Geocoder
            from geor.engine.geo.geocoder.default_location import default_pack_path

            _geocoder = Geocoder(default_pack_path())
        return _geocoder
