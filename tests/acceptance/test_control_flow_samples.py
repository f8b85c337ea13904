"""Maestro's foreach, while and subworkflow samples on a real server, over HTTP, on SQLite and
PostgreSQL, to the outcome Maestro gives.

One change to the samples keeps this test quick: every ``sleep_seconds`` becomes 1
(sample-dag-test-3 sleeps 15-17 s per step and runs dozens of times across the nested
samples). Their loop-param validators (``param!=null && param.size() > 2``) stay: they cannot
run on an array, and, as in Maestro, a validator that cannot run does not fail the param.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
from tests.acceptance.server import ServerProcess
from tests.corpus import require, shared_dir

CHILDREN_FIRST = [
    "sample-dag-test-3.json",
    "sample-foreach-wf.json",
    "sample-while-wf.json",
    "sample-subworkflow-wf.json",
    "sample-nested-subworkflow-wf.json",
    "sample-large-foreach-wf.json",
    "sample-nested-foreach-wf.json",
    "sample-nested-foreach-subworkflow-wf.json",
    "sample-nested-subworkflow-foreach-wf.json",
    "sample-mixed-wf.json",
]
STARTED = CHILDREN_FIRST[1:]
TERMINAL = ("SUCCEEDED", "FAILED", "STOPPED", "TIMED_OUT")


def _quick(node: Any) -> Any:
    """The sample with 1-second sleeps."""
    if isinstance(node, list):
        return [_quick(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "sleep_seconds" and isinstance(value, dict):
            out[key] = {"value": 1, "type": "LONG"}
        else:
            out[key] = _quick(value)
    return out


def _load(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(
        (require(shared_dir() / "maestro-samples") / name).read_text()
    )
    return body


def _start(http: httpx.Client, workflow_id: str) -> int:
    response = http.post(
        f"/api/v3/workflows/{workflow_id}/versions/latest/actions/start",
        json={"initiator": {"type": "manual"}},
    )
    assert response.status_code == 200, response.text
    return int(response.json()["workflow_instance_id"])


def _wait(http: httpx.Client, workflow_id: str, instance_id: int, deadline: float) -> Any:
    while True:
        run = http.get(f"/api/v3/workflows/{workflow_id}/instances/{instance_id}/runs/1")
        assert run.status_code == 200, run.text
        if run.json()["status"] in TERMINAL:
            return run.json()
        assert time.monotonic() < deadline, f"{workflow_id} is still {run.json()['status']}"
        time.sleep(0.25)


def _step(http: httpx.Client, workflow_id: str, instance_id: int, step_id: str) -> Any:
    response = http.get(f"/api/v3/workflows/{workflow_id}/instances/{instance_id}/steps/{step_id}")
    assert response.status_code == 200, response.text
    return response.json()


def test_control_flow_samples_run_as_in_maestro(tmp_path: Path, database_url: str) -> None:
    server = ServerProcess(tmp_path / "home", database_url).start()
    try:
        with server.client() as http:
            for name in CHILDREN_FIRST:
                created = http.post("/api/v3/workflows", json=_quick(_load(name)))
                assert created.status_code == 200, (name, created.text)
            started = {name: (_load(name)["workflow"]["id"], 0) for name in STARTED}
            for name, (workflow_id, _) in started.items():
                started[name] = (workflow_id, _start(http, workflow_id))
            deadline = time.monotonic() + 300
            for name, (workflow_id, instance_id) in started.items():
                run = _wait(http, workflow_id, instance_id, deadline)
                assert run["status"] == "SUCCEEDED", (name, run.get("timeline"))
            foreach = _step(http, "sample-foreach-wf", 1, "foreach-job")["artifacts"]
            assert foreach["maestro_foreach"]["foreach_overview"]["stats"] == {"SUCCEEDED": 9}
            large = _step(http, "sample-large-foreach-wf", 1, "job1")["artifacts"]
            overview = large["maestro_foreach"]["foreach_overview"]
            assert large["maestro_foreach"]["total_loop_count"] == 1098
            assert overview["stats"] == {"SUCCEEDED": 1098}
            assert overview["rollup"]["total_leaf_count"] == 2196
            mixed = _wait(http, "sample-mixed-wf", 1, deadline)
            rollup = mixed["runtime_overview"]["rollup_overview"]
            # dag-test-3 (4) + 6 iterations x (NoOp + dag-test-3) + 3 x 9 x 6 NoOps
            assert rollup == {
                "total_leaf_count": 4 + 6 * 5 + 3 * 54,
                "overview": {"SUCCEEDED": {"cnt": 4 + 6 * 5 + 3 * 54}},
            }
            while_step = _step(http, "sample-while-wf", 1, "while-job")["artifacts"]
            assert while_step["maestro_while"]["last_iteration"] == 5
    finally:
        server.stop()


def test_stopping_a_foreach_sample_stops_its_iterations(tmp_path: Path, database_url: str) -> None:
    server = ServerProcess(tmp_path / "home", database_url).start()
    try:
        with server.client() as http:
            body = _quick(_load("sample-large-foreach-wf.json"))
            assert http.post("/api/v3/workflows", json=body).status_code == 200
            instance_id = _start(http, "sample-large-foreach-wf")
            artifact: dict[str, Any] = {}
            for _ in range(200):
                step = http.get(
                    f"/api/v3/workflows/sample-large-foreach-wf/instances/{instance_id}/steps/job1"
                )
                if step.status_code == 200 and step.json().get("artifacts"):
                    artifact = step.json()["artifacts"]["maestro_foreach"]
                    break
                time.sleep(0.05)
            inline_id = artifact["foreach_workflow_id"]
            time.sleep(1.0)
            stopped = http.put(
                f"/api/v3/workflows/sample-large-foreach-wf/instances/{instance_id}/actions/stop"
            )
            assert stopped.status_code == 200, stopped.text
            run = _wait(http, "sample-large-foreach-wf", instance_id, time.monotonic() + 60)
            assert run["status"] == "STOPPED"
            statuses = set()
            for iteration in range(1, 1099):
                child = http.get(f"/api/v3/workflows/{inline_id}/instances/{iteration}/runs/1")
                if child.status_code == 404:
                    break
                statuses.add(child.json()["status"])
            assert statuses and statuses <= {"SUCCEEDED", "STOPPED"}, statuses
            assert "STOPPED" in statuses
            time.sleep(1.5)  # nothing keeps running: no iteration changes after the stop
            again = http.get(f"/api/v3/workflows/{inline_id}/instances/1/runs/1")
            assert again.json()["status"] in ("SUCCEEDED", "STOPPED")
    finally:
        server.stop()
