"""The one safe way Geo-R changes a photo (or its sidecar).

The new file is made in memory by exiv2 from the original's bytes, written to a temporary file in
the same folder, fsynced, parsed again and checked tag by tag, given the original's permissions,
owner and timestamps, and only then renamed over the original (atomic on POSIX and Windows). A crash
at any point leaves the original or the finished new file, never a mix. Symlinks are written
through to their target only when it lies inside the folder being processed; read-only files are
left alone. Every change reports the previous values of the tags it set, for the undo journal.
"""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .formats import IPTC_CAPABLE, needs_sidecar, sidecar_path
from .gps_tags import Location, exif_gps, place_tags, xmp_gps
from .metadata import PhotoReadError, open_exiv2, read_all

#: Temporary copies are hidden files ending so; a scan after a crash removes leftovers.
TEMP_SUFFIX = ".geor-tmp"
EMPTY_XMP_PACKET = (
    b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>\n'
    b'<?xpacket end="w"?>\n'
)


class PhotoWriteError(Exception):
    """A write that did not happen; the original is untouched. The message says why."""


@dataclass(frozen=True)
class FileState:
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileState:
        st = os.stat(path)
        return cls(st.st_size, st.st_mtime_ns)


@dataclass(frozen=True)
class WriteResult:
    target: Path  # the file that was replaced or created (the photo or its sidecar)
    created: bool  # the target did not exist before (a new sidecar)
    old: dict[str, Any]  # previous value of every tag set (None: absent)
    new: dict[str, Any]
    sha256: str  # of the target as written, to tell later whether someone else changed it


def location_tags(photo: Path, location: Location, sidecar: bool) -> tuple[Path, dict[str, Any]]:
    """Where a location goes for this photo (the photo or its sidecar) and the tags to set there."""
    if sidecar or needs_sidecar(photo):
        return sidecar_path(photo), xmp_gps(location) | place_tags(location, "xmp")
    tags: dict[str, Any] = exif_gps(location) | place_tags(location, "xmp")
    if photo.suffix.lower() in IPTC_CAPABLE:
        tags |= place_tags(location, "iptc")
    return photo, tags


def write_tags(target: Path, tags: dict[str, Any], root: Path | None = None, expect: FileState | None = None,
               before_replace: Callable[[WriteResult], None] | None = None) -> WriteResult:
    """Set (None: delete) ``tags`` in ``target`` safely; see the module docstring.

    ``expect``: the target's state when it was read; a target changed since is not written.
    ``before_replace``: called with the result (old values, new file's sha256) just before the
    rename, so a journal can record the change ahead of it (write-ahead).
    """
    target = _real_target(Path(target), root)
    existed = target.exists()
    if existed:
        if expect is not None and FileState.of(target) != expect:
            raise PhotoWriteError("changed since Geo-R read it; not written")
        if not os.access(target, os.W_OK) or not os.stat(target).st_mode & 0o222:  # mode bits: even root respects them
            raise PhotoWriteError("the file is read-only; not written (use --sidecar to record the location beside it)")
        original = target.read_bytes()
    elif target.suffix.lower() == ".xmp":
        original = EMPTY_XMP_PACKET
    else:
        raise PhotoWriteError("the file disappeared")
    updated, old = _apply(original, tags)
    _verify(updated, tags)
    result = WriteResult(target, not existed, old, dict(tags), hashlib.sha256(updated).hexdigest())
    _replace(target, updated, FileState.of(target) if existed else None, before_replace and (lambda: before_replace(result)))
    return result


def _real_target(path: Path, root: Path | None) -> Path:
    if not path.is_symlink():
        return path
    real = path.resolve()
    if root is not None and not real.is_relative_to(Path(root).resolve()):
        raise PhotoWriteError(f"a symlink to {real}, outside the folder being processed; not followed")
    return real


def _apply(original: bytes, tags: dict[str, Any]) -> tuple[bytes, dict[str, Any]]:
    try:
        handle = open_exiv2(Path("<memory>"), data=original)
    except PhotoReadError as exc:
        raise PhotoWriteError(str(exc)) from None
    try:
        exif, xmp, iptc = read_all(handle)
        current = exif | xmp | iptc
        old = {key: current.get(key) for key in tags}
        for prefix, modify in (("Exif.", handle.modify_exif), ("Xmp.", handle.modify_xmp), ("Iptc.", handle.modify_iptc)):
            # exiv2 deletes a tag set to None; absent tags need no deletion
            part = {k: v for k, v in tags.items() if k.startswith(prefix) and (v is not None or old[k] is not None)}
            if part:
                modify(part)
        return handle.get_bytes(), old
    except (RuntimeError, PhotoReadError) as exc:
        raise PhotoWriteError(f"exiv2 could not write the metadata ({exc})") from None
    finally:
        handle.close()


def _verify(updated: bytes, tags: dict[str, Any]) -> None:
    """Parse the new bytes again: every tag must read back as written."""
    try:
        handle = open_exiv2(Path("<memory>"), data=updated)
        try:
            exif, xmp, iptc = read_all(handle)
        finally:
            handle.close()
    except (PhotoReadError, RuntimeError) as exc:
        raise PhotoWriteError(f"the rewritten file does not parse ({exc}); original untouched") from None
    current = exif | xmp | iptc
    for key, value in tags.items():
        got = current.get(key)
        if value is None and got is not None or value is not None and _normal(got) != _normal(value):
            raise PhotoWriteError(f"{key} reads back as {got!r}, not {value!r}; original untouched")


def _normal(value: Any) -> Any:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value.strip() if isinstance(value, str) else value


def _replace(target: Path, data: bytes, before: FileState | None, journal: Callable[[], None] | None = None) -> None:
    folder = target.parent
    if not os.stat(folder).st_mode & 0o222:  # mode bits say read-only: respected even by root
        raise PhotoWriteError("the folder is read-only; not written")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=folder)
    except PermissionError:
        raise PhotoWriteError("the folder is read-only; not written") from None
    except OSError as exc:
        raise PhotoWriteError(_os_reason(exc)) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if tmp.read_bytes() != data:
            raise PhotoWriteError("the temporary copy does not read back as written; original untouched")
        if before is not None:
            st = os.stat(target)
            os.chmod(tmp, st.st_mode & 0o7777)
            try:
                os.chown(tmp, st.st_uid, st.st_gid)
            except (PermissionError, AttributeError):
                pass  # keep our own ownership where we may not give it away
            if FileState.of(target) != before:
                raise PhotoWriteError("changed while Geo-R was writing it; not written")
            os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        if journal is not None:
            journal()
        os.replace(tmp, target)
        _fsync_folder(folder)
    except OSError as exc:
        raise PhotoWriteError(_os_reason(exc)) from None
    finally:
        tmp.unlink(missing_ok=True)


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
    if exc.errno == errno.ENOSPC:
        return "no space left on the device; original untouched"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "no permission to write here; original untouched"
    return f"{exc.strerror or exc}; original untouched"


def sha256_of(path: Path) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        return None
