"""Atomic file replacement: write a temp file in the target's folder, fsync, rename over the target.
A crash or an error leaves the old file (or nothing), never a half-written one. Folders (a model
export, a training run's final checkpoint) the same way: built beside, renamed into place."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


@contextlib.contextmanager
def atomic_text_writer(path: Path, encoding: str = "utf-8") -> Iterator[IO[str]]:
    with _atomic(path, "w", encoding) as handle:
        yield handle


@contextlib.contextmanager
def atomic_binary_writer(path: Path) -> Iterator[IO[bytes]]:
    with _atomic(path, "wb", None) as handle:
        yield handle


@contextlib.contextmanager
def _atomic(path: Path, mode: str, encoding: str | None) -> Iterator[IO[Any]]:  # IO[str] or IO[bytes], by ``mode``
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path}: is a folder")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder for {path.name}")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, mode, encoding=encoding, newline="" if encoding else None) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _mode_for(path))  # mkstemp makes 0600; a new file gets the usual mode
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """The replaced file's permissions, or the umask's default for a new file."""
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def atomic_folder(target: Path) -> Iterator[Path]:
    """A folder ``.NAME.*.partial`` beside ``target`` to fill; on success it replaces ``target``
    (any previous one is removed only after the new one is in place), on failure it is deleted."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    previous = None
    if target.exists():
        previous = target.with_name(f".{target.name}.previous-{os.getpid()}")
        target.rename(previous)
    staging.rename(target)
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)
