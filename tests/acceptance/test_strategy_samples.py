"""Maestro's run-strategy samples started several times at once, on a real server over HTTP,
on SQLite and PostgreSQL: each behaves as its strategy says."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from tests.acceptance.server import ServerProcess
from tests.corpus import require, shared_dir

TERMINAL = {"SUCCEEDED", "FAILED", "STOPPED", "TIMED_OUT"}


def _sample(name: str) -> dict[str, Any]:
    return dict(json.loads((require(shared_dir() / "maestro-samples") / name).read_text()))


def _start_many(server: ServerProcess, workflow_id: str, count: int) -> list[dict[str, Any]]:
    def start(_: int) -> dict[str, Any]:
        with server.client() as http:
            response = http.post(
                f"/api/v3/workflows/{workflow_id}/versions/latest/actions/start",
                json={"initiator": {"type": "manual"}},
            )
            assert response.status_code == 200, response.text
            return dict(response.json())

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(start, range(count)))


def _run(http: httpx.Client, workflow_id: str, instance_id: int) -> dict[str, Any]:
    response = http.get(f"/api/v3/workflows/{workflow_id}/instances/{instance_id}/runs/1")
    assert response.status_code == 200, response.text
    return dict(response.json())


def _wait_all(http: httpx.Client, workflow_id: str, count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 60
    while True:
        runs = [_run(http, workflow_id, n) for n in range(1, count + 1)]
        if all(r["status"] in TERMINAL for r in runs):
            return runs
        assert time.monotonic() < deadline, [r["status"] for r in runs]
        time.sleep(0.2)


def _overlap(runs: list[dict[str, Any]]) -> int:
    """The most runs that were in progress at the same moment."""
    events = sorted(
        [(r["start_time"], 1) for r in runs if "start_time" in r]
        + [(r["end_time"], -1) for r in runs if "start_time" in r]
    )
    running = peak = 0
    for _, change in events:
        running += change
        peak = max(peak, running)
    return peak


def test_strategy_samples(tmp_path: Path, database_url: str) -> None:
    server = ServerProcess(tmp_path / "home", database_url).start()
    try:
        with server.client() as http:
            for n in (4, 5, 6, 7, 8, 9):
                assert (
                    http.post(
                        "/api/v3/workflows", json=_sample(f"sample-dag-test-{n}.json")
                    ).status_code
                    == 200
                )
            _strict_sequential(server, http, "sample-dag-test-4")
            _strict_sequential(server, http, "sample-dag-test-7")
            _first_only(server, http)
            _last_only(server, http, "sample-dag-test-6")
            _last_only(server, http, "sample-dag-test-9")
            _parallel(server, http)
    finally:
        server.stop()


def _strict_sequential(server: ServerProcess, http: httpx.Client, workflow_id: str) -> None:
    _start_many(server, workflow_id, 4)
    runs = _wait_all(http, workflow_id, 4)
    assert [r["status"] for r in runs] == ["SUCCEEDED"] * 4
    assert _overlap(runs) == 1, "one run at a time"
    starts = [r["start_time"] for r in runs]
    assert starts == sorted(starts), "first in, first out"


def _first_only(server: ServerProcess, http: httpx.Client) -> None:
    # job.1 of sample-dag-test-5 waits for signals, so the first run stays in progress.
    responses = _start_many(server, "sample-dag-test-5", 3)
    assert sorted(r["status"] for r in responses) == ["CREATED", "STOPPED", "STOPPED"]
    first = next(r for r in responses if r["status"] == "CREATED")["workflow_instance_id"]
    deadline = time.monotonic() + 20
    while _run(http, "sample-dag-test-5", first)["status"] != "IN_PROGRESS":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    http.put("/api/v3/workflows/sample-dag-test-5/actions/stop")


def _last_only(server: ServerProcess, http: httpx.Client, workflow_id: str) -> None:
    _start_many(server, workflow_id, 3)
    runs = _wait_all(http, workflow_id, 3)
    assert runs[-1]["status"] == "SUCCEEDED", "the newest run always runs"
    assert {r["status"] for r in runs} <= {"SUCCEEDED", "STOPPED"}
    assert _overlap(runs) == 1


def _parallel(server: ServerProcess, http: httpx.Client) -> None:
    _start_many(server, "sample-dag-test-8", 8)
    runs = _wait_all(http, "sample-dag-test-8", 8)
    assert [r["status"] for r in runs] == ["SUCCEEDED"] * 8
    assert _overlap(runs) <= 5, "workflow_concurrency 5"
    steps = http.get("/api/v3/workflows/sample-dag-test-8/instances/1/runs/1/steps").json()
    by_id = {s["step_id"]: s["runtime_state"]["status"] for s in steps}
    assert by_id["job.3"] == "UNSATISFIED" and by_id["job.4"] == "SUCCEEDED", "x = 5"
