"""Find the photos under a folder: no symlinked folders followed (no loops), symlinked files only
when they point inside the folder, hidden folders skipped, Geo-R's own temporary copies left by a
killed run removed, any file name (non-UTF-8, very long) carried as bytes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from geor.engine.paths import printable
from geor.engine.photos import is_photo
from geor.engine.photos.writer import TEMP_SUFFIX


def _remove_leftover(path: Path, problems: list[str]) -> None:
    """A temporary copy left by a run that was killed mid-write: the original is intact, the copy
    is garbage."""
    try:
        path.unlink()
        problems.append(f"{printable(path)}: removed a temporary copy left by an interrupted run (the original is intact)")
    except OSError as exc:
        problems.append(f"{printable(path)}: leftover temporary copy could not be removed ({exc.strerror})")


def scan_photos(root: Path, problems: list[str]) -> Iterator[tuple[bytes, int, int]]:
    """(relative path as bytes, size, mtime_ns) of each photo; folders that cannot be listed are
    appended to ``problems``."""
    root = Path(root)
    real_root = root.resolve()

    def on_error(exc: OSError) -> None:
        problems.append(f"{printable(exc.filename)}: cannot list this folder ({exc.strerror}); skipped")

    for folder, folders, files in os.walk(root, onerror=on_error, followlinks=False):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        for name in sorted(files):
            if name.startswith(".") and name.endswith(TEMP_SUFFIX):
                _remove_leftover(Path(folder) / name, problems)
                continue
            if name.startswith(".") or not is_photo(Path(name)):
                continue
            path = Path(folder) / name
            try:
                if path.is_symlink() and not path.resolve().is_relative_to(real_root):
                    problems.append(f"{printable(path)}: a symlink to a file outside the folder; skipped")
                    continue
                st = path.stat()
            except OSError as exc:
                problems.append(f"{printable(path)}: {exc.strerror or exc}; skipped")
                continue
            yield os.fsencode(path.relative_to(root)), st.st_size, st.st_mtime_ns
