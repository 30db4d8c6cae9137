"""Thumbnails for the photo table and the preview: made on a thread pool by the engine (cached on
disk), kept in memory as pixmaps for the photos on screen."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap


class _Signals(QObject):
    loaded = Signal(str, bytes, str)  # path, JPEG bytes (empty on failure), error


class _Load(QRunnable):
    def __init__(self, path: str, side: int, signals: _Signals) -> None:
        super().__init__()
        self.path, self.side, self.signals = path, side, signals

    def run(self) -> None:
        from geor.engine.photos.thumbnails import ThumbnailError, thumbnail_jpeg

        try:
            self.signals.loaded.emit(self.path, thumbnail_jpeg(Path(self.path), self.side), "")
        except (ThumbnailError, OSError) as exc:
            self.signals.loaded.emit(self.path, b"", str(exc))


class ThumbnailCache(QObject):
    """``icon(path)`` answers at once (a placeholder until the thumbnail is ready, then ``ready``)."""

    ready = Signal(str)
    failed = Signal(str, str)

    def __init__(self, side: int = 96, capacity: int = 2000, threads: int = 2, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.side, self.capacity = side, capacity
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._signals = _Signals(self)
        self._signals.loaded.connect(self._loaded)
        self._icons: OrderedDict[str, QIcon] = OrderedDict()
        self._pending: set[str] = set()
        self._errors: dict[str, str] = {}
        self._placeholder = QIcon()

    def icon(self, path: Path | str) -> QIcon:
        key = str(path)
        icon = self._icons.get(key)
        if icon is not None:
            self._icons.move_to_end(key)
            return icon
        if key not in self._pending and key not in self._errors:
            self._pending.add(key)
            self.pool.start(_Load(key, self.side, self._signals))
        return self._placeholder

    def error(self, path: Path | str) -> str | None:
        return self._errors.get(str(path))

    def _loaded(self, path: str, data: bytes, error: str) -> None:
        self._pending.discard(path)
        if not data:
            self._errors[path] = error
            self.failed.emit(path, error)
            return
        image = QImage.fromData(data, "JPEG")  # type: ignore[arg-type]  # stubbed bytes, but PySide6 takes str (bytes raise)
        self._icons[path] = QIcon(QPixmap.fromImage(image))
        while len(self._icons) > self.capacity:
            self._icons.popitem(last=False)
        self.ready.emit(path)

    def wait(self, msecs: int = -1) -> bool:
        return self.pool.waitForDone(msecs)


class PreviewLoader(QObject):
    """The large preview of one photo; only the newest request is shown."""

    ready = Signal(str, QImage)
    failed = Signal(str, str)

    def __init__(self, side: int = 1024, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.side = side
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._signals = _Signals(self)
        self._signals.loaded.connect(self._loaded)
        self._wanted = ""

    def request(self, path: Path | str) -> None:
        self._wanted = str(path)
        self.pool.start(_Load(self._wanted, self.side, self._signals))

    def _loaded(self, path: str, data: bytes, error: str) -> None:
        if path != self._wanted:
            return
        if not data:
            self.failed.emit(path, error)
            return
        self.ready.emit(path, QImage.fromData(data, "JPEG"))  # type: ignore[arg-type]  # stubbed bytes, but PySide6 takes str

    def wait(self, msecs: int = -1) -> bool:
        return self.pool.waitForDone(msecs)

