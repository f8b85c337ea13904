"""Maestro's README quick start, verbatim, against a real ``maestoso server`` process."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.corpus import require, shared_dir

CURL = shutil.which("curl")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """A server on the embedded SQLite database, as `make run` starts it."""
    port = _free_port()
    env = {**os.environ, "MAESTOSO_HOME": str(tmp_path / "home")}
    env.pop("MAESTOSO_DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "maestoso.cli", "server", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"the server did not start:\n{output}")
            time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()
    assert (tmp_path / "home" / "maestoso.db").exists(), "no embedded database under MAESTOSO_HOME"


@pytest.mark.skipif(CURL is None, reason="curl is not installed")
def test_maestro_quick_start_with_curl(server: str) -> None:
    samples = require(shared_dir() / "maestro-samples")
    address = server.removeprefix("http://")
    create = subprocess.run(
        [
            "curl", "-s", "-H", "user: tester", "-X", "POST", f"{address}/api/v3/workflows",
            "-H", "Content-Type: application/json", "-d", "@sample-dag-test-1.json",
        ],
        cwd=samples, capture_output=True, check=True, text=True,
    )  # fmt: skip
    created = json.loads(create.stdout)["workflow_definition"]
    assert created["metadata"]["version_author"] == "tester"

    read = subprocess.run(
        ["curl", "-s", f"{address}/api/v3/workflows/sample-dag-test-1/versions/latest"],
        capture_output=True, check=True, text=True,
    )  # fmt: skip
    definition = json.loads(read.stdout)
    assert definition == created
    assert [s["step"]["id"] for s in definition["workflow"]["steps"]] == [
        f"job.{n}" for n in range(1, 7)
    ]
    assert definition["is_active"] and definition["is_latest"] and definition["is_default"]


def test_server_serves_openapi_and_docs(server: str) -> None:
    spec = httpx.get(f"{server}/openapi.json").json()
    assert "/api/v3/workflows/{workflow_id}/versions/{version}" in spec["paths"]
    assert httpx.get(f"{server}/docs").status_code == 200


def test_server_keeps_definitions_across_restart(tmp_path: Path) -> None:
    """What a server accepted is there after it is killed and started again."""
    home = tmp_path / "home"
    body = {
        "properties": {"owner": "tester"},
        "workflow": {"id": "durable", "steps": [{"step": {"id": "a", "type": "NoOp"}}]},
    }
    for round_ in range(2):
        port = _free_port()
        env = {**os.environ, "MAESTOSO_HOME": str(home)}
        env.pop("MAESTOSO_DATABASE_URL", None)
        process = subprocess.Popen(
            [sys.executable, "-m", "maestoso.cli", "server", "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    httpx.get(f"{base}/healthz", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            if round_ == 0:
                created = httpx.post(f"{base}/api/v3/workflows", json=body, headers={"user": "t"})
                assert created.status_code == 200
            else:
                read = httpx.get(f"{base}/api/v3/workflows/durable/versions/1")
                assert read.status_code == 200
                steps = read.json()["workflow"]["steps"]
                assert steps == [{"step": {"id": "a", "transition": {}, "type": "NoOp"}}]
        finally:
            process.send_signal(signal.SIGKILL if round_ == 0 else signal.SIGTERM)
            process.wait(timeout=10)
