"""Runtimes in a real server process: Maestro's Http sample against the server's own API, a
Shell step surviving a SIGKILL of the server, and 50 MB of step output without the server's
memory growing."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.acceptance.server import ServerProcess
from tests.corpus import require, shared_dir


@pytest.fixture
def server(tmp_path: Path) -> Any:
    running = ServerProcess(tmp_path / "home").start()
    try:
        yield running
    finally:
        running.stop()


def wait_instance(http: httpx.Client, workflow_id: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        body: dict[str, Any] = http.get(f"/api/v3/workflows/{workflow_id}/instances/1").json()
        if body.get("status") in ("SUCCEEDED", "FAILED", "STOPPED", "TIMED_OUT"):
            return body
        assert time.monotonic() < deadline, body.get("status")
        time.sleep(0.05)


def step(http: httpx.Client, workflow_id: str, step_id: str) -> dict[str, Any]:
    response = http.get(f"/api/v3/workflows/{workflow_id}/instances/1/steps/{step_id}")
    return response.json() if response.status_code == 200 else {}  # type: ignore[no-any-return]


def start(http: httpx.Client, workflow_id: str) -> None:
    started = http.post(
        f"/api/v3/workflows/{workflow_id}/versions/latest/actions/start",
        json={"initiator": {"type": "manual"}},
    )
    assert started.status_code == 200, started.text


def shell_workflow(workflow_id: str, command: str) -> dict[str, Any]:
    return {
        "properties": {"owner": "tester", "run_strategy": "sequential"},
        "workflow": {
            "id": workflow_id,
            "steps": [
                {
                    "step": {
                        "id": "run",
                        "type": "Shell",
                        "retry_policy": {"error_retry_limit": 0},
                        "params": {"command": {"value": command, "type": "STRING"}},
                    }
                }
            ],
        },
    }


def test_maestro_http_sample_calls_the_server_api(server: ServerProcess) -> None:
    text = (require(shared_dir() / "maestro-samples") / "sample-http-wf.yaml").read_text()
    text = text.replace("http://localhost:8080/", f"http://localhost:{server.port}/")
    with server.client() as http:
        created = http.post(
            "/api/v3/workflows/yaml", content=text, headers={"Content-Type": "application/yaml"}
        )
        assert created.status_code == 200, created.text
        start(http, "sample-http-wf")
        instance = wait_instance(http, "sample-http-wf")
        codes = {
            f"job.{n}": step(http, "sample-http-wf", f"job.{n}")["params"]["status_code"][
                "evaluated_result"
            ]
            for n in range(1, 6)
        }
    assert instance["status"] == "SUCCEEDED"
    # Validate, create, read, delete, then read again: gone (404, DONE by its state_expr).
    assert codes == {"job.1": 200, "job.2": 200, "job.3": 200, "job.4": 200, "job.5": 404}


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_a_shell_step_survives_a_server_crash(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "home").start()
    try:
        with server.client() as http:
            body = shell_workflow("survivor", "sleep 4; echo done; exit 3")
            assert http.post("/api/v3/workflows", json=body).status_code == 200
            start(http, "survivor")
            deadline = time.monotonic() + 15
            while step(http, "survivor", "run").get("runtime_state", {}).get("status") != "RUNNING":
                assert time.monotonic() < deadline
                time.sleep(0.05)
            pid = step(http, "survivor", "run")["artifacts"]["maestro_shell"]["data"]["pid"]
        server.kill()
        assert alive(pid), "the step's process must outlive the server"
        server.start()
        with server.client() as http:
            instance = wait_instance(http, "survivor")
            found = step(http, "survivor", "run")
            logs = http.get(
                "/api/v3/workflows/survivor/instances/1/runs/1/steps/run/attempts/1/logs"
            )
        assert instance["status"] == "FAILED"
        assert found["runtime_state"]["status"] == "FATALLY_FAILED"
        assert found["artifacts"]["maestro_shell"]["data"]["exit_code"] == 3
        assert logs.text == "done\n"
    finally:
        server.stop()


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_fifty_megabytes_of_output_do_not_grow_the_server(server: ServerProcess) -> None:
    assert server.process is not None
    pid = server.process.pid
    size = 50 * 1024 * 1024
    with server.client() as http:
        # A first small run loads everything a run needs, so that only the output counts.
        warm = shell_workflow("warm", "head -c 1048576 /dev/zero | tr '\\0' x")
        assert http.post("/api/v3/workflows", json=warm).status_code == 200
        start(http, "warm")
        assert wait_instance(http, "warm")["status"] == "SUCCEEDED"
        before = rss_kb(pid)
        command = f"head -c {size} /dev/zero | tr '\\0' 'x'; echo"
        assert (
            http.post("/api/v3/workflows", json=shell_workflow("loud", command)).status_code == 200
        )
        start(http, "loud")
        assert wait_instance(http, "loud", timeout=60)["status"] == "SUCCEEDED"
        after_run = rss_kb(pid)
        read = 0
        with http.stream(
            "GET", "/api/v3/workflows/loud/instances/1/runs/1/steps/run/attempts/1/logs"
        ) as response:
            for chunk in response.iter_bytes():
                read += len(chunk)
        after_read = rss_kb(pid)
    print(
        f"server VmRSS: {before} kB before, {after_run} kB after the run, {after_read} kB "
        f"after reading the log through the API ({read} bytes)"
    )
    assert read == size + 1
    assert after_run - before < 8 * 1024
    assert after_read - before < 8 * 1024
