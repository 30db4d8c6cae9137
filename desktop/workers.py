"""Work off the UI thread: short tasks on a thread pool, a whole tagging job on its own thread.

Results come back as Qt signals, delivered in the UI thread (queued connections), so views only
ever touch widgets from the thread that owns them.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, Signal

from geor.engine.paths import printable


def describe(exc: BaseException) -> str:
    """An exception as a message for a person: the engine's messages already name the file."""
    text = printable(str(exc)).strip()
    if isinstance(exc, (ValueError, OSError, RuntimeError)) and text:
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


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
        except Exception as exc:  # noqa: BLE001 - every failure becomes a message for the UI
            traceback.print_exc()
            self.signals.failed.emit(describe(exc))
            return
        self.signals.done.emit(result)


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
    snapshot = Signal(object)  # list[PhotoView]
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
        from geor.engine.pipeline import JobCancelled, JobStore, photo_views

        store = JobStore(self.job_path)
        predictor = None
        try:
            sources, predictor = self._sources(store)
            self._checkpoint()
            summary = self._run(store, sources)
            self.snapshot.emit(photo_views(store))
            self.succeeded.emit(summary)
        except JobCancelled:
            self.snapshot.emit(photo_views(store))
            self.cancelled.emit()
        except Exception as exc:  # noqa: BLE001 - a job that fails tells the user why; the app stays up
            traceback.print_exc()
            self.snapshot.emit(photo_views(store))
            self.failed.emit(describe(exc))
        finally:
            if predictor is not None:
                predictor.backend.close()
            store.close()

    def _checkpoint(self) -> None:
        from geor.engine.pipeline import JobCancelled

        if self._stop.is_set():
            raise JobCancelled()
        if not self._go.is_set():
            self._go.wait()
            if self._stop.is_set():
                raise JobCancelled()

    def _sources(self, store: Any) -> tuple[list[Any], Any]:
        """The job's sources, built by the engine from the settings as geor tag builds them from
        its options (plan_job: every option checked, every track read); then the model."""
        from geor.engine.pipeline import plan_job
        from geor.engine.pipeline.privacy import load_rules

        settings = self.settings
        self.options = settings.tag_options(load_rules())
        plan = plan_job(self.options)
        self.track = plan.track
        for line in plan.notes:
            self.message.emit(line)
        sources: list[Any] = list(plan.sources)
        predictor = None
        if settings.model:
            from geor.engine.inference.loader import open_predictor
            from geor.engine.pipeline.model_source import ModelSource

            self.message.emit(f"loading the model {settings.model}")
            predictor = open_predictor(settings.model, device=settings.device, threads=settings.threads or None,
                                       max_tokens=settings.max_tokens, max_pixels=settings.max_pixels or None,
                                       review_below=settings.min_confidence,
                                       geocoder=shared_geocoder())
            sources.append(ModelSource(predictor, model_identity(settings.model), store, False,
                                       dt.timedelta(minutes=settings.window_min), self._tick_with_snapshots(store)))
        return sources, predictor

    def _tick_with_snapshots(self, store: Any) -> Callable[[str, int, int], None]:
        from geor.engine.pipeline import photo_views

        def tick(stage: str, done: int, total: int) -> None:
            self.progress.emit(stage, done, total)
            if done % self.SNAPSHOT_EVERY == 0 or done == total:
                self.snapshot.emit(photo_views(store))
            self._checkpoint()

        return tick

    def _run(self, store: Any, sources: list[Any]) -> Any:
        import dataclasses

        from geor.engine.pipeline import photo_views, run_tag_job
        from geor.engine.pipeline.place_names import place_namer_for

        settings = self.settings
        options = dataclasses.replace(self.options, model=model_identity(settings.model) if settings.model else None)

        def tick(stage: str, done: int, total: int) -> None:
            self.progress.emit(stage, done, total)
            if stage in ("scan", "read", "decide") and done == total:
                self.snapshot.emit(photo_views(store))
            self._checkpoint()

        store.set("state", "running")
        store.set("options", json.dumps({**options.as_dict(), "desktop": True}, sort_keys=True))  # the review's write obeys them
        return run_tag_job(store, options, sources, place_namer_for(shared_geocoder()), tick, self.track)


def model_identity(model: str) -> str:
    """How the job store names a model (a resolved path, or a registry name), as ``geor tag`` does."""
    path = Path(model).expanduser()
    return str(path.resolve()) if path.exists() else model


_geocoder_lock = threading.Lock()
_geocoder: Any = None


def shared_geocoder() -> Any:
    """The default offline geocoder, opened once (memory-mapped; safe to query from any thread)."""
    global _geocoder
    with _geocoder_lock:
        if _geocoder is None:
            from geor.engine.geo.geocoder import Geocoder
            from geor.engine.geo.geocoder.default_pack import default_pack_path

            _geocoder = Geocoder(default_pack_path())
        return _geocoder
