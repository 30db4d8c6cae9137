"""Resumable, checksummed downloads against a local server that behaves like the model hub."""

import hashlib
import os

import pytest

from geor.engine.models.download import DownloadError, download, remote_info
from tests.helpers.http_files import FileServer


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "served"
    root.mkdir()
    (root / "model.gguf").write_bytes(os.urandom(3 * 1024 * 1024 + 17))
    served = FileServer(root)
    yield served
    served.close()


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_head_gives_size_and_lfs_checksum(server):
    info = remote_info(f"{server.url}/org/repo/resolve/main/model.gguf")
    assert info.size == 3 * 1024 * 1024 + 17
    assert info.sha256 == sha(server.root / "model.gguf")


def test_download_verifies_and_lands_atomically(server, tmp_path):
    url = f"{server.url}/org/repo/resolve/main/model.gguf"
    seen = []
    target = download(url, tmp_path / "out" / "model.gguf", sha256=sha(server.root / "model.gguf"),
                      progress=lambda done, total: seen.append((done, total)))
    assert target.read_bytes() == (server.root / "model.gguf").read_bytes()
    assert not (tmp_path / "out" / "model.gguf.part").exists()
    assert seen[-1][0] == target.stat().st_size
    requests = len(server.behaviour.requests)
    download(url, target, sha256=sha(target))  # already there and matching: no request at all
    assert len(server.behaviour.requests) == requests


def test_interrupted_download_resumes_with_range(server, tmp_path):
    url = f"{server.url}/org/repo/resolve/main/model.gguf"
    expected = sha(server.root / "model.gguf")
    server.behaviour.cut_after = 1024 * 1024
    target = tmp_path / "model.gguf"
    with pytest.raises(DownloadError, match="run the same command again to resume"):
        download(url, target, sha256=expected, size=(server.root / "model.gguf").stat().st_size)
    part = tmp_path / "model.gguf.part"
    assert part.stat().st_size == 1024 * 1024 and not target.exists()
    download(url, target, sha256=expected)
    assert sha(target) == expected
    assert server.behaviour.requests[-1][2] == f"bytes={1024 * 1024}-"


def test_server_ignoring_range_restarts_cleanly(server, tmp_path):
    url = f"{server.url}/org/repo/resolve/main/model.gguf"
    (tmp_path / "model.gguf.part").write_bytes((server.root / "model.gguf").read_bytes()[:5000])
    server.behaviour.ignore_range = True
    download(url, tmp_path / "model.gguf", sha256=sha(server.root / "model.gguf"))
    assert sha(tmp_path / "model.gguf") == sha(server.root / "model.gguf")


def test_checksum_mismatch_deletes_the_damaged_file(server, tmp_path):
    url = f"{server.url}/org/repo/resolve/main/model.gguf"
    with pytest.raises(DownloadError, match="checksum mismatch"):
        download(url, tmp_path / "model.gguf", sha256="0" * 64)
    assert not (tmp_path / "model.gguf").exists() and not (tmp_path / "model.gguf.part").exists()


def test_clear_errors(server, tmp_path):
    with pytest.raises(DownloadError, match=r"HTTP 404 .*no such file on the server"):
        download(f"{server.url}/org/repo/resolve/main/absent.gguf", tmp_path / "a.gguf")
    with pytest.raises(DownloadError, match="cannot connect"):
        download("http://127.0.0.1:9/none.gguf", tmp_path / "b.gguf", timeout=2)
    with pytest.raises(DownloadError, match="only http"):
        download("file:///etc/passwd", tmp_path / "c")
