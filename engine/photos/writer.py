"""The one safe way Geo-R changes a photo (or its sidecar).

ExifTool writes the new file beside the original under a temporary name (``.geor-tmp-*``, short
enough beside any file name); Geo-R then reads both with ExifTool and compares them tag by tag
(rewrite_check): the position and names must read back as written, and nothing else may change:
no maker note, embedded image, IPTC record, XMP property or validation warning; a JPEG's image
data must be the same bytes (jpeg_end: ExifTool validates a copy without that data, its search of
it for markers being 40 times the cost of the metadata's reading). A rewrite that
would change anything else is never used: the next, smaller choice of names is tried, and when
even the position alone cannot be written cleanly the photo is left untouched and the reason
reported. The new file is fsynced, given the original's permissions, owner and timestamps, and
renamed over the original (atomic on POSIX and Windows), so a crash at any moment leaves the
original or the finished new file, never a mix. Before the rename the caller journals the change
with a patch that turns the new file back into the original byte for byte (restore_patch), proven
to apply. Symlinks are written through to their target only when it lies inside the folder being
processed; read-only files are left alone.
"""

from __future__ import annotations

import base64
import collections
import contextlib
import dataclasses
import errno
import hashlib
import math
import os
import queue
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geor.engine.errors import UserError

from .content_credentials import REASON as SIGNED_REASON
from .content_credentials import has_content_credentials
from .exiftool import ExifToolFailed, ExifToolSession, TagDump, number
from .formats import IPTC_CAPABLE, VIDEO_IN_PLACE, needs_sidecar, sidecar_path
from .gps_tags import (
    EXIF_GPS_TAGS,
    FIX_TAGS,
    XMP_COPY_TAGS,
    XMP_GPS_TAGS,
    Location,
    gps_assignments,
    null_island,
    void_coordinates,
    xmp_copy_assignments,
)
from .heif_check import HEIF_FAMILY, heif_problems, media_tags
from .jpeg_end import SOI, decoded_headers, first_scan, same_scan, spliced, stray_pointers, write_quiet_copy
from .jxl_check import JPEG_XL, jxl_refusal, wrapping_tags
from .metadata import PhotoReadError, open_exiv2, read_all
from .minor_errors import UNCOMPARED, only_minor_errors, pixel_problems
from .place_name_tags import NameChoice, name_choices, names_readback
from .restore_patch import MAX_FILE_BYTES, PatchError, apply_patch, checked_patch
from .rewrite_check import (
    cut_at_their_end,
    embedded_data_changes,
    keep_xmp_signature,
    length_tags,
    pointed_at,
    pointer_name,
    renamed_namespaces,
    unexpected_changes,
)
from .video_layout import file_sha256, is_layout_patch, rebuilt_sha256, write_rebuilt
from .video_writer import VIDEO_GPS_TAGS, VideoWriteRefused, check_video_rewrite, has_video_position, media_facts, video_gps_args

#: Temporary files start so; a scan after a crash removes leftovers.
TEMP_PREFIX = ".geor-tmp-"
#: The private folders of the copies ExifTool reads and rewrites (PhotoWriter._read) start so, in the
#: system's temporary folder; one a process killed left behind goes when it is a day old.
SCRATCH_PREFIX = "geor-reading-"
SCRATCH_LEFT_BEHIND_S = 86400.0
#: Formats whose EXIF sits in the file as it is, so ExifTool's offsets are file positions (PNG
#: and WebP may hold it encoded or compressed in a chunk: their embedded images are compared by size).
RAW_OFFSET_FORMATS = {".jpg", ".jpeg", ".jpe", ".mpo", ".tif", ".tiff"}
#: Formats whose image data is proven by ExifTool's hash of it (ImageDataHash) and whose metadata
#: blocks may not lose bytes (heif_check.py): a refused rewrite gives a sidecar.
PROVEN_BY_IMAGE_HASH = HEIF_FAMILY | JPEG_XL
#: Warnings by which ExifTool says a JPEG's image data is cut short or broken.
DAMAGED_JPEG = ("JPEG format error", "Corrupted JPEG", "JPEG EOI marker not found")
#: An 8 x 8 grey JPEG (Pillow's), which each new ExifTool process writes a position and place names
#: into, and reads back, before any photo: what it loads for its first write and its first
#: validation (a quarter of a second of Perl) is then loaded while the job is still deciding.
WARM_UP_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/wAALCAAIAAgB"
    "AREA/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcY"
    "GRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ"
    "2uHi4+Tl5ufo6erx8vP09fb3+Pn6/9oACAEBAAA/ACv/2Q==")


class PhotoWriteError(UserError):
    """A write that did not happen; the original is untouched. The message says why."""


class InPlaceRefused(PhotoWriteError):
    """A rewrite the checks refused (``why``: what it would also change); a HEIF-family photo or a
    QuickTime/MP4 video then gets a sidecar, unless the file holds a position of its own
    (``had_position``: a sidecar beside it would leave two positions that disagree)."""

    def __init__(self, message: str, why: str, had_position: bool = False) -> None:
        super().__init__(message)
        self.why = why
        self.had_position = had_position

    @classmethod
    def not_written(cls, why: str) -> InPlaceRefused:
        """The refusal of a rewrite the checks found wanting, in the words every such refusal uses."""
        return cls(f"not written: {why}; original untouched (--sidecar records the position beside it)", why)


class MustStayAsItIs(InPlaceRefused):
    """A refusal about the file itself, whatever its format: a signature covers its bytes (Content
    Credentials), or a rewrite would break what rebuilds another file from it (a JPEG XL's JPEG
    reconstruction data). Its position goes into a sidecar."""


@dataclass(frozen=True)
class FileState:
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileState:
        st = os.stat(path)
        return cls(st.st_size, st.st_mtime_ns)


@dataclass(frozen=True, kw_only=True)
class WriteRequest:
    photo: Path
    location: Location
    sidecar: bool = False  # the user asked for sidecars (RAW and HEIF formats always get one)
    overwrite: bool = False  # replace a position or place names the file already has
    expect: FileState | None = None  # the photo as Geo-R read it; a photo changed since is not written
    own_position: bool = False  # the position in the file is one Geo-R wrote (a correction may replace it)
    own_names: bool = False  # likewise the place names


@dataclass(frozen=True, kw_only=True)
class WriteResult:
    target: Path  # the file that was replaced or created (the photo or its sidecar)
    created: bool  # the target did not exist before (a new sidecar)
    old: dict[str, Any]  # the location fields the target had before
    new: dict[str, Any]  # the location fields written
    sha256: str  # of the target as written, to tell later whether someone else changed it
    original_sha256: str | None  # of the target before (None: created)
    restore: bytes | None  # patch from the written bytes back to the original ones (None: created)
    notes: tuple[str, ...] = ()  # what the report should say (names kept, shortened, left out)


def target_for(photo: Path, sidecar: bool) -> Path:
    """Where a photo's location goes: the photo itself, or its XMP sidecar."""
    return sidecar_path(photo) if sidecar or needs_sidecar(photo) else Path(photo)


@dataclass
class _Prepared:
    result: WriteResult
    temp: Path
    state: FileState | None  # the target when the new file was made; None: it did not exist


@dataclass
class _Written:
    data: bytes  # the new file's bytes, as ExifTool wrote them
    dump: TagDump  # ExifTool's reading of them


@dataclass
class _Attempt:
    """The ExifTool dumps and arguments one write is made from."""

    existing: TagDump
    validate: bool  # both dumps with ExifTool's validation (every file that exists; a new sidecar has nothing to validate)
    gps_args: list[str]
    gps_tags: set[str]
    choices: list[NameChoice] = field(default_factory=list)
    scan: tuple[int, int] | None = None  # where the original's JPEG image data lies (jpeg_end.first_scan)
    quiet: Path | None = None  # the original without its image data (jpeg_end.write_quiet_copy), which ExifTool reads and rewrites
    xmp_copy: bool = False  # the file's XMP holds a position beside EXIF's, replaced with it
    had_position: bool = False  # the file held a position (EXIF's, its XMP copy's, or a sidecar's)


class PhotoWriter:
    """Writes locations through ExifTool, ``workers`` photos at a time (one ExifTool process
    each). Use as a context manager; the processes end with it.

    A job that knows early that it will write calls :meth:`start`: the processes start and warm up
    in the background while it decides. Each photo's readings before and after its rewrite are taken
    by the process that rewrites it, right then: a reading taken earlier, or by another process,
    could differ in its warnings (ExifTool warns about a non-standard XMP property only the first
    time a process meets it, and a rewrite that leaves the XMP alone does not meet it), and the
    check would refuse a photo, or let one through, by what a process had read before."""

    def __init__(self, root: Path | None = None, workers: int = 1, program: Path | None = None) -> None:
        self.root = Path(root).resolve() if root is not None else None
        self.workers = max(1, workers)
        self.program = program
        self._idle: queue.Queue[ExifToolSession | None] = queue.Queue()  # None: a slot came free (wakes a waiter)
        self._all: list[ExifToolSession] = []
        self._open = 0  # sessions started or being started: never more than workers
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []  # starting sessions
        self._scratch: Path | None = None  # a private folder for the copies ExifTool validates (_read)

    def __enter__(self) -> PhotoWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for thread in self._threads:
            thread.join()
        self._threads.clear()
        with self._lock:
            sessions, self._all, self._open = self._all, [], 0
        for session in sessions:
            session.close()
        while not self._idle.empty():
            self._idle.get_nowait()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    # -- public -----------------------------------------------------------------------------------

    def start(self) -> PhotoWriter:
        """Start the ExifTool processes now, in the background, each warmed up by a write and a
        validated reading of a tiny JPEG (WARM_UP_JPEG). A process that cannot start is started
        again by the first write, which then raises the reason."""
        with self._lock:
            wanted = max(0, self.workers - self._open)
            self._open += wanted
        for _ in range(wanted):
            self._background(self._start_one)
        return self

    def write(self, request: WriteRequest, before_replace: Callable[[WriteResult], None] | None = None) -> WriteResult:
        prepared = self._prepare(request)
        self._commit(prepared, before_replace)
        return prepared.result

    def write_many(self, requests: Iterable[WriteRequest], before_replace: Callable[[WriteRequest, WriteResult], None] | None = None,
                   ) -> Generator[tuple[WriteRequest, WriteResult | PhotoWriteError], None, None]:
        """Write each request, the new files made ``workers`` at a time, journaled and renamed one
        at a time in this thread, in order; yields each request with its result or its error."""
        def prepare(request: WriteRequest) -> _Prepared | PhotoWriteError:
            try:
                return self._prepare(request)
            except PhotoWriteError as exc:
                return exc

        ahead = 4 * self.workers  # new files waiting for their rename: bounded, so a big folder never doubles on disk
        with ThreadPoolExecutor(self.workers, thread_name_prefix="geor-photo-writer") as pool:
            pending: collections.deque[tuple[WriteRequest, Future[_Prepared | PhotoWriteError]]] = collections.deque()
            iterator = iter(requests)
            try:
                while True:
                    while len(pending) < ahead:
                        request = next(iterator, None)
                        if request is None:
                            break
                        pending.append((request, pool.submit(prepare, request)))
                    if not pending:
                        return
                    request, future = pending.popleft()
                    prepared = future.result()
                    if isinstance(prepared, PhotoWriteError):
                        yield request, prepared
                        continue
                    try:
                        self._commit(prepared, before_replace and (lambda result, request=request: before_replace(request, result)))
                    except PhotoWriteError as exc:
                        yield request, exc
                    else:
                        yield request, prepared.result
            finally:  # stopped early (cancelled): new files made ahead are removed, their photos untouched
                for _, future in pending:
                    leftover = future.result()
                    if isinstance(leftover, _Prepared):
                        leftover.temp.unlink(missing_ok=True)

    # -- making the new file -------------------------------------------------------------------------

    def _session(self) -> ExifToolSession:
        """An idle live session; a new one while fewer than ``workers`` are open (or being started);
        else the next one given back."""
        while True:
            with self._lock:
                new = self._idle.empty() and self._open < self.workers
                if new:
                    self._open += 1
            if new:
                try:
                    session = ExifToolSession(self.program)
                except BaseException:
                    self._free_slot()
                    raise
                with self._lock:
                    self._all.append(session)
                return session
            item = self._idle.get()
            if item is not None and item.alive:
                return item
            if item is not None:
                self._discard(item)

    def _discard(self, session: ExifToolSession) -> None:
        """End a session that failed or died; its slot is free for a new one."""
        with self._lock:
            if session in self._all:
                self._all.remove(session)
        session.close()
        self._free_slot()

    def _free_slot(self) -> None:
        with self._lock:
            self._open -= 1
        self._idle.put(None)  # a writer waiting for a session starts one instead

    def _background(self, work: Callable[[], None]) -> None:
        thread = threading.Thread(target=work, name="geor-exiftool-start", daemon=True)
        self._threads.append(thread)
        thread.start()

    def _start_one(self) -> None:
        try:
            session = ExifToolSession(self.program)
        except Exception:  # (ExifToolMissing): the first write starts one itself and raises why
            self._free_slot()
            return
        with self._lock:
            self._all.append(session)
        try:
            _warm_up(session)
        except Exception:  # (ExifToolFailed, a temporary folder that cannot be made): a session that failed is not used
            self._discard(session)
            return
        self._idle.put(session)

    def _prepare(self, request: WriteRequest) -> _Prepared:
        try:
            return self._make_new_file(request)
        except OSError as exc:  # the disk, the folder, a file vanishing: the photo is named by the caller
            raise PhotoWriteError(_os_reason(exc)) from None

    def _make_new_file(self, request: WriteRequest) -> _Prepared:
        """The new file; a HEIF-family photo or a QuickTime/MP4 video whose rewrite is not proven safe
        gets a sidecar instead, with the reason; not one that holds a position of its own (replaced with
        --overwrite: the sidecar would disagree with it), which is refused as it is."""
        try:
            return self._make_new(request)
        except InPlaceRefused as exc:
            if request.sidecar or exc.had_position or not (isinstance(exc, MustStayAsItIs) or Path(request.photo).suffix.lower() in
                                                           PROVEN_BY_IMAGE_HASH | VIDEO_IN_PLACE):
                raise
            prepared = self._make_new(dataclasses.replace(request, sidecar=True))
            note = f"in a sidecar: in place, {exc.why}"
            prepared.result = dataclasses.replace(prepared.result, notes=(*prepared.result.notes, note))
            return prepared

    def _make_new(self, request: WriteRequest) -> _Prepared:
        target = self._real_target(target_for(request.photo, request.sidecar))
        if not Path(request.photo).exists():
            raise PhotoWriteError("the file disappeared; nothing written")
        if target.suffix.lower() in VIDEO_IN_PLACE:
            return self._make_new_video(request, target)
        exists = target.exists()
        original = self._original(target, request) if exists else None
        _check_folder(target.parent)
        session = self._session()
        staged: Path | None = None
        healthy = True
        scan = first_scan(original) if original is not None else None
        quiet: Path | None = None
        try:
            if original is not None and scan is not None:
                quiet = self._quiet_copy(original, scan, target.suffix)
            source = target
            if exists and _awkward_name(target):  # ExifTool's argument protocol is line-based
                staged = source = _temp_name(target.parent, target.suffix)
                source.write_bytes(original or b"")
            attempt = self._attempt(session, source if exists else None, target, request, original, scan, quiet)
            try:
                temp, written, choice = self._rewrite(session, source if exists else None, target, attempt, original)
            except InPlaceRefused as exc:
                exc.had_position = attempt.had_position
                raise
        except ExifToolFailed as exc:
            healthy = False
            raise PhotoWriteError(f"ExifTool failed on it ({exc}); original untouched") from None
        finally:
            for leftover in (staged, quiet):
                if leftover is not None:
                    leftover.unlink(missing_ok=True)
            if healthy:
                self._idle.put(session)
            else:
                self._discard(session)
        try:
            return self._finish(target, temp, original, written, attempt, choice)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise

    def _make_new_video(self, request: WriteRequest, target: Path) -> _Prepared:
        """A QuickTime/MP4 video rewritten beside itself (video_writer.py says what is proven), never
        read whole: its undo is a layout patch."""
        _check_writable(target, request)
        _check_folder(target.parent)
        session = self._session()
        healthy = True
        temp = _temp_name(target.parent, target.suffix)
        staged: Path | None = None
        try:
            source = target
            if _awkward_name(target):  # ExifTool's argument protocol is line-based: a link with a plain name
                staged = source = _temp_name(target.parent, target.suffix)
                os.link(target, staged)
            existing = session.read(source, binary=True)
            if existing.get("ExifTool:Error"):
                raise PhotoWriteError(f"not a file ExifTool can read ({existing.get('ExifTool:Error')}); original untouched")
            if has_video_position(existing) and not (request.overwrite or request.own_position):
                raise PhotoWriteError("already has a GPS position; not replaced without --overwrite")
            if has_content_credentials(existing):
                raise VideoWriteRefused(SIGNED_REASON)
            before = media_facts(session, source)
            choices = name_choices(existing, request.location, iptc_capable=False, overwrite=request.overwrite or request.own_names)
            for k, choice in enumerate(choices):  # names in its XMP; without them when that rewrite would change anything else
                temp = _temp_name(target.parent, target.suffix)
                status, out, err = session.run([*video_gps_args(request.location, existing), *choice.args, *keep_xmp_signature(existing),
                                                "-o", os.fsencode(temp), os.fsencode(source)])
                if status != 0 or not temp.exists():  # (a damaged video, as a damaged JPEG: refused, not put beside it)
                    raise PhotoWriteError(f"ExifTool will not rewrite it ({_message(err) or out.strip() or f'status {status}'}); original "
                                          "untouched (--sidecar records the position beside it)")
                try:
                    after, patch, written_sha256, original_sha256 = check_video_rewrite(session, request.location, source, existing,
                                                                                        before, temp, names=choice)
                    break
                except VideoWriteRefused:
                    temp.unlink(missing_ok=True)
                    if k == len(choices) - 1:
                        raise
        except VideoWriteRefused as exc:
            temp.unlink(missing_ok=True)
            raise InPlaceRefused(f"not written: {exc}; original untouched (--sidecar records the position beside it)", str(exc),
                                 had_position=has_video_position(existing)) from None
        except ExifToolFailed as exc:
            healthy = False
            temp.unlink(missing_ok=True)
            raise PhotoWriteError(f"ExifTool failed on it ({exc}); original untouched") from None
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        finally:
            if staged is not None:
                staged.unlink(missing_ok=True)
            if healthy:
                self._idle.put(session)
            else:
                self._discard(session)
        try:
            fd = os.open(temp, os.O_RDWR)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            state = _take_over(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        keys = VIDEO_GPS_TAGS | choice.tags
        result = WriteResult(target=target, created=False, old={k: v for k, v in existing.entries if k in keys},
                             new={k: v for k, v in after.entries if k in keys}, sha256=written_sha256, original_sha256=original_sha256,
                             restore=patch, notes=choice.notes)
        return _Prepared(result, temp, state)

    def _real_target(self, path: Path) -> Path:
        if not path.is_symlink():
            return path
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            raise PhotoWriteError("a broken or looping symlink; not followed") from None
        if self.root is not None and not real.is_relative_to(self.root):
            raise PhotoWriteError(f"a symlink to {real}, outside the folder being processed; not followed")
        return real

    @staticmethod
    def _original(target: Path, request: WriteRequest) -> bytes:
        _check_writable(target, request)
        if os.stat(target).st_size >= MAX_FILE_BYTES:
            raise PhotoWriteError("files of 2 GiB and more are not rewritten (undo could not give back their bytes); use --sidecar")
        try:
            return target.read_bytes()
        except OSError as exc:
            raise PhotoWriteError(_os_reason(exc)) from None

    def _attempt(self, session: ExifToolSession, source: Path | None, target: Path, request: WriteRequest,
                 original: bytes | None, scan: tuple[int, int] | None, quiet: Path | None) -> _Attempt:
        # ExifTool's validation on every file: faults only it sees (odd offsets, tags a GPS version does not allow) must not grow
        if quiet is not None:
            existing = session.read(quiet, validate=True, binary=True)
        else:
            existing = session.read(source, validate=True, binary=True) if source is not None else TagDump(())
        validate = source is not None
        error = existing.get("ExifTool:Error")
        if error:
            raise PhotoWriteError(f"not a file ExifTool can read ({error}); original untouched")
        in_sidecar = target.suffix.lower() == ".xmp"
        group = "XMP-exif" if in_sidecar else "EXIF"
        xmp_copy = not in_sidecar and _has_position(existing, "XMP-exif")
        void = not in_sidecar and _void_gps_block(existing, target, original)
        had_position = (_has_position(existing, group) and not void) or xmp_copy
        if had_position and not (request.overwrite or request.own_position):
            raise PhotoWriteError("already has a GPS position; not replaced without --overwrite")
        must_stay = (SIGNED_REASON if not in_sidecar and has_content_credentials(existing) else
                     jxl_refusal(original) if original is not None and target.suffix.lower() in JPEG_XL else None)
        if must_stay is not None:
            raise MustStayAsItIs(f"not written: {must_stay}; original untouched (--sidecar records the position beside it)", must_stay,
                                 had_position=had_position)
        damage = [w for w in _warnings(existing) if any(sign in w for sign in DAMAGED_JPEG)]
        cut = original is not None and original.startswith(SOI) and scan is None  # a JPEG whose image data ends early
        if not in_sidecar and (damage or cut):
            raise PhotoWriteError(f"a truncated or damaged JPEG ({damage[0] if damage else 'its image data ends early'}); not rewritten "
                                  "(--sidecar records the position beside it)")
        replacing = had_position or void  # (a void block's description of its failed fix goes too: its status V would void the new position)
        gps_names = (*(XMP_GPS_TAGS if in_sidecar else EXIF_GPS_TAGS), *(FIX_TAGS if replacing else ()))
        choices = name_choices(existing, request.location, iptc_capable=not in_sidecar and target.suffix.lower() in IPTC_CAPABLE,
                               overwrite=request.overwrite or request.own_names)
        gps_block = any(key.startswith("GPS:") for key, _ in existing.entries)
        no_exif = not in_sidecar and not any(key.startswith("IFD0:") for key, _ in existing.entries)
        gps_args = gps_assignments(request.location, group, replacing=replacing, add_version=gps_block and "GPS:GPSVersionID" not in existing,
                                   tiff=target.suffix.lower() in (".tif", ".tiff"), resolution=_jfif_resolution(existing) if no_exif else None)
        gps_tags = {f"{'XMP-exif' if in_sidecar else 'GPS'}:{name}" for name in gps_names}
        if xmp_copy:
            gps_args += xmp_copy_assignments(request.location)
            gps_tags |= {f"XMP-exif:{name}" for name in XMP_COPY_TAGS}
        return _Attempt(existing, validate, gps_args, gps_tags, choices, scan, quiet, xmp_copy, had_position)

    def _read(self, session: ExifToolSession, path: Path, data: bytes | None, scan: tuple[int, int] | None) -> TagDump:
        """ExifTool's reading of a file with every binary value as its bytes and, given its bytes
        (``data``), its validation. ExifTool validates a JPEG's image data by searching it for
        markers in Perl (75 ms on a 24-megapixel photo, 40 times the reading of its metadata); the
        rewrite copies that data as it is, which _rewrite proves byte for byte (jpeg_end.same_scan),
        so a JPEG's validated reading is of a copy in a private folder without its image data
        (``scan``; jpeg_end.write_quiet_copy: the headers and the end marker, or, when more follows
        the image, the image data as zeros): every segment, offset, embedded image and trailer the
        same."""
        if data is None or scan is None:
            return session.read(path, validate=data is not None, binary=True)
        copy = self._quiet_copy(data, scan, path.suffix)
        try:
            return session.read(copy, validate=True, binary=True)
        finally:
            copy.unlink(missing_ok=True)

    def _quiet_copy(self, data: bytes, scan: tuple[int, int], suffix: str) -> Path:
        """A JPEG without its image data (jpeg_end.write_quiet_copy) in the private folder (nothing
        of it left there when it cannot be written)."""
        copy = self._scratch_path(suffix)
        try:
            write_quiet_copy(data, scan, copy)
        except BaseException:
            copy.unlink(missing_ok=True)
            raise
        return copy

    def _scratch_path(self, suffix: str) -> Path:
        return self._scratch_folder() / f"{secrets.token_hex(8)}{suffix[:16]}"

    def _scratch_folder(self) -> Path:
        """The private folder, made on first use (and again should the system's cleaner have taken
        it while the writer sat idle); making it removes those a killed Geo-R left a day ago or more."""
        with self._lock:
            if self._scratch is None or not self._scratch.is_dir():
                _sweep_scratch_folders()
                self._scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX))
            return self._scratch

    def _rewrite(self, session: ExifToolSession, source: Path | None, target: Path, attempt: _Attempt, original: bytes | None,
                 ) -> tuple[Path, _Written, NameChoice]:
        """The first name choice whose rewrite changes nothing else: (temporary file, what it holds, choice).

        A JPEG is rewritten as its copy without image data (``attempt.quiet``), and the image data
        put back (jpeg_end.spliced): the same file, made without ExifTool copying megabytes in Perl,
        and the rewrite's own output is the copy its validated reading needs. Not where a pointer in
        the metadata points into the image data or past the file's end (jpeg_end.stray_pointers),
        nor where the rewrite of the copy did not keep its image data as it was (jpeg_end.spliced):
        that photo itself is rewritten, and its image data proven the same bytes (same_scan)."""
        refusals: list[str] = []
        minor: str | None = None  # ExifTool's minor error, where the rewrite needed -m
        quiet = attempt.quiet if attempt.quiet is not None and attempt.scan is not None and original is not None and not stray_pointers(
            pointed_at(attempt.existing), attempt.scan, len(original)) else None
        pending = list(attempt.choices)
        while pending:
            choice = pending[0]
            temp = _temp_name(target.parent, target.suffix)
            made = self._scratch_path(target.suffix) if quiet is not None else temp  # what ExifTool writes
            touches_xmp = choice.xmp or attempt.xmp_copy or target.suffix.lower() == ".xmp"  # a sidecar's position is XMP too, names or none
            args: list[str | bytes] = [*attempt.gps_args, *choice.args, *(keep_xmp_signature(attempt.existing) if touches_xmp else []),
                                       "-o", os.fsencode(made)]
            rewritten = quiet or source
            try:
                status, out, err = session.run([*args, *([os.fsencode(rewritten)] if rewritten is not None else [])])
                minor = only_minor_errors(err) if status != 0 or not made.exists() else None
                if minor is not None and rewritten is not None:  # ExifTool's caution about a fault it calls minor: once more with -m, the proof below decides
                    made.unlink(missing_ok=True)
                    status, out, err = session.run(["-m", *args, os.fsencode(rewritten)])
            except BaseException:  # (ExifToolFailed: the process died mid-write)
                made.unlink(missing_ok=True)
                raise
            if status != 0 or not made.exists():
                made.unlink(missing_ok=True)
                why = f"ExifTool will not rewrite it ({_message(err) or out.strip() or f'status {status}'})"
                raise InPlaceRefused(f"{why}; original untouched (--sidecar records the position beside it)", why)
            try:
                if quiet is not None and original is not None and attempt.scan is not None:
                    whole = spliced(made.read_bytes(), original, attempt.scan)
                    if whole is None:  # the rewrite of the copy did not keep its image data as it was: rewrite the photo itself
                        quiet = None
                        continue
                    data = whole
                    temp.write_bytes(data)
                else:
                    data = temp.read_bytes()
                scan = same_scan(data, original, attempt.scan) if original is not None and attempt.scan is not None else None
                if attempt.scan is not None and scan is None:
                    temp.unlink(missing_ok=True)
                    why = "the JPEG's image data would change"
                    raise InPlaceRefused(f"not written: the rewrite would also change other data ({why}); original untouched "
                                         "(--sidecar records the position beside it)", why)
                if quiet is not None:  # what ExifTool wrote is the new file without its image data: read as it is
                    after = session.read(made, validate=True, binary=True)
                else:
                    after = self._read(session, temp, data if attempt.validate else None, scan)
                offsets_checked = original if target.suffix.lower() in RAW_OFFSET_FORMATS else None  # (the original, where offsets count)
                cut = cut_at_their_end(attempt.existing, after, offsets_checked, data) if offsets_checked is not None else {}
                lost = _readback(attempt, after)
                second = _second_position(attempt, after) if not lost else None
                if second is not None:  # (every choice writes the same position: none would do)
                    raise InPlaceRefused.not_written(
                        f"a second EXIF block in the file keeps a position of its own ({second}), which ExifTool does not write "
                        "(a second image's, or a copy in another place): the file would hold two positions")
                problems = (lost + names_readback(choice, after)
                            + unexpected_changes(attempt.existing, after, attempt.gps_tags | choice.tags | length_tags(cut) | (
                                media_tags(attempt.existing) if target.suffix.lower() in HEIF_FAMILY else set()) | wrapping_tags(original, target.suffix.lower()))
                            + (embedded_data_changes(attempt.existing, after, offsets_checked, data, cut) if offsets_checked is not None else []))
                if not problems and touches_xmp and original is not None and target.suffix.lower() != ".xmp":  # (a sidecar is read by XMP toolkits)
                    problems = renamed_namespaces(original, data)
                    if problems and attempt.xmp_copy:  # (every choice replaces the XMP copy: none would do without the renaming)
                        raise InPlaceRefused.not_written(
                            f"its XMP keeps a copy of the position it had, which ExifTool would replace only by renaming the packet's "
                            f"prefixes ({'; '.join(problems[:2])}): EXIF's alone would leave the file with two positions")
                if not problems and source is not None and target.suffix.lower() in PROVEN_BY_IMAGE_HASH:
                    problems = heif_problems(session, source, temp)
                # a JPEG whose image data and decoding headers are the same bytes is proven, and so is a JPEG XL
                # (its codestream, which ExifTool's hash covers, holds all that decodes it)
                proven = (scan is not None and decoded_headers(data) == decoded_headers(original or b"")) or target.suffix.lower() in JPEG_XL
                if not problems and minor is not None and not proven:
                    problems = pixel_problems(original or b"", data)
            except BaseException:
                temp.unlink(missing_ok=True)
                raise
            finally:
                if made != temp:
                    made.unlink(missing_ok=True)
            if not problems:
                if cut:
                    choice = dataclasses.replace(choice, notes=(*choice.notes, *map(_cut_note, sorted(cut.items()))))
                if minor is not None:
                    choice = dataclasses.replace(choice, notes=(*choice.notes, f"ExifTool's minor error ignored ({minor}): nothing else changed, "
                                                                                 "the same pixels"))
                return temp, _Written(data, after), choice
            temp.unlink(missing_ok=True)
            refusals = problems
            if problems == lost:  # (every choice writes the same position: no other one would hold it)
                raise InPlaceRefused.not_written(
                    f"ExifTool's rewrite does not hold the position ({'; '.join(lost)}{f'; with its minor error ignored: {minor}' if minor else ''})")
            pending.pop(0)
        if minor is not None and refusals and all(r.startswith(UNCOMPARED) for r in refusals):  # unproven, not known to change anything
            raise InPlaceRefused.not_written(
                f"ExifTool rewrites it only with a fault it calls minor ignored ({minor}), and {refusals[0]}: the rewrite is not proven")
        shown = "; ".join(refusals[:3]) + (f" (and {len(refusals) - 3} more)" if len(refusals) > 3 else "")
        raise InPlaceRefused(f"not written: the rewrite would also change other metadata ({shown}); original untouched "
                             "(--sidecar records the position beside it)", shown)

    def _finish(self, target: Path, temp: Path, original: bytes | None, new: _Written, attempt: _Attempt,
                choice: NameChoice) -> _Prepared:
        written, after = new.data, new.dump
        fd = os.open(temp, os.O_RDWR)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        state = None
        restore = None
        if original is not None:
            try:
                restore = checked_patch(written, original)
            except PatchError as exc:
                raise PhotoWriteError(f"undo could not be prepared ({exc}); not written") from None
            state = _take_over(temp, target)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, 0o666 & ~umask)
        keys = attempt.gps_tags | set(choice.tags)
        result = WriteResult(
            target=target, created=original is None,
            old={k: v for k, v in attempt.existing.entries if k in keys},
            new={k: v for k, v in after.entries if k in keys},
            sha256=hashlib.sha256(written).hexdigest(),
            original_sha256=hashlib.sha256(original).hexdigest() if original is not None else None,
            restore=restore, notes=choice.notes,
        )
        return _Prepared(result, temp, state)

    # -- replacing the original ----------------------------------------------------------------------

    @staticmethod
    def _commit(prepared: _Prepared, before_replace: Callable[[WriteResult], None] | None) -> None:
        target = prepared.result.target
        with _replacing(prepared.temp, target):
            if prepared.state is not None and FileState.of(target) != prepared.state:
                raise PhotoWriteError("changed while Geo-R was writing it; not written")
            if prepared.state is None and target.exists():
                raise PhotoWriteError("a file of that name appeared while Geo-R was writing it; not written")
            if before_replace is not None:
                before_replace(prepared.result)


#: What an embedded JPEG is, by its pointer tag, as the report says it.
EMBEDDED_IMAGE_WORDS = {"ThumbnailOffset": "thumbnail", "PreviewImageStart": "preview", "MPImageStart": "MPF image",
                        "JpgFromRawStart": "embedded JPEG", "OtherImageStart": "embedded image"}


def _cut_note(block: tuple[str, int]) -> str:
    key, dropped = block
    what = EMBEDDED_IMAGE_WORDS.get(pointer_name(key), "embedded image")
    return (f"its {what}'s length corrected: the camera's ran {dropped} byte{'s' if dropped != 1 else ''} past the block that holds it "
            f"(ExifTool's rewrite; every byte of the {what} within that block kept)")


def _check_writable(target: Path, request: WriteRequest) -> None:
    if request.expect is not None and target == Path(request.photo) and FileState.of(target) != request.expect:
        raise PhotoWriteError("changed since Geo-R read it; not written")
    if not os.access(target, os.W_OK) or not os.stat(target).st_mode & 0o222:  # mode bits: even root respects them
        raise PhotoWriteError("the file is read-only; not written (use --sidecar to record the location beside it)")


def restore_original(target: Path, written_sha256: str, patch: bytes, original_sha256: str) -> None:
    """Put back the bytes a write replaced: ``target`` must still be the file Geo-R wrote; the
    result must hash to the original's checksum; the swap is atomic, permissions and times kept."""
    if is_layout_patch(patch):
        _restore_video(target, written_sha256, patch, original_sha256)
        return
    try:
        current = target.read_bytes()
    except FileNotFoundError:
        raise PhotoWriteError("no longer exists; nothing to restore") from None
    if hashlib.sha256(current).hexdigest() != written_sha256:
        raise PhotoWriteError("changed since Geo-R wrote it; left as it is")
    try:
        original = apply_patch(current, patch)
    except PatchError as exc:
        raise PhotoWriteError(str(exc)) from None
    if hashlib.sha256(original).hexdigest() != original_sha256:
        raise PhotoWriteError("the journal's patch does not give back the original bytes; left as it is")
    _check_folder(target.parent)
    temp = _temp_name(target.parent, target.suffix)
    with _replacing(temp, target):
        with open(temp, "wb") as handle:
            handle.write(original)
            handle.flush()
            os.fsync(handle.fileno())
        if FileState.of(target) != _take_over(temp, target):
            raise PhotoWriteError("changed while Geo-R was restoring it; left as it is")


def _restore_video(target: Path, written_sha256: str, patch: bytes, original_sha256: str) -> None:
    """restore_original for a video's layout patch, reading and writing in chunks."""
    try:
        if file_sha256(target) != written_sha256:
            raise PhotoWriteError("changed since Geo-R wrote it; left as it is")
        if rebuilt_sha256(target, patch) != original_sha256:
            raise PhotoWriteError("the journal's patch does not give back the original bytes; left as it is")
    except FileNotFoundError:
        raise PhotoWriteError("no longer exists; nothing to restore") from None
    except PatchError as exc:
        raise PhotoWriteError(str(exc)) from None
    _check_folder(target.parent)
    temp = _temp_name(target.parent, target.suffix)
    with _replacing(temp, target):
        write_rebuilt(target, patch, temp)
        if FileState.of(target) != _take_over(temp, target):
            raise PhotoWriteError("changed while Geo-R was restoring it; left as it is")


# -- helpers ---------------------------------------------------------------------------------------------


def _sweep_scratch_folders() -> None:
    """Remove private folders (SCRATCH_PREFIX) untouched for a day: a writer in use adds and removes
    files in its own all the time, so one that old was left by a process that was killed."""
    now = time.time()
    for folder in Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*"):
        try:
            if folder.is_dir() and not folder.is_symlink() and now - folder.stat().st_mtime > SCRATCH_LEFT_BEHIND_S:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def _take_over(temp: Path, target: Path) -> FileState:
    """Give the new file the replaced one's permissions, owner (where we may) and timestamps;
    returns the replaced file's state, to check just before the rename that nobody changed it."""
    st = os.stat(target)
    os.chmod(temp, st.st_mode & 0o7777)
    try:
        os.chown(temp, st.st_uid, st.st_gid)
    except (PermissionError, AttributeError):
        pass  # keep our own ownership where we may not give it away
    os.utime(temp, ns=(st.st_atime_ns, st.st_mtime_ns))
    return FileState(st.st_size, st.st_mtime_ns)


def _warm_up(session: ExifToolSession) -> None:
    """A new process's first write and validated reading, of WARM_UP_JPEG in a folder of its own."""
    with tempfile.TemporaryDirectory(prefix="geor-exiftool-") as folder:
        source, written = Path(folder) / "warm.jpg", Path(folder) / "written.jpg"
        source.write_bytes(WARM_UP_JPEG)
        session.run([*gps_assignments(Location(lat=1.0, lon=1.0, altitude_m=1.0), "EXIF"), "-IPTC:City=Warm", "-XMP-photoshop:City=Warm",
                     "-o", os.fsencode(written), os.fsencode(source)])
        session.read(written, validate=True, binary=True)


def _has_position(existing: TagDump, group: str) -> bool:
    prefix = "GPS" if group == "EXIF" else group
    return existing.get(f"{prefix}:GPSLatitude") is not None and existing.get(f"{prefix}:GPSLongitude") is not None


def _void_gps_block(existing: TagDump, target: Path, original: bytes | None) -> bool:
    """Whether the file's GPS block holds coordinates that are all undefined (gps_tags.void_coordinates:
    a receiver without a fix), which the read stage calls no position. ExifTool reads any coordinate
    with an undefined part as "", a real position in an odd spelling too (a Nikon's 48/1 5332358/100000
    0/0), so exiv2's raw rationals of the same bytes decide. A block at (0, 0), what receivers write
    without a fix, holds no position either (gps_tags.null_island)."""
    if null_island((number(existing.get("GPS:GPSLatitude")), number(existing.get("GPS:GPSLongitude")))):
        return True
    if original is None or not any(existing.get(f"GPS:{name}") == "" for name in ("GPSLatitude", "GPSLongitude")):
        return False
    try:
        handle = open_exiv2(target, original)
    except PhotoReadError:
        return False  # (unreadable to exiv2: kept as a position of its own)
    try:
        exif, _, _ = read_all(handle)
    except PhotoReadError:
        return False
    finally:
        handle.close()
    return void_coordinates(exif)


def _jfif_resolution(existing: TagDump) -> tuple[float, float, int]:
    """The resolution a new IFD0 states: the JFIF header's when it gives one in inches or
    centimetres (EXIF units 2 and 3), else 72 dpi, the EXIF default."""
    x, y, unit = existing.get("JFIF:XResolution"), existing.get("JFIF:YResolution"), existing.get("JFIF:ResolutionUnit")
    if unit in (1, 2) and isinstance(x, (int, float)) and isinstance(y, (int, float)) and x > 0 and y > 0:
        return float(x), float(y), int(unit) + 1
    return 72.0, 72.0, 2


def _warnings(dump: TagDump) -> list[str]:
    return [str(v) for k, v in dump.entries if k == "ExifTool:Warning"]


def _readback(attempt: _Attempt, after: TagDump) -> list[str]:
    """The position must read back as written (1e-7 degrees, about a centimetre)."""
    wanted: dict[str, float] = {}
    for arg in attempt.gps_args:
        tag, _, value = arg.lstrip("-").partition("#=")
        if value and tag.endswith(("GPSLatitude", "GPSLongitude")):
            wanted[tag] = float(value)
    problems = []
    for tag, degrees in wanted.items():
        key = tag.replace("EXIF:", "GPS:")
        got = number(after.get(key))
        if got is None or not math.isclose(abs(got), abs(degrees), abs_tol=1e-7):
            problems.append(f"{key} reads back as {after.get(key)!r}, not {degrees!r}")
    return problems


def _second_position(attempt: _Attempt, after: TagDump) -> str | None:
    """The position a second EXIF block in the file still holds after the rewrite, as "lat, lon": a
    HEIF that holds two photos keeps one for each, and ExifTool writes the primary's alone; a PNG may
    keep a copy in a text chunk beside the one ExifTool writes."""
    if "GPS:GPSLatitude" not in attempt.gps_tags:  # (a sidecar's position is XMP's)
        return None
    new = (number(after.get("GPS:GPSLatitude")), number(after.get("GPS:GPSLongitude")))
    copies = list(zip([v for k, v in after.entries if k == "GPS:GPSLatitude"], [v for k, v in after.entries if k == "GPS:GPSLongitude"],
                      strict=False))[1:]
    for lat, lon in copies:
        if (number(lat), number(lon)) != new:
            return f"{lat}, {lon}"
    return None


def _awkward_name(path: Path) -> bool:
    raw = os.fsencode(path)
    return b"\n" in raw or b"\r" in raw


@contextlib.contextmanager
def _replacing(temp: Path, target: Path) -> Iterator[None]:
    """Rename ``temp`` over ``target`` (and fsync the folder) once the block's checks pass; an OS
    error is a PhotoWriteError naming what went wrong; ``temp`` never outlives it."""
    try:
        yield
        os.replace(temp, target)
        _fsync_folder(target.parent)
    except OSError as exc:
        raise PhotoWriteError(_os_reason(exc)) from None
    finally:
        temp.unlink(missing_ok=True)


def _temp_name(folder: Path, suffix: str) -> Path:
    """A name that fits beside any file name (file systems allow 255 bytes per name)."""
    return folder / f"{TEMP_PREFIX}{secrets.token_hex(4)}{suffix[:16]}"


def _check_folder(folder: Path) -> None:
    if not os.stat(folder).st_mode & 0o222:  # mode bits say read-only: respected even by root
        raise PhotoWriteError("the folder is read-only; not written")
    if not os.access(folder, os.W_OK):
        raise PhotoWriteError("no permission to write in this folder; not written")


def _message(stderr: str) -> str:
    """ExifTool's reason, its error before any warning, without the file name it appends."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    chosen = next((line for line in lines if line.startswith("Error")), None) or next(iter(lines), "")
    return chosen.rsplit(" - ", 1)[0] if " - " in chosen else chosen


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ENOENT:
        return "the file disappeared; nothing written"
    if exc.errno == errno.ENOSPC:
        return "no space left on the device; original untouched"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "no permission to write here; original untouched"
    return f"{exc.strerror or exc}; original untouched"


def sha256_of(path: Path) -> str | None:
    try:
        return file_sha256(Path(path))  # in chunks: a video may be gigabytes
    except FileNotFoundError:
        return None
