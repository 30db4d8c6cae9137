"""Find the photos under a folder: no symlinked folders followed (no loops), symlinked files only
when they point inside the folder, hidden folders skipped, Geo-R's own temporary copies left by a
killed run removed, any file name (non-UTF-8, very long) carried as bytes.

A photo-named entry that cannot be a photo of this job (a symlink loop, a dangling link, a link
to a file outside the folder, a file that cannot be examined) is found too, with its reason, so
the report lists it instead of the job dropping it silently. Every camera still format is a photo
(formats.py: RAW and unusual containers get sidecars), and so is every video in a container Geo-R
reads; what else cameras write beside them (other videos, thumbnails, low-resolution copies, voice
memos) is counted, folder by folder, in one line each.
"""

from __future__ import annotations

import errno
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from geor.engine.paths import printable
from geor.engine.photos.formats import CAMERA_NOT_PHOTOS, is_media
from geor.engine.photos.writer import TEMP_PREFIX

#: How the scan says a folder could not be listed (its photos are not handled: ``geor tag``'s exit status counts it).
UNLISTABLE = "cannot list this folder"
#: Temporary names of Geo-R before 0.2 (``.NAME.XXXX.geor-tmp``): still cleaned up.
OLD_TEMP_SUFFIX = ".geor-tmp"


@dataclass(frozen=True)
class Found:
    relpath: bytes  # relative to the folder, as bytes (os.fsencode)
    size: int | None = None
    mtime_ns: int | None = None
    skipped: str | None = None  # why this entry is not a photo Geo-R can work on


def _remove_leftover(path: Path, problems: list[str]) -> None:
    """A temporary copy left by a run that was killed mid-write: the original is intact, the copy
    is garbage."""
    try:
        path.unlink()
        problems.append(f"{printable(path)}: removed a temporary copy left by an interrupted run (the original is intact)")
    except OSError as exc:
        problems.append(f"{printable(path)}: leftover temporary copy could not be removed ({exc.strerror})")


def _is_leftover(name: str) -> bool:
    return name.startswith(TEMP_PREFIX) or (name.startswith(".") and name.endswith(OLD_TEMP_SUFFIX))


def _link_problem(path: Path, real_root: Path) -> str | None:
    """Why a symlinked photo is skipped, or None when it points to a file inside the folder."""
    try:
        real = path.resolve(strict=True)
    except RuntimeError:  # Python 3.11 reports loops so
        return "a symlink loop; skipped"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symlink loop; skipped"
        if exc.errno == errno.ENOENT:
            return f"a dangling symlink (to {printable(os.readlink(path))}, which does not exist); skipped"
        return f"a symlink that cannot be followed ({exc.strerror}); skipped"
    if not real.is_relative_to(real_root):
        return f"a symlink to {printable(real)}, outside the folder; skipped"
    if not real.is_file():
        return "a symlink to something that is not a file; skipped"
    return None


#: Track files in the folder that the job reads as tracks with the ones named by --track: DJI drones'
#: subtitles beside their videos, and what GPS loggers, watches and tracking apps save (a trip's
#: folder holds its log). CSV, JSON, TXT and LOG files may be anything and are read only when named.
SIDE_TRACKS = {".srt", ".gpx", ".kml", ".kmz", ".fit", ".tcx", ".nmea"}


def scan_photos(root: Path, problems: list[str], side_tracks: list[Path] | None = None) -> Iterator[Found]:
    """Each photo (and each photo-named entry skipped, with its reason); folders that cannot be
    listed and leftovers removed are appended to ``problems``, track files in the folder (SIDE_TRACKS)
    to ``side_tracks``."""
    root = Path(root)
    real_root = root.resolve()

    def on_error(exc: OSError) -> None:
        problems.append(f"{printable(exc.filename)}: {UNLISTABLE} ({exc.strerror}); skipped")

    for folder, folders, files in os.walk(root, onerror=on_error, followlinks=False):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        others: Counter[str] = Counter()
        for name in sorted(files):
            if _is_leftover(name):
                _remove_leftover(Path(folder) / name, problems)
                continue
            if not name.startswith(".") and Path(name).suffix.lower() in CAMERA_NOT_PHOTOS:
                others[Path(name).suffix.upper().lstrip(".")] += 1
            if side_tracks is not None and not name.startswith(".") and Path(name).suffix.lower() in SIDE_TRACKS:
                side_tracks.append(Path(folder) / name)
            if name.startswith(".") or not is_media(Path(name)):
                continue
            path = Path(folder) / name
            relpath = os.fsencode(path.relative_to(root))
            if path.is_symlink():
                reason = _link_problem(path, real_root)
                if reason is not None:
                    yield Found(relpath, skipped=reason)
                    continue
            try:
                st = path.stat()
            except OSError as exc:
                yield Found(relpath, skipped=f"{exc.strerror or exc}; skipped")
                continue
            yield Found(relpath, st.st_size, st.st_mtime_ns)
        if others:
            kinds = ", ".join(f"{count:,} {kind}" for kind, count in sorted(others.items()))
            problems.append(f"{printable(Path(folder))}: {sum(others.values()):,} video or other non-photo camera file"
                            f"{'s' if sum(others.values()) != 1 else ''} ({kinds}) left alone: Geo-R geotags photos and videos in the formats it reads")
