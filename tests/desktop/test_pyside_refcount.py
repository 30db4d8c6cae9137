"""PySide6 6.12.0 released a reference to None on every call of a void method; on Python 3.11 that
aborts the interpreter after a few thousand map-drawing calls. pyproject.toml keeps that release out;
this test fails if a build with the bug comes back."""

import sys

from PySide6.QtCore import QPointF
from PySide6.QtGui import QPainterPath, QPolygonF


def test_void_methods_keep_none_alive():
    path, polygon, point = QPainterPath(), QPolygonF(), QPointF(1.0, 2.0)
    before = sys.getrefcount(None)
    for _ in range(500):
        path.lineTo(1.0, 2.0)
        polygon.append(point)
    assert sys.getrefcount(None) - before > -100
