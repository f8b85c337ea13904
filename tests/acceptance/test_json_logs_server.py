"""``maestoso server --log-format json``: every line the server writes is one JSON object,
its own, uvicorn's and the access log's alike; a format it does not know is refused."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
from tests.acceptance.server import ServerProcess


def test_every_line_is_a_json_object(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "home", args=("--log-format", "json")).start()
    try:
        assert httpx.get(f"{server.base}/healthz").status_code == 200
    finally:
        server.stop()
    lines = [line for line in server.log.read_text().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records), lines
    loggers = {r["logger"] for r in records}
    assert {"maestoso", "maestoso.access", "uvicorn.error"} <= loggers, loggers
    access = [r for r in records if r["logger"] == "maestoso.access"]
    assert any('"GET /healthz" 200' in r["message"] for r in access)
    assert all(r["time"].endswith("Z") for r in records)


def test_an_unknown_format_is_refused_by_name(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "maestoso.cli", "server", "--log-format", "xml"],
        env={"MAESTOSO_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "unknown log format [xml]" in done.stderr
