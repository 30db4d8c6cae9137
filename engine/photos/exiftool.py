"""ExifTool, Geo-R's metadata writer: where it is, and one long-lived process per worker.

ExifTool (Phil Harvey's Perl library) is the reference for rewriting camera files: it keeps maker
notes, embedded previews, MPF images (phones' gain maps), IPTC records and XMP it does not itself
understand. Geo-R talks to it through PyExifTool in ``-stay_open`` mode, so a folder of photos
costs one process start per worker, not one per photo.

Where the program comes from, first found wins: ``GEOR_EXIFTOOL`` (a path), the copy inside a
desktop bundle, the copy ``make`` puts into the virtual environment (``share/geor/exiftool``,
installer/vendor_exiftool.py), then ``exiftool`` on the PATH (Debian's libimage-exiftool-perl,
Homebrew's exiftool).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geor.engine.errors import UserError
from geor.engine.paths import bundled_data_dir

ENVIRONMENT = "GEOR_EXIFTOOL"
#: 12.10 reports each command's exit status in -stay_open mode (PyExifTool relies on it); the
#: HEIC, MakerNotes and MPF fixes Geo-R's corpus test exercises came by 12.40.
MIN_VERSION = (12, 40)
#: A single command on one photo that runs longer than this is stuck (a hostile file): the process
#: is killed and the photo reported.
COMMAND_TIMEOUT_S = 300.0
#: Options every command gets: no user config file (checked out of the way at start-up, see
#: ``ExifToolSession``), files larger than 2 GB, Windows file names in UTF-8.
COMMON_OPTIONS = ("-api", "LargeFileSupport=1", *(("-charset", "filename=utf8") if os.name == "nt" else ()))


class ExifToolMissing(UserError):
    """No usable ExifTool: the message says how to get one."""


class ExifToolFailed(RuntimeError):
    """The ExifTool process died or hung; the photo it was working on is named by the caller."""


def vendored_location() -> Path:
    """Where ``make`` (installer/vendor_exiftool.py) puts ExifTool inside a virtual environment."""
    return Path(sys.prefix) / "share" / "geor" / "exiftool"


def _program_in(folder: Path) -> Path | None:
    for name in ("exiftool.exe", "exiftool"):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def find_exiftool() -> Path:
    """The ExifTool program Geo-R uses; :class:`ExifToolMissing` when there is none."""
    override = os.environ.get(ENVIRONMENT)
    if override:
        path = Path(override).expanduser()
        if not path.is_file():
            raise ExifToolMissing(f"{ENVIRONMENT}={override}: no such file")
        return path
    bundled = bundled_data_dir()
    for folder in ([bundled / "exiftool"] if bundled else []) + [vendored_location()]:
        found = _program_in(folder)
        if found is not None:
            return found
    on_path = shutil.which("exiftool")
    if on_path:
        return Path(on_path)
    raise ExifToolMissing(
        "writing GPS into photos needs ExifTool, and none was found: run `make demo` (it installs one into .venv), "
        "or install it (Debian/Ubuntu: apt install libimage-exiftool-perl; macOS: brew install exiftool; "
        f"Windows: exiftool.org), or set {ENVIRONMENT} to its path"
    )


class ExifToolSession:
    """One ``exiftool -stay_open`` process. Not thread-safe: give each worker thread its own."""

    def __init__(self, program: Path | None = None) -> None:
        import exiftool as pyexiftool  # PyExifTool

        self.program = program or find_exiftool()
        # config_file="" makes exiftool skip ~/.ExifTool_config: a user's shortcuts must not change what Geo-R writes
        self._tool = pyexiftool.ExifTool(os.fspath(self.program), common_args=[], config_file="")
        try:
            self._tool.run()
            major, _, minor = str(self._tool.version).strip().partition(".")
            self.version = (int(major), int(minor[:2] or 0))
        except Exception as exc:  # noqa: BLE001 - PyExifTool's own errors, OSError, a garbled version: all mean "no usable ExifTool"
            self.close()
            raise ExifToolMissing(f"{self.program}: ExifTool does not start ({type(exc).__name__}: {exc}); is Perl installed?") from None
        if self.version < MIN_VERSION:
            self.close()
            raise ExifToolMissing(f"{self.program} is ExifTool {self.version[0]}.{self.version[1]:02d}; Geo-R needs "
                                  f"{MIN_VERSION[0]}.{MIN_VERSION[1]} or newer")

    def __enter__(self) -> ExifToolSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def alive(self) -> bool:
        """False once the process has ended. (On Linux PyExifTool asks for the process to be killed
        when the thread that started it ends: a session lives as long as its thread.)"""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PyExifTool warns when it notices a dead process
            return bool(self._tool.running)

    def close(self) -> None:
        try:
            if self.alive:
                self._tool.terminate()
        except Exception:  # noqa: BLE001 - a dead process has nothing left to close
            pass

    def run(self, args: Sequence[str | bytes]) -> tuple[int, str, str]:
        """(exit status, stdout, stderr) of one command; :class:`ExifToolFailed` when the process
        dies or hangs (then this session is closed)."""
        process = getattr(self._tool, "_process", None)
        watchdog = threading.Timer(COMMAND_TIMEOUT_S, lambda: process and process.kill())
        watchdog.start()
        try:
            stdout = self._tool.execute(*COMMON_OPTIONS, *args, raw_bytes=True)
            stderr = self._tool.last_stderr
        except Exception as exc:  # PyExifTool raises its own types (and OSError) when the process goes away
            self.close()
            raise ExifToolFailed(f"ExifTool stopped ({type(exc).__name__}: {exc})") from None
        finally:
            watchdog.cancel()
        if isinstance(stdout, str):
            stdout = stdout.encode("utf-8", "surrogateescape")
        status = self._tool.last_status
        return int(status) if status is not None else 1, stdout.decode("utf-8", "replace"), _text(stderr)

    def read(self, path: Path, *tags: str, validate: bool = False) -> TagDump:
        """Every tag of one file (or only ``tags``), numbers as numbers (``-n``), XMP structures
        flattened (``XMP-iptcExt:LocationCreatedCity``), no Composite tags (derived from the others,
        a third of the reading time), with the warnings ExifTool meets while reading as ``ExifTool:Warning`` entries;
        ``validate`` adds those of its ``-validate`` checks (which scan the whole image data: four
        times the cost of a read on a 24-megapixel JPEG)."""
        status, out, err = self.run(["-j", "-a", "-G1:4", "-n", "-e", *(("-api", "validate=1") if validate else ()), *tags, _arg(path)])
        try:
            rows = json.loads(out) if out.strip() else []
        except json.JSONDecodeError:
            rows = []
        if not rows:
            raise ExifToolFailed(_first_line(err) or f"no metadata came back (status {status})")
        return TagDump.from_json(rows[0])


@dataclass(frozen=True)
class TagDump:
    """One file's tags as ExifTool reads them: ``("Group1:Name", value)`` entries in file order.
    A tag found several times (two IPTC records, a tag in EXIF and in a maker note, repeated
    warnings) appears once per copy; ``get`` answers the first."""

    entries: tuple[tuple[str, Any], ...]

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> TagDump:
        entries = []
        for key, value in row.items():
            if key == "SourceFile":
                continue
            parts = key.split(":")  # Group1[:CopyN]:Name (-G1:4)
            entries.append((f"{parts[0]}:{parts[-1]}", value))
        return cls(tuple(entries))

    def get(self, key: str, default: Any = None) -> Any:
        for name, value in self.entries:
            if name == key:
                return value
        return default

    def __contains__(self, key: str) -> bool:
        return any(name == key for name, _ in self.entries)

    def __bool__(self) -> bool:
        return bool(self.entries)


def _arg(path: Path) -> bytes:
    """A file name as ExifTool's argument protocol takes it: its bytes (no encoding guessed)."""
    return os.fsencode(path)


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value or "")


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else ""
