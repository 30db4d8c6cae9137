"""Looking at and driving the desktop main window in the tests: its job's state, its photo views, its table."""

from __future__ import annotations

from pathlib import Path


def wait_for_state(qtbot, window, state: str, timeout_s: float = 180.0) -> None:
    qtbot.waitUntil(lambda: window.job is not None and window.job.state == state, timeout=int(timeout_s * 1000))


def views_by_name(window) -> dict:
    return {Path(v.relpath).name: v for v in window.job.views}


def select(window, name: str) -> None:
    from PySide6.QtCore import QItemSelectionModel

    model = window.table_model
    row = next(r for r in range(model.rowCount()) if Path(model.view_at(r).relpath).name == name)
    index = model.index(row, 0)
    window.table.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
