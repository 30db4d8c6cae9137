"""Where Geo-R keeps its files: the user's data directory (region packs, models, job stores).

``GEOR_DATA_DIR`` overrides the platform's default (platformdirs), for portable installs and tests.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def user_data_dir() -> Path:
    override = os.environ.get("GEOR_DATA_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("geor", appauthor=False))


def printable(text: object) -> str:
    """A path or message as text any terminal, CSV or database takes: bytes of a non-UTF-8 file
    name (kept by Python as surrogates) are shown as backslash escapes."""
    return str(text).encode("utf-8", "backslashreplace").decode("utf-8")


def user_config_dir() -> Path:
    """The user's settings shared by the CLI and the desktop app (privacy zones); ``GEOR_CONFIG_DIR``
    overrides."""
    override = os.environ.get("GEOR_CONFIG_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("geor", appauthor=False))


def user_cache_dir() -> Path:
    """Files Geo-R can fetch or rebuild (llama.cpp's converter); ``GEOR_CACHE_DIR`` overrides."""
    override = os.environ.get("GEOR_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("geor", appauthor=False))


def bundled_data_dir() -> Path | None:
    """Read-only data shipped inside an installed bundle (the default region pack), or None when
    running from a Python install. ``GEOR_BUNDLED_DATA_DIR`` names one explicitly (tests)."""
    override = os.environ.get("GEOR_BUNDLED_DATA_DIR")
    if override:
        return Path(override).expanduser()
    base = getattr(sys, "_MEIPASS", None)  # PyInstaller's unpacked bundle
    if getattr(sys, "frozen", False) and base:
        return Path(base) / "geor-data"
    return None
