"""Geo-R desktop app (PySide6): views and view-models over :mod:`geor.engine`.

Arrives with the desktop issue; never imports torch."""
