"""The engine over a real store: DAG semantics, statuses, stop and kill, run strategies."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from tests.corpus import require, shared_dir
from tests.integration.engine_support import Harness, harness

from maestoso.clock import FakeClock, SystemClock
from maestoso.models.steps import StepType
from maestoso.runtimes import State, StepContext, StepResult


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[Harness]:
    async with harness(database_url, {StepType.TITUS: FailingRuntime()}) as running:
        yield running


class FailingRuntime:
    """A step type that always fails with a user error (Titus stands in for it here)."""

    default_poll_seconds = 0.01

    async def start(self, context: StepContext) -> StepResult:
        return StepResult(state=State.USER_ERROR, timeline=["boom"])

    async def execute(self, context: StepContext) -> StepResult:
        return StepResult(state=State.USER_ERROR)

    async def terminate(self, context: StepContext) -> StepResult:
        return StepResult(state=State.STOPPED)


def step(
    step_id: str, kind: str = "NoOp", successors: dict[str, str] | None = None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"id": step_id, "type": kind, **extra}
    if successors:
        body["transition"] = {"successors": successors}
    return {"step": body}


def workflow(
    workflow_id: str, *steps: dict[str, Any], run_strategy: Any = "parallel", **fields: Any
) -> dict[str, Any]:
    return {
        "properties": {"owner": "tester", "run_strategy": run_strategy},
        "workflow": {"id": workflow_id, "steps": list(steps), **fields},
    }


async def test_sample_dag_runs_in_dag_order(engine: Harness) -> None:
    sample = require(shared_dir() / "maestro-samples") / "sample-dag-test-1.json"
    await engine.create(json.loads(sample.read_text()))
    started = await engine.start("sample-dag-test-1")
    assert started["status"] == "CREATED" and started["workflow_instance_id"] == 1
    row = await engine.wait("sample-dag-test-1", 1)
    assert row.status == "SUCCEEDED"
    steps = await engine.steps("sample-dag-test-1", 1)
    assert {s: r.status for s, r in steps.items()} == {f"job.{n}": "SUCCEEDED" for n in range(1, 7)}
    edges = [
        ("job.1", "job.5"),
        ("job.1", "job.2"),
        ("job.2", "job.3"),
        ("job.2", "job.6"),
        ("job.3", "job.4"),
        ("job.5", "job.3"),
        ("job.6", "job.4"),
    ]
    for source, target in edges:
        assert steps[source].runtime_state["end_time"] <= steps[target].runtime_state["start_time"]
    assert row.document["params"]["foo"]["evaluated_result"] == "September"
    overview = row.runtime_overview
    assert overview is not None and overview["step_overview"]["SUCCEEDED"]["cnt"] == 6


async def test_conditions_choose_branches_and_unsatisfied_spreads(engine: Harness) -> None:
    await engine.create(
        workflow(
            "branches",
            step(
                "a",
                successors={"yes": "x > 10", "no": "x <= 10"},
                params={"x": {"type": "LONG", "value": 15}},
            ),
            step("yes", successors={"after_no": "true"}),
            step("no", successors={"after_no": "true"}),
            step("after_no"),
        )
    )
    await engine.start("branches")
    row = await engine.wait("branches", 1)
    steps = await engine.steps("branches", 1)
    assert steps["yes"].status == "SUCCEEDED"
    assert steps["no"].status == "UNSATISFIED"
    assert steps["after_no"].status == "SUCCEEDED"
    assert row.status == "SUCCEEDED"


async def test_steps_only_reachable_through_an_unsatisfied_step_are_unsatisfied(
    engine: Harness,
) -> None:
    await engine.create(
        workflow(
            "chain",
            step("a", successors={"b": "false"}),
            step("b", successors={"c": "true"}),
            step("c"),
        )
    )
    await engine.start("chain")
    row = await engine.wait("chain", 1)
    steps = await engine.steps("chain", 1)
    assert [steps[s].status for s in "abc"] == ["SUCCEEDED", "UNSATISFIED", "UNSATISFIED"]
    assert row.status == "SUCCEEDED"


async def test_failure_after_running_lets_other_branches_finish(engine: Harness) -> None:
    retry = {
        "error_retry_limit": 1,
        "backoff": {"type": "fixed_backoff", "error_retry_backoff_in_secs": 0},
    }
    await engine.create(
        workflow(
            "failing",
            step("bad", "Titus", successors={"after_bad": "true"}, retry_policy=retry),
            step("after_bad"),
            step("other", "Sleep", params={"sleep_seconds": {"type": "LONG", "value": 0}}),
        )
    )
    await engine.start("failing")
    row = await engine.wait("failing", 1)
    steps = await engine.steps("failing", 1)
    assert row.status == "FAILED"
    assert steps["bad"].status == "FATALLY_FAILED"
    assert steps["bad"].attempt_id == 2, "one retry, then final"
    assert steps["bad"].document["step_retry"]["error_retries"] == 1
    assert steps["after_bad"].status == "UNSATISFIED"
    assert steps["other"].status == "SUCCEEDED"


async def test_ignore_failure_completes_with_error(engine: Harness) -> None:
    await engine.create(
        workflow(
            "ignoring",
            step(
                "bad",
                "Titus",
                successors={"next": "true"},
                failure_mode="ignore_failure",
                retry_policy={"error_retry_limit": 0},
            ),
            step("next"),
        )
    )
    await engine.start("ignoring")
    row = await engine.wait("ignoring", 1)
    steps = await engine.steps("ignoring", 1)
    assert steps["bad"].status == "COMPLETED_WITH_ERROR"
    assert steps["next"].status == "SUCCEEDED"
    assert row.status == "SUCCEEDED"


async def test_fail_immediately_stops_the_rest(engine: Harness) -> None:
    await engine.create(
        workflow(
            "fast-fail",
            step(
                "bad",
                "Titus",
                failure_mode="fail_immediately",
                retry_policy={"error_retry_limit": 0},
            ),
            step("slow", "Sleep", params={"sleep_seconds": {"type": "LONG", "value": 30}}),
        )
    )
    await engine.start("fast-fail")
    row = await engine.wait("fast-fail", 1)
    steps = await engine.steps("fast-fail", 1)
    assert row.status == "FAILED"
    assert steps["bad"].status == "FATALLY_FAILED"
    assert steps["slow"].status == "STOPPED"


async def test_stop_and_kill_running_instances(engine: Harness) -> None:
    sleepy = step("nap", "Sleep", params={"sleep_seconds": {"type": "LONG", "value": 60}})
    await engine.create(workflow("sleepy", sleepy))
    await engine.start("sleepy")
    await engine.start("sleepy")
    await engine.wait_status("sleepy", 1, "IN_PROGRESS")
    await engine.wait_status("sleepy", 2, "IN_PROGRESS")
    stopped = await engine.http.put("/api/v3/workflows/sleepy/instances/1/actions/stop")
    assert stopped.json()["completed"] is False
    killed = await engine.http.put("/api/v3/workflows/sleepy/instances/2/runs/1/actions/kill")
    assert killed.status_code == 200
    assert (await engine.wait("sleepy", 1)).status == "STOPPED"
    assert (await engine.wait("sleepy", 2)).status == "FAILED"
    assert (await engine.steps("sleepy", 1))["nap"].status == "STOPPED"
    again = await engine.http.put("/api/v3/workflows/sleepy/instances/1/actions/stop")
    assert again.json()["completed"] is True
    illegal = await engine.http.put("/api/v3/workflows/sleepy/instances/1/actions/kill")
    assert illegal.status_code == 400 and "STOPPED" in illegal.json()["message"]


async def test_sequential_queues_and_a_queued_stop_completes_at_once(engine: Harness) -> None:
    nap = step("nap", "Sleep", params={"sleep_seconds": {"type": "LONG", "value": 60}})
    await engine.create(workflow("one-at-a-time", nap, run_strategy="sequential"))
    await engine.start("one-at-a-time")
    await engine.start("one-at-a-time")
    await engine.wait_status("one-at-a-time", 1, "IN_PROGRESS")
    second = await engine.store.get_instance("one-at-a-time", 2)
    assert second is not None and second.status == "CREATED"
    queued_stop = await engine.http.put("/api/v3/workflows/one-at-a-time/instances/2/actions/stop")
    assert queued_stop.json()["completed"] is True
    assert queued_stop.json()["workflow_instance_status"] == "STOPPED"
    everything = await engine.http.put("/api/v3/workflows/one-at-a-time/actions/stop")
    assert everything.status_code == 202
    assert (await engine.wait("one-at-a-time", 1)).status == "STOPPED"


async def test_request_id_dedup(engine: Harness) -> None:
    await engine.create(workflow("dedup", step("a")))
    request_id = "1a2b3c4d-0000-4000-8000-000000000001"
    first = await engine.start("dedup", request_id=request_id)
    second = await engine.start("dedup", request_id=request_id)
    assert first["status"] == "CREATED" and second["status"] == "DUPLICATED"
    assert second["workflow_instance_id"] == first["workflow_instance_id"]
    assert second["workflow_uuid"] == request_id


async def test_bad_start_requests(engine: Harness) -> None:
    await engine.create(workflow("target", step("a")))
    base = "/api/v3/workflows/target/versions"
    cases = [
        (f"{base}/latest/actions/start", {}, 400, "initiator"),
        (f"{base}/latest/actions/start", {"initiator": {"type": "nobody"}}, 400, "initiator"),
        (f"{base}/9/actions/start", {"initiator": {"type": "manual"}}, 404, "[9]"),
        (
            f"{base}/active/actions/start",
            {"initiator": {"type": "manual"}, "request_id": "x"},
            400,
            "UUID",
        ),
        (
            "/api/v3/workflows/ghost/versions/latest/actions/start",
            {"initiator": {"type": "manual"}},
            404,
            "ghost",
        ),
    ]
    for path, body, status, fragment in cases:
        response = await engine.http.post(path, json=body)
        assert response.status_code == status, (path, response.text)
        assert fragment in json.dumps(response.json())
    await engine.http.put("/api/v3/workflows/target/actions/deactivate")
    inactive = await engine.http.post(
        f"{base}/active/actions/start", json={"initiator": {"type": "manual"}}
    )
    assert inactive.status_code == 404


async def test_a_node_that_lost_its_group_writes_nothing_more(database_url: str) -> None:
    nap = step(
        "nap",
        "Sleep",
        successors={"after": "true"},
        params={"sleep_seconds": {"type": "LONG", "value": 1}},
    )
    # From now on, so that the second node, on real time, takes the run as a recent one.
    clock = FakeClock(SystemClock().now_ms(), quiet_seconds=0.01)
    async with harness(database_url, clock=clock) as first:
        await first.create(workflow("fenced", nap, step("after")))
        await first.start("fenced")
        await first.wait_status("fenced", 1, "IN_PROGRESS")
        for _ in range(2000):  # until the nap sleeps
            if 1.0 in clock.deadlines():
                break
            await asyncio.sleep(0.01)
        row = await first.store.get_instance("fenced", 1)
        assert row is not None
        # Another node takes the group over (as if this node's lease had run out).
        later = first.node.context.clock.now_ms() + 10**9
        fence = await first.store.claim_group(row.group_id, owner="other", now=later, lease_ms=1)
        assert fence is not None
        await clock.advance(1.5)  # the nap ends; its final write is refused
        for _ in range(200):
            if first.node.executor.running == 0:
                break
            await asyncio.sleep(0.01)
        steps = await first.steps("fenced", 1)
        assert steps["nap"].status == "RUNNING"
        assert "after" not in steps
        still = await first.store.get_instance("fenced", 1)
        assert still is not None and still.status == "IN_PROGRESS"
        assert first.node.executor.running == 0
    async with harness(database_url, owner="other") as second:  # the new owner resumes it
        finished = await second.wait("fenced", 1)
        assert finished.status == "SUCCEEDED"
        assert (await second.steps("fenced", 1))["after"].status == "SUCCEEDED"


async def test_a_failing_param_is_a_400_or_a_failed_run_when_asked(engine: Harness) -> None:
    broken = {"boom": {"type": "LONG", "expression": "1 / 0"}}
    await engine.create(workflow("bad-params", step("a"), params=broken))
    refused = await engine.http.post(
        "/api/v3/workflows/bad-params/versions/latest/actions/start",
        json={"initiator": {"type": "manual"}},
    )
    assert refused.status_code == 400 and "boom" in refused.text
    assert await engine.store.get_instance("bad-params", 1) is None
    kept = await engine.start("bad-params", persist_failed_run=True)
    assert kept["status"] == "CREATED"
    row = await engine.store.get_instance("bad-params", kept["workflow_instance_id"])
    assert row is not None and row.status == "FAILED" and row.end_time is not None
    assert row.timeline[0]["type"] == "DETAILS" and "boom" in json.dumps(row.timeline[0])
    assert await engine.steps("bad-params", kept["workflow_instance_id"]) == {}


class BrokenRuntime(FailingRuntime):
    """A runtime with a defect: it raises instead of returning a result."""

    async def start(self, context: StepContext) -> StepResult:
        raise RuntimeError("a bug in the runtime")


async def test_a_runtime_that_raises_fails_only_its_step(database_url: str) -> None:
    async with harness(database_url, {StepType.TITUS: BrokenRuntime()}) as engine:
        await engine.create(workflow("broken", step("bad", "Titus"), step("fine")))
        await engine.start("broken")
        row = await engine.wait("broken", 1)
        steps = await engine.steps("broken", 1)
        assert steps["bad"].status == "INTERNALLY_FAILED"
        assert "a bug in the runtime" in str(steps["bad"].timeline)
        assert steps["fine"].status == "SUCCEEDED" and row.status == "FAILED"
