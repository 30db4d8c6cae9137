"""Resumable, checksummed HTTP downloads (stdlib only).

A file is fetched into ``NAME.part`` beside its destination; an interrupted download resumes with
an HTTP Range request where the server allows it (else starts over); the finished file is checked
against its expected size and SHA-256 and only then renamed into place, so a destination file is
always complete. This is the only code in Geo-R that opens a network connection, and only when the
user asks (``geor models pull``, ``geor-export`` fetching llama.cpp's converter).
"""

from __future__ import annotations

import hashlib
import http.client
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from geor.engine.errors import UserError

CHUNK = 1024 * 1024
USER_AGENT = "geor-downloader/1"

#: progress(done_bytes, total_bytes or None)
Progress = Callable[[int, int | None], None]


class DownloadError(UserError, OSError):
    """A download that failed; the message names the URL or file and what to do."""


@dataclass(frozen=True)
class RemoteInfo:
    size: int | None
    sha256: str | None  # from the server (Hugging Face's X-Linked-ETag for LFS files), if it says


def _request(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> urllib.request.Request:
    return urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT, **(headers or {})})


def _open(request: urllib.request.Request, timeout: float) -> http.client.HTTPResponse:
    try:
        # typed Any (other schemes give other objects); http(s) URLs, checked by callers, give an HTTPResponse
        return cast(http.client.HTTPResponse, urllib.request.urlopen(request, timeout=timeout))  # noqa: S310
    except urllib.error.HTTPError as exc:
        if exc.code == 416:
            raise
        hint = {401: " (the server wants a login)", 403: " (access denied)", 404: " (no such file on the server)"}.get(exc.code, "")
        raise DownloadError(f"{request.full_url}: HTTP {exc.code} {exc.reason}{hint}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(f"{request.full_url}: cannot connect ({reason}); check the network, or copy the files by hand") from None


def _check_scheme(url: str) -> None:
    if not url.startswith(("https://", "http://")):
        raise DownloadError(f"{url}: only http(s) URLs can be downloaded")


def remote_info(url: str, timeout: float = 30.0) -> RemoteInfo:
    """Size and, where the server states it, SHA-256 of ``url`` (a HEAD request, redirects followed)."""
    _check_scheme(url)
    with _open(_request(url, "HEAD"), timeout) as response:
        headers = response.headers
        size = headers.get("X-Linked-Size") or headers.get("Content-Length")
        etag = (headers.get("X-Linked-ETag") or "").strip('"').lower()
    sha = etag if len(etag) == 64 and all(c in "0123456789abcdef" for c in etag) else None
    return RemoteInfo(int(size) if size and size.isdigit() else None, sha)


def download(url: str, dest: Path, sha256: str | None = None, size: int | None = None,
             progress: Progress | None = None, timeout: float = 30.0) -> Path:
    """Fetch ``url`` to ``dest``, resuming ``dest.part`` if a previous try left one; return ``dest``.

    With ``sha256`` (and/or ``size``) the result is verified; a mismatch deletes the partial file
    and raises :class:`DownloadError`. An existing ``dest`` that matches is kept without a request.
    """
    _check_scheme(url)
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    expected = sha256.lower() if sha256 else None
    if dest.is_file() and _matches(dest, expected, size):
        return dest
    part = dest.with_name(dest.name + ".part")
    digest = hashlib.sha256()
    done = 0
    if part.is_file():
        with part.open("rb") as handle:
            while block := handle.read(CHUNK):
                digest.update(block)
                done += len(block)
    if size is not None and done > size:  # a stale or foreign .part: start over
        part.unlink()
        digest, done = hashlib.sha256(), 0
    if size is None or done < size:
        headers = {"Range": f"bytes={done}-"} if done else {}
        try:
            response = _open(_request(url, headers=headers), timeout)
        except urllib.error.HTTPError as exc:  # 416: nothing left to send (the part may be complete)
            response = None
            if exc.code != 416:
                raise
        if response is not None:
            with response:
                if done and response.status != 206:  # the server ignored the range: start over
                    digest, done = hashlib.sha256(), 0
                    mode = "wb"
                else:
                    mode = "ab"
                length = response.headers.get("Content-Length")
                total = size if size is not None else (done + int(length) if length and length.isdigit() else None)
                try:
                    with part.open(mode) as out:
                        while block := response.read(CHUNK):
                            out.write(block)
                            digest.update(block)
                            done += len(block)
                            if progress is not None:
                                progress(done, total)
                        out.flush()
                        os.fsync(out.fileno())
                except (TimeoutError, ConnectionError, OSError) as exc:
                    if isinstance(exc, DownloadError):
                        raise
                    raise DownloadError(f"{url}: interrupted after {done:,} bytes ({exc}); run the same command again to resume") from None
    if size is not None and done != size:
        raise DownloadError(f"{url}: got {done:,} bytes, expected {size:,}; run the same command again to resume")
    if expected is not None and digest.hexdigest() != expected:
        part.unlink(missing_ok=True)
        raise DownloadError(f"{url}: checksum mismatch (expected sha256 {expected}, got {digest.hexdigest()}); the damaged file was deleted, run again")
    os.replace(part, dest)
    return dest


def _matches(path: Path, sha256: str | None, size: int | None) -> bool:
    if size is not None and path.stat().st_size != size:
        return False
    if sha256 is None:
        return size is not None
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest() == sha256
