"""A hostile SEL expression fails its start or its step with a SEL error naming the limit,
and the server keeps answering meanwhile: ``/healthz`` within 1 s all along. So does one in
an edge condition (the edge does not hold) or in a signal trigger's params (no run starts)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.acceptance.server import ServerProcess

pytestmark = pytest.mark.slow

CATASTROPHIC = "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!'.replaceAll('(a|aa)+$','x')"
GROWTH = "String s = 'ab'; for (int i = 0; i < 24; i = i + 1) { s = s.replaceAll('a', 'aa'); } s;"
HOSTILE_BOOL = f"{CATASTROPHIC} == 'x'"
LOOP = "long n = 0; for (int i = 0; i < 25000; i = i + 1) { n = n + i; } n;"
LIMIT_SECONDS = 2


class HealthPoller:
    """Polls ``/healthz`` on its own connection and records each answer's latency."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> HealthPoller:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=5) as client:
            while not self._stop.is_set():
                began = time.monotonic()
                try:
                    status = client.get("/healthz").status_code
                    if status != 200:
                        self.failures.append(f"status {status}")
                except httpx.HTTPError as error:
                    self.failures.append(repr(error))
                self.latencies.append(time.monotonic() - began)
                time.sleep(0.05)


def _workflow(workflow_id: str, expression: str | None = None) -> dict[str, Any]:
    params = {} if expression is None else {"hostile": {"expression": expression, "type": "STRING"}}
    return {
        "properties": {"owner": "tester", "run_strategy": "parallel"},
        "workflow": {
            "id": workflow_id,
            "params": {"greeting": {"value": "hi", "type": "STRING"}},
            "steps": [{"step": {"id": "only", "type": "NoOp", "params": params}}],
        },
    }


def _start(http: httpx.Client, workflow_id: str, run_params: dict[str, Any]) -> httpx.Response:
    return http.post(
        f"/api/v3/workflows/{workflow_id}/versions/latest/actions/start",
        json={"initiator": {"type": "manual"}, "run_params": run_params},
    )


def _wait_for_status(http: httpx.Client, workflow_id: str) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        body = http.get(f"/api/v3/workflows/{workflow_id}/instances/1").json()
        if body.get("status") in ("SUCCEEDED", "FAILED", "STOPPED"):
            return str(body["status"])
        time.sleep(0.2)
    raise AssertionError("the run did not finish")


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("MAESTOSO_SEL_TIME_LIMIT", str(LIMIT_SECONDS))
    process = ServerProcess(tmp_path).start()
    try:
        yield process
    finally:
        process.stop()


@pytest.mark.parametrize("expression", [CATASTROPHIC, GROWTH], ids=["backtracking", "growth"])
def test_a_hostile_run_param_fails_the_start_and_health_answers(
    server: ServerProcess, expression: str
) -> None:
    with server.client() as http:
        assert http.post("/api/v3/workflows", json=_workflow("calm")).status_code == 200
        with HealthPoller(server.base) as poller:
            began = time.monotonic()
            response = _start(
                http, "calm", {"hostile": {"expression": expression, "type": "STRING"}}
            )
            took = time.monotonic() - began
            time.sleep(0.3)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["retryable"] is False
    assert body["status"] == "BAD_REQUEST"
    assert "hostile" in body["message"]
    assert "limit" in body["message"]
    # bounded by the limit, not frozen: the margin is for a loaded machine's scheduling
    assert took < LIMIT_SECONDS + 5
    assert not poller.failures
    assert len(poller.latencies) >= 10
    assert max(poller.latencies) < 1.0, max(poller.latencies)


def test_a_hostile_step_param_fails_the_step_and_health_answers(server: ServerProcess) -> None:
    with server.client() as http:
        assert (
            http.post("/api/v3/workflows", json=_workflow("wild", CATASTROPHIC)).status_code == 200
        )
        with HealthPoller(server.base) as poller:
            assert _start(http, "wild", {}).status_code == 200
            assert _wait_for_status(http, "wild") == "FAILED"
    assert not poller.failures
    assert max(poller.latencies) < 1.0, max(poller.latencies)


def test_an_honest_loop_still_runs(server: ServerProcess) -> None:
    with server.client() as http:
        assert http.post("/api/v3/workflows", json=_workflow("honest")).status_code == 200
        response = _start(http, "honest", {"total": {"expression": LOOP, "type": "LONG"}})
        assert response.status_code == 200, response.text
        assert _wait_for_status(http, "honest") == "SUCCEEDED"
        params = http.get("/api/v3/workflows/honest/instances/1").json()["params"]
    assert params["total"]["evaluated_result"] == sum(range(25000))


def test_a_hostile_edge_condition_holds_not_and_health_answers(server: ServerProcess) -> None:
    steps = [
        {"step": {"id": "a", "type": "NoOp", "transition": {"successors": {"b": HOSTILE_BOOL}}}},
        {"step": {"id": "b", "type": "NoOp"}},
    ]
    body = {
        "properties": {"owner": "tester", "run_strategy": "parallel"},
        "workflow": {"id": "forked", "steps": steps},
    }
    with server.client() as http:
        assert http.post("/api/v3/workflows", json=body).status_code == 200, body
        with HealthPoller(server.base) as poller:
            began = time.monotonic()
            assert _start(http, "forked", {}).status_code == 200
            status = _wait_for_status(http, "forked")
            took = time.monotonic() - began
        overview = http.get("/api/v3/workflows/forked/instances/1/steps/b").json()
    assert status == "SUCCEEDED"
    assert overview["runtime_state"]["status"] == "UNSATISFIED"
    assert took >= LIMIT_SECONDS, "the condition ran until the limit stopped it"
    assert not poller.failures
    assert max(poller.latencies) < 1.0, max(poller.latencies)


def test_a_hostile_signal_trigger_param_starts_nothing_and_health_answers(
    server: ServerProcess,
) -> None:
    trigger = {
        "definitions": {"go": {}},
        "params": {"hostile": {"expression": CATASTROPHIC, "type": "STRING"}},
    }
    body = _workflow("signalled")
    body["workflow"]["signal_triggers"] = [trigger]
    with server.client() as http:
        assert http.post("/api/v3/workflows", json=body).status_code == 200
        with HealthPoller(server.base) as poller:
            announced = http.post("/api/v3/signals", json={"name": "go", "params": {}})
            assert announced.status_code == 200, announced.text
            deadline = time.monotonic() + LIMIT_SECONDS + 10
            while "skipped" not in server.log.read_text():
                assert time.monotonic() < deadline, "the trigger was never evaluated"
                time.sleep(0.2)
        first = http.get("/api/v3/workflows/signalled/instances/1")
    assert first.status_code == 404, "a trigger whose params fail starts no run"
    assert "limit" in server.log.read_text().split("skipped", 1)[1].splitlines()[0]
    assert not poller.failures
    assert max(poller.latencies) < 1.0, max(poller.latencies)
