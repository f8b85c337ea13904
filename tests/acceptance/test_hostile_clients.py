"""A real server under hostile clients: connections that never finish their request do not
stop other clients, unknown Host headers are refused, and each request is logged once."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.acceptance.server import ServerProcess

pytestmark = pytest.mark.slow

SLOW_SOCKETS = 200


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerProcess]:
    monkeypatch.setenv("MAESTOSO_READ_TIMEOUT", "2")
    monkeypatch.setenv("MAESTOSO_MAX_CONNECTIONS", "100")
    process = ServerProcess(tmp_path).start()
    try:
        yield process
    finally:
        process.stop()


def _slow_sockets(port: int, count: int) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
        sockets.append(sock)
    return sockets


def _closed_by_server(sock: socket.socket) -> bool:
    sock.settimeout(0.01)
    try:
        return sock.recv(1) == b""
    except TimeoutError:
        return False
    except ConnectionError:
        return True


def test_slow_clients_do_not_stop_others(server: ServerProcess) -> None:
    sockets = _slow_sockets(server.port, SLOW_SOCKETS)
    try:
        began = time.monotonic()
        response = httpx.get(f"{server.base}/healthz", timeout=5)
        assert response.status_code == 200
        assert time.monotonic() - began < 2.0
        # Past the cap, the oldest of them were closed to make room.
        assert sum(_closed_by_server(s) for s in sockets) >= SLOW_SOCKETS - 100
        time.sleep(3)  # past the read timeout: the server closed all of them
        assert all(_closed_by_server(s) for s in sockets)
    finally:
        for sock in sockets:
            sock.close()


def test_unknown_hosts_are_refused(server: ServerProcess) -> None:
    evil = httpx.get(f"{server.base}/healthz", headers={"Host": "evil.example.com"})
    assert evil.status_code == 400
    body = evil.json()
    assert body["retryable"] is False and "evil.example.com" in body["message"]
    for host in ("localhost", f"localhost:{server.port}", f"127.0.0.1:{server.port}"):
        assert httpx.get(f"{server.base}/healthz", headers={"Host": host}).status_code == 200


def test_readiness_and_the_access_log(server: ServerProcess) -> None:
    assert httpx.get(f"{server.base}/readyz").status_code == 200
    assert httpx.get(f"{server.base}/api/v3/workflows/none/versions/latest").status_code == 404
    expected = ['"GET /readyz" 200', '"GET /api/v3/workflows/none/versions/latest" 404']
    deadline = time.monotonic() + 5
    while not all(line in server.log.read_text() for line in expected):
        assert time.monotonic() < deadline, server.log.read_text()[-2000:]
        time.sleep(0.1)
