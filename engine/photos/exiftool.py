"""ExifTool, Geo-R's metadata writer: where it is, and one long-lived process per worker.

ExifTool (Phil Harvey's Perl library) is the reference for rewriting camera files: it keeps maker
notes, embedded previews, MPF images (phones' gain maps), IPTC records and XMP it does not itself
understand. Geo-R keeps it running in ``-stay_open`` mode, so a folder of photos costs one
process start per worker, not one per photo.

Where the program comes from, first found wins: ``GEOR_EXIFTOOL`` (a path), the copy inside a
desktop bundle, the copy ``make`` puts into the virtual environment (``share/geor/exiftool``,
installer/vendor_exiftool.py), then ``exiftool`` on the PATH (Debian's libimage-exiftool-perl,
Homebrew's exiftool).
"""

from __future__ import annotations

import json
import math
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from geor.engine.errors import MissingComponent, UserError
from geor.engine.paths import bundled_data_dir

ENVIRONMENT = "GEOR_EXIFTOOL"
#: 12.10 reports each command's exit status in -stay_open mode (-echo4 ${status}); the
#: HEIC, MakerNotes and MPF fixes Geo-R's corpus test exercises came by 12.40.
MIN_VERSION = (12, 40)
#: A single command on one photo that runs longer than this is stuck (a hostile file): the process
#: is killed and the photo reported.
COMMAND_TIMEOUT_S = 300.0
#: Options every command gets: files larger than 2 GB, Windows file names in UTF-8.
COMMON_OPTIONS = ("-api", "LargeFileSupport=1", *(("-charset", "filename=utf8") if os.name == "nt" else ()))


#: Geo-R's ExifTool configuration (in place of a user's ~/.ExifTool_config, whose shortcuts and user
#: tags must not change what Geo-R writes). Google Camera's XMP blobs (HDR+ maker notes, shot logs,
#: portrait requests: every Pixel photo has one) are read as the bytes they are, not decrypted,
#: unzipped and decoded: ExifTool 13 spends 75 ms of a Pixel photo's 90 ms reading on it in Perl, twice
#: per photo for the rewrite check, which compares the blob by its bytes anyway (the tags decoded from
#: it follow from them). Releases without that decoding (12.x) have no such table and ignore it.
CONFIG = """%Image::ExifTool::UserDefined = (
    'Image::ExifTool::Google::GCamera' => {
        HdrPlusMakernote => { Name => 'HDRPlusMakerNote', Writable => 'string', Binary => 1 },
        hdrp_makernote => { Name => 'HDRPMakerNote', Writable => 'string', Binary => 1 },
        shot_log_data => { Name => 'ShotLogData', Writable => 'string', Binary => 1 },
        PortraitRequest => { Writable => 'string', Binary => 1 },
    },
);
1;
"""


class ExifToolMissing(MissingComponent):
    """No usable ExifTool: the message says how to get one."""


class ExifToolFailed(UserError, RuntimeError):
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


def _config_file() -> Path | None:
    """CONFIG in a file of its own for one process to start with; None (no configuration at all)
    where no temporary file can be made."""
    try:
        with tempfile.NamedTemporaryFile("w", prefix="geor-exiftool-", suffix=".config", delete=False, encoding="utf-8") as file:
            file.write(CONFIG)
        return Path(file.name)
    except OSError:
        return None


class ExifToolSession:
    """One ``exiftool -stay_open`` process. Not thread-safe: give each worker thread its own.

    The protocol is ExifTool's own (its documentation, ``-stay_open``): arguments one per line on
    stdin, each command ended by ``-execute<N>``, answered on stdout up to ``{ready<N>}``; ``-echo4``
    puts the command's exit status and an end mark on stderr. Two reader threads collect stdout
    and stderr, so a command that hangs is stopped after COMMAND_TIMEOUT_S and a process that dies
    is noticed at once, on every platform. (PyExifTool, which Geo-R used first, loops forever on
    the end of a pipe when the process dies; a missing Perl made the app spin at full CPU.)
    """

    def __init__(self, program: Path | None = None) -> None:
        self.program = program or find_exiftool()
        config = _config_file()  # read as the process starts, removed once it answers
        command = [*_launcher(self.program), "-config", os.fspath(config) if config else "", "-stay_open", "True", "-@", "-"]
        try:
            self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                             creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
        except OSError as exc:
            if config is not None:
                config.unlink(missing_ok=True)
            raise ExifToolMissing(f"{self.program}: ExifTool does not start ({exc.strerror or exc}); is Perl installed?") from None
        self._out: queue.Queue[bytes] = queue.Queue()
        self._err: queue.Queue[bytes] = queue.Queue()
        for stream, sink in ((self._process.stdout, self._out), (self._process.stderr, self._err)):
            threading.Thread(target=_pump, args=(stream, sink), name="geor-exiftool-reader", daemon=True).start()
        self._serial = 0
        try:
            status, out, err = self.run(["-ver"])
            major, _, minor = out.strip().partition(".")
            self.version = (int(major), int(minor[:2] or 0))
        except (ExifToolFailed, ValueError) as exc:
            self.close()
            raise ExifToolMissing(f"{self.program}: ExifTool does not start ({exc}); is Perl installed?") from None
        finally:
            if config is not None:
                config.unlink(missing_ok=True)
        if self.version < MIN_VERSION:
            self.close()
            raise ExifToolMissing(f"{self.program} is ExifTool {self.version[0]}.{self.version[1]:02d}; Geo-R needs "
                                  f"{MIN_VERSION[0]}.{MIN_VERSION[1]} or newer")

    def __enter__(self) -> ExifToolSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def _stdin(self) -> IO[bytes]:
        stdin = self._process.stdin
        assert stdin is not None  # opened with stdin=PIPE
        return stdin

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def close(self) -> None:
        if self.alive:
            try:
                self._stdin.write(b"-stay_open\nFalse\n")
                self._stdin.close()
                self._process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self._process.kill()
        for stream in (self._process.stdin, self._process.stdout, self._process.stderr):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        self._process.wait()

    def run(self, args: Sequence[str | bytes]) -> tuple[int, str, str]:
        """(exit status, stdout, stderr) of one command; :class:`ExifToolFailed` when the process
        dies or hangs (then this session is closed)."""
        self._serial += 1
        mark = self._serial
        lines = [a if isinstance(a, bytes) else a.encode("utf-8") for a in (*COMMON_OPTIONS, *args)]
        if any(b"\n" in line or b"\r" in line for line in lines):
            raise ValueError("an ExifTool argument cannot hold a line break (its argument protocol is line by line)")
        lines += [b"-echo4", f"={{status}}=end{mark}".replace("{status}", "${status}").encode(), f"-execute{mark}".encode()]
        deadline = time.monotonic() + COMMAND_TIMEOUT_S
        try:
            self._stdin.write(b"\n".join(lines) + b"\n")
            self._stdin.flush()
            out = self._collect(self._out, f"{{ready{mark}}}".encode(), deadline)
            err = self._collect(self._err, f"=end{mark}".encode(), deadline)
        except (OSError, ExifToolFailed) as exc:
            self._process.kill()
            self.close()
            raise ExifToolFailed(str(exc) if isinstance(exc, ExifToolFailed) else f"ExifTool stopped ({exc})") from None
        body, _, status_text = err.decode("utf-8", "replace").rpartition("=")  # "...=<status>", the end mark cut off
        try:
            status = int(status_text)
        except ValueError:
            status = 1
        return status, out.decode("utf-8", "replace"), body

    def _collect(self, stream: queue.Queue[bytes], end: bytes, deadline: float) -> bytes:
        """What a reader thread got up to ``end`` (cut off); ExifToolFailed at the deadline or when
        the process has ended."""
        data = b""
        while not data.rstrip().endswith(end):
            try:
                chunk = stream.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise ExifToolFailed(f"no answer within {COMMAND_TIMEOUT_S:.0f} s; stopped") from None
            if not chunk:
                raise ExifToolFailed(f"ExifTool ended unexpectedly (exit status {self._process.wait()})")
            data += chunk
        return data.rstrip()[: -len(end)]


    def read(self, path: Path, *tags: str, validate: bool = False, binary: bool = False) -> TagDump:
        """Every tag of one file (or only ``tags``), numbers as numbers (``-n``), XMP structures
        flattened (``XMP-iptcExt:LocationCreatedCity``), no Composite tags (derived from the others,
        a third of the reading time), with the warnings ExifTool meets while reading as ``ExifTool:Warning`` entries;
        ``validate`` adds those of its ``-validate`` checks (which scan the whole image data: four
        times the cost of a read on a 24-megapixel JPEG); ``binary``: every binary value (embedded
        images of every kind, maker-note previews, blobs) as its bytes (``base64:...``), not its size."""
        status, out, err = self.run(["-j", "-a", "-G1:4", "-n", "-e", *(("-b",) if binary else ()),
                                     *(("-api", "validate=1") if validate else ()), *tags, _arg(path)])
        try:
            rows = json.loads(out) if out.strip() else []
        except json.JSONDecodeError:
            rows = []
        if not isinstance(rows, list) or not rows or not isinstance(rows[0], dict):
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


def number(value: Any) -> float | None:
    """A ``-n`` value as a number: ExifTool's JSON writes a number with more than 16 decimals (a
    position within 0.01 degrees of the equator or the prime meridian) as a string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            found = float(value)
        except ValueError:
            return None
        return found if math.isfinite(found) else None
    return None


def _pump(stream: Any, sink: queue.Queue[bytes]) -> None:
    """Move a pipe's bytes into a queue as they come; an empty chunk marks its end."""
    while True:
        try:
            chunk = stream.read1(65536)
        except (OSError, ValueError):
            chunk = b""
        sink.put(chunk)
        if not chunk:
            return


def _launcher(program: Path) -> list[str]:
    """How to start ``program``: ExifTool's Perl distribution is a script; its Perl is run directly
    (from the PATH, else the system's /usr/bin/perl), so neither a lost execute bit nor a PATH
    without Perl (a menu entry's environment) matters. Anything else is run as it is."""
    if os.name != "nt":
        try:
            with open(program, "rb") as handle:
                first_line = handle.readline(200)
        except OSError:
            first_line = b""
        if first_line.startswith(b"#!") and b"perl" in first_line:
            perl = shutil.which("perl") or ("/usr/bin/perl" if os.path.exists("/usr/bin/perl") else None)
            if perl is None:
                raise ExifToolMissing(f"{program} is ExifTool's Perl script, and no Perl is installed to run it (install perl)")
            return [perl, os.fspath(program)]
    return [os.fspath(program)]


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
