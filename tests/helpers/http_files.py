"""A local HTTP file server for the download tests: serves a folder the way the Hugging Face hub
serves LFS files (HEAD with X-Linked-Size / X-Linked-ETag, GET with Range), and can be told to
drop the connection part-way or to ignore Range requests."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Behaviour:
    cut_after: int | None = None  # bytes sent before the connection drops (once)
    ignore_range: bool = False
    announce_sha: bool = True
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)  # (method, path, Range)


class FileServer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.behaviour = Behaviour()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _file(self) -> Path | None:
                # /<repo owner>/<repo>/resolve/<revision>/<file> -> root/<file>; anything else: the path itself
                parts = self.path.split("/")
                name = parts[-1] if "resolve" in parts else self.path.lstrip("/")
                path = server.root / name
                return path if path.is_file() else None

            def _headers(self, path: Path) -> None:
                data = path.read_bytes()
                self.send_header("X-Linked-Size", str(len(data)))
                if server.behaviour.announce_sha:
                    self.send_header("X-Linked-ETag", '"' + hashlib.sha256(data).hexdigest() + '"')

            def do_HEAD(self) -> None:
                server.behaviour.requests.append(("HEAD", self.path, None))
                path = self._file()
                if path is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(path.stat().st_size))
                self._headers(path)
                self.end_headers()

            def do_GET(self) -> None:
                range_header = self.headers.get("Range")
                server.behaviour.requests.append(("GET", self.path, range_header))
                path = self._file()
                if path is None:
                    self.send_error(404)
                    return
                data = path.read_bytes()
                start = 0
                if range_header and not server.behaviour.ignore_range:
                    start = int(range_header.removeprefix("bytes=").split("-")[0])
                    if start >= len(data):
                        self.send_response(416)
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                body = data[start:]
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                cut = server.behaviour.cut_after
                if cut is not None:
                    server.behaviour.cut_after = None
                    self.wfile.write(body[:cut])
                    self.wfile.flush()
                    self.connection.shutdown(2)
                    return
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
