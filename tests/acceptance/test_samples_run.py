"""Every sample made only of NoOp and Sleep steps (no signal dependencies) runs to SUCCEEDED
on a real server, over HTTP, on SQLite and PostgreSQL; sample-dag-test-1 as in Maestro's
quick start."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
from tests.acceptance.server import ServerProcess
from tests.corpus import require, shared_dir

# Runnable samples; sample-dag-test-2 (a 100 s sleep against a timeout with timeout retries)
# belongs with the timeout tests.
RUNNABLE = [
    "maestro-common__request__sample-active-wf-with-output-signals.json",
    "maestro-common__request__sample-conditional-wf.json",
    "maestro-common__request__sample-minimal-wf-with-auth-metadata.json",
    "maestro-common__request__sample-minimal-wf.json",
    "maestro-server__samples__sample-conditional-wf.json",
    "sample-dag-test-1-wf.json",
    "sample-dag-test-1.json",
    "sample-dag-test-3-wf.json",
    "sample-dag-test-3.json",
    "sample-dag-test-4.json",
    "sample-dag-test-6.json",
    "sample-dag-test-7.json",
    "sample-dag-test-8.json",
    "sample-dag-test-9.json",
    "sample-minimal-wf-without-props.json",
    "sample-single-node-wf.json",
    "sample-time-trigger-wf.json",
    "sample-workflow-create-request-params.json",
    "sample-workflow-create-request.json",
]


def _push(http: Any, body: dict[str, Any]) -> str:
    workflow_id = str(body["workflow"]["id"])
    if "owner" not in (body.get("properties") or {}):
        first = {"properties": {"owner": "tester"}, "workflow": body["workflow"]}
        assert http.post("/api/v3/workflows", json=first).status_code == 200
    created = http.post("/api/v3/workflows", json=body)
    assert created.status_code == 200, created.text
    return workflow_id


def test_runnable_samples_succeed(tmp_path: Path, database_url: str) -> None:
    samples = require(shared_dir() / "maestro-samples")
    server = ServerProcess(tmp_path / "home", database_url).start()
    try:
        with server.client() as http:
            started: list[tuple[str, str, int]] = []
            for name in RUNNABLE:
                workflow_id = _push(http, json.loads((samples / name).read_text()))
                # Several samples define one workflow (sample-dag-test-9, LAST_ONLY): a run
                # still going when the next one arrives would be stopped, as Maestro does.
                for _, earlier_id, instance_id in started:
                    if earlier_id == workflow_id:
                        _wait_terminal(http, workflow_id, instance_id)
                response = http.post(
                    f"/api/v3/workflows/{workflow_id}/versions/latest/actions/start",
                    json={"initiator": {"type": "manual"}},
                )
                assert response.status_code == 200, (name, response.text)
                started.append((name, workflow_id, response.json()["workflow_instance_id"]))
            deadline = time.monotonic() + 120
            pending = list(started)
            while pending:
                name, workflow_id, instance_id = pending[0]
                run = http.get(f"/api/v3/workflows/{workflow_id}/instances/{instance_id}/runs/1")
                assert run.status_code == 200, run.text
                status = run.json()["status"]
                if status in ("SUCCEEDED", "FAILED", "STOPPED", "TIMED_OUT"):
                    assert status == "SUCCEEDED", (name, run.json().get("timeline"))
                    pending.pop(0)
                    continue
                assert time.monotonic() < deadline, f"{name} is still {status}"
                time.sleep(0.25)
            steps = http.get("/api/v3/workflows/sample-dag-test-1/instances/1/runs/1/steps")
            assert steps.status_code == 200
            by_id = {s["step_id"]: s for s in steps.json()}
            assert sorted(by_id) == [f"job.{n}" for n in range(1, 7)]
            assert all(s["runtime_state"]["status"] == "SUCCEEDED" for s in by_id.values())
            order = [("job.1", "job.2"), ("job.2", "job.3"), ("job.5", "job.3"), ("job.3", "job.4")]
            for before, after in order:
                assert (
                    by_id[before]["runtime_state"]["end_time"]
                    <= by_id[after]["runtime_state"]["start_time"]
                )
    finally:
        server.stop()


def _wait_terminal(http: httpx.Client, workflow_id: str, instance_id: int) -> None:
    deadline = time.monotonic() + 120
    while True:
        run = http.get(f"/api/v3/workflows/{workflow_id}/instances/{instance_id}/runs/1")
        if run.json()["status"] in ("SUCCEEDED", "FAILED", "STOPPED", "TIMED_OUT"):
            return
        assert time.monotonic() < deadline, f"{workflow_id} {instance_id} never ended"
        time.sleep(0.1)
