"""A small HTTP server on loopback for Http step tests (a thread of the test process)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True
    big_bytes_sent = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    server: LoopbackServer

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._route()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def _route(self) -> None:
        path = self.path.split("?", 1)[0]
        if path.startswith("/status/"):
            self._send(int(path.rsplit("/", 1)[1]), f"status {path.rsplit('/', 1)[1]}".encode())
        elif path == "/echo":
            self._echo()
        elif path == "/big":
            self._big()
        elif path == "/declared":
            self.send_response(200)
            self.send_header("Content-Length", str(5 * 1024 * 1024))
            self.end_headers()
        elif path == "/slow":
            time.sleep(2)
            self._send(200, b"late")
        elif path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/echo")
            self.end_headers()
        else:
            self._send(404, b"not found")

    def _echo(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else None
        echo = {"method": self.command, "headers": dict(self.headers.items()), "body": body}
        self._send(200, json.dumps(echo).encode(), "application/json")

    def _big(self) -> None:
        """50 MB without a Content-Length, counting what the client took before hanging up."""
        self.send_response(200)
        self.end_headers()
        chunk = b"z" * 65536
        try:
            for _ in range(800):
                self.wfile.write(chunk)
                self.wfile.flush()
                self.server.big_bytes_sent += len(chunk)
        except OSError:
            pass

    def _send(self, status: int, body: bytes, kind: str = "text/plain") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serving() -> Iterator[LoopbackServer]:
    server = LoopbackServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
