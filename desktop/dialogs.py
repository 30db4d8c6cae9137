"""Dialogs: errors that name the file and say what to do, confirmations, the About box.

With ``HEADLESS`` set (the ``--quit-when-done`` batch mode, smoke tests) messages go to stderr
and confirmations answer yes, so nothing waits for a click that cannot come."""

from __future__ import annotations

import platform
import sys
from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

HEADLESS = False


def error(parent: QWidget | None, title: str, text: str) -> None:
    if HEADLESS:
        print(f"error: {title}: {text}", file=sys.stderr)
        return
    QMessageBox.critical(parent, title, text)


def warning(parent: QWidget | None, title: str, text: str) -> None:
    if HEADLESS:
        print(f"warning: {title}: {text}", file=sys.stderr)
        return
    QMessageBox.warning(parent, title, text)


def info(parent: QWidget | None, title: str, text: str) -> None:
    if HEADLESS:
        print(f"{title}: {text}", file=sys.stderr)
        return
    QMessageBox.information(parent, title, text)


def confirm(parent: QWidget | None, title: str, text: str) -> bool:
    if HEADLESS:
        return True
    answer = QMessageBox.question(parent, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.Yes)
    return answer == QMessageBox.StandardButton.Yes


def versions() -> list[tuple[str, str]]:
    """Geo-R and the libraries that do its work, with their versions (absent ones said so)."""
    from importlib.metadata import PackageNotFoundError, version

    import PySide6
    from PySide6.QtCore import qVersion

    from geor.engine import __version__

    rows = [("Geo-R", __version__), ("Python", platform.python_version()), ("Qt", qVersion()), ("PySide6", PySide6.__version__)]
    for name in ("llama-cpp-python", "onnxruntime", "numpy", "numba", "shapely", "pyexiv2", "pillow"):
        try:
            rows.append((name, version(name)))
        except PackageNotFoundError:
            rows.append((name, "not installed"))
    return rows


def about_html(settings: Any = None) -> str:
    from geor.engine.geo.geocoder.default_location import ATTRIBUTION

    table = "".join(f"<tr><td>{name}</td><td>{value}</td></tr>" for name, value in versions())
    model = getattr(settings, "model", "") or "none"
    return (
        "<h3>Geo-R</h3><p>Offline photo geolocation: a vision-language model reasons down a Chain of Region "
        "(country, province, city, coordinates); an offline geocoder checks the answer; you review it on the map "
        "before anything is written. After <i>Vision-Language Reasoning for Geolocalization: A Reinforcement "
        "Learning Approach</i> (arXiv 2601.00388).</p>"
        f"<p><b>Model:</b> {model}</p>"
        f"<table cellspacing=4>{table}</table>"
        f"<p><b>Data:</b> {ATTRIBUTION}</p>"
        "<p>Licence: Apache-2.0. Models carry their own licences (see Settings).</p>"
    )


def about(parent: QWidget | None, settings: Any = None) -> None:
    if HEADLESS:
        print(about_html(settings), file=sys.stderr)
        return
    QMessageBox.about(parent, "About Geo-R", about_html(settings))
