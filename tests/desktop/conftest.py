"""The desktop app's tests drive the real widgets offscreen (pytest-qt), over real photos the tests
write and the tiny taught model run by llama.cpp. Modal dialogs are recorded instead of shown."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6", reason="the desktop tests need the desktop extra (make test installs it)")
pytest.importorskip("pytestqt", reason="the desktop tests need pytest-qt (make test installs it)")


@dataclass
class Dialogs:
    shown: list[tuple[str, str, str]] = field(default_factory=list)  # kind, title, text
    answer: bool = True

    def titles(self, kind: str) -> list[str]:
        return [title for k, title, _ in self.shown if k == kind]


@pytest.fixture
def dialogs(monkeypatch) -> Dialogs:
    from geor.desktop import dialogs as module

    record = Dialogs()
    for kind in ("error", "warning", "info"):
        monkeypatch.setattr(module, kind, lambda parent, title, text, kind=kind: record.shown.append((kind, title, text)))

    def confirm(parent, title, text):
        record.shown.append(("confirm", title, text))
        return record.answer

    monkeypatch.setattr(module, "confirm", confirm)
    monkeypatch.setattr(module, "about", lambda parent, settings=None: record.shown.append(("about", "About Geo-R", module.about_html(settings))))
    return record


@pytest.fixture
def desktop_home(geor_home, tmp_path, monkeypatch) -> Path:
    """Private data, cache and settings (QSettings in an INI file) for one test."""
    monkeypatch.setenv("GEOR_CACHE_DIR", str(tmp_path / "cache"))
    return geor_home


@pytest.fixture(scope="session")
def map_cache(tmp_path_factory) -> Path:
    """The map's outlines and land mask, computed once for the whole session."""
    return tmp_path_factory.mktemp("map-cache")


@pytest.fixture
def make_window(qtbot, desktop_home, dialogs, tmp_path, map_cache, monkeypatch):
    from PySide6.QtCore import QSettings

    from geor.desktop.main_window import MainWindow

    from ..helpers.app_settings import app_settings

    monkeypatch.setenv("GEOR_CACHE_DIR", str(map_cache))  # the map cache is shared; thumbnails go there too
    windows = []

    def make(**settings) -> MainWindow:
        qsettings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(app_settings(**settings), qsettings)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.queue.shutdown()
        window.tasks.wait(10000)
        window.thumbnails.wait(10000)
        window.previews.wait(10000)
