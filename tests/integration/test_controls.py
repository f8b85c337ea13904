"""Breakpoints, tag permits and step concurrency over a real engine and store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from tests.integration.engine_support import Harness, harness
from tests.integration.test_engine import step, workflow

from maestoso.clock import FakeClock

BREAKPOINTS = "/api/v3/workflows/steps/breakpoints"


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[Harness]:
    async with harness(database_url) as running:
        yield running


@pytest.fixture
def clock() -> FakeClock:
    # Manual until a test turns auto-advance on; the quiet period covers the store's thread.
    return FakeClock(quiet_seconds=0.01)


@pytest.fixture
async def virtual(database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    async with harness(database_url, clock=clock) as running:
        yield running


async def until(condition: object, timeout: float = 10.0) -> None:
    async def wait() -> None:
        while not await condition():  # type: ignore[operator]
            await asyncio.sleep(0.05)

    await asyncio.wait_for(wait(), timeout)


async def status_of(engine: Harness, workflow_id: str, instance: int, step_id: str) -> str:
    steps = await engine.steps(workflow_id, instance)
    return steps[step_id].status if step_id in steps else "NOT_CREATED"


async def test_a_breakpoint_pauses_every_attempt_until_resumed(engine: Harness) -> None:
    await engine.create(workflow("paused", step("a", successors={"b": "true"}), step("b")))
    created = await engine.http.post(BREAKPOINTS, json={"workflow_id": "paused", "step_id": "b"})
    assert created.status_code == 200, created.text
    assert created.json()["created_by"] == "tester"
    listed = await engine.http.get(BREAKPOINTS, params={"workflowId": "paused"})
    assert [b["step_id"] for b in listed.json()] == ["b"]
    await engine.start("paused")
    await engine.start("paused")

    async def both_paused() -> bool:
        return all([await status_of(engine, "paused", n, "b") == "PAUSED" for n in (1, 2)])

    await until(both_paused)
    attempts = (
        await engine.http.get(
            f"{BREAKPOINTS}/paused-step-attempts", params={"workflowId": "paused", "stepId": "b"}
        )
    ).json()
    assert sorted(a["workflow_instance_id"] for a in attempts) == [1, 2]
    resumed = await engine.http.put(
        f"{BREAKPOINTS}/paused/instances/1/runs/1/steps/b/attempts/1/actions/resume"
    )
    assert resumed.status_code == 200, resumed.text
    assert (await engine.wait("paused", 1)).status == "SUCCEEDED"
    assert await status_of(engine, "paused", 2, "b") == "PAUSED"
    removed = await engine.http.delete(BREAKPOINTS, params={"workflowId": "paused", "stepId": "b"})
    assert "Total of [1] steps have been resumed" in removed.json()["timeline_event"]["message"]
    assert (await engine.wait("paused", 2)).status == "SUCCEEDED"
    missing = await engine.http.delete(BREAKPOINTS, params={"workflowId": "paused", "stepId": "b"})
    assert missing.status_code == 404


async def test_breakpoints_are_match_all_and_name_existing_steps(engine: Harness) -> None:
    await engine.create(workflow("bp", step("a")))
    exact = await engine.http.post(
        BREAKPOINTS, json={"workflow_id": "bp", "step_id": "a", "workflow_instance_id": 1}
    )
    assert exact.status_code == 400 and "workflow_instance_id" in exact.text
    unknown = await engine.http.post(BREAKPOINTS, json={"workflow_id": "bp", "step_id": "zz"})
    assert unknown.status_code == 404


async def test_tag_permits_limit_running_steps_across_workflows(
    virtual: Harness, clock: FakeClock
) -> None:
    engine = virtual
    saved = await engine.http.post(
        "/api/v3/tag-permits", json={"tag": "gpu", "max_allowed": 1, "source": "test"}
    )
    assert saved.status_code == 200
    permit = (await engine.http.get("/api/v3/tag-permits/gpu")).json()
    assert permit["max_allowed"] == 1 and permit["source"] == "test"
    assert "created the tag permit with limit [1]" in permit["timeline"][0]["message"]
    nap = {"sleep_seconds": {"type": "LONG", "value": 1}}
    await engine.create(workflow("g1", step("x", "Sleep", tags=["gpu"], params=nap)))
    await engine.create(workflow("g2", step("y", "Sleep", tags=["gpu"], params=nap)))
    await engine.start("g1")
    await until(lambda: _is(engine, "g1", "x", "RUNNING"))
    await engine.start("g2")
    await until(lambda: _is(engine, "g2", "y", "WAITING_FOR_PERMITS"))
    assert await engine.store.count_permits("gpu") == 1
    clock.auto_advance = True  # time stood still while the test looked
    assert (await engine.wait("g1", 1)).status == "SUCCEEDED"
    assert (await engine.wait("g2", 1)).status == "SUCCEEDED"
    first = (await engine.steps("g1", 1))["x"].runtime_state
    second = (await engine.steps("g2", 1))["y"].runtime_state
    assert second["start_time"] >= first["end_time"], "never both at once"
    assert second["end_time"] - second["start_time"] == 1000
    assert await engine.store.count_permits("gpu") == 0
    assert (await engine.http.delete("/api/v3/tag-permits/gpu")).status_code == 200
    assert (await engine.http.get("/api/v3/tag-permits/gpu")).status_code == 404
    bad = await engine.http.post("/api/v3/tag-permits", json={"tag": "t", "max_allowed": -1})
    assert bad.status_code == 400
    body = {"tag": "maestoso.step_concurrency/g1", "max_allowed": 1}
    reserved = await engine.http.post("/api/v3/tag-permits", json=body)
    assert reserved.status_code == 400 and "reserved" in reserved.json()["errors"][0]


async def _is(engine: Harness, workflow_id: str, step_id: str, status: str) -> bool:
    return await status_of(engine, workflow_id, 1, step_id) == status


async def test_step_concurrency_limits_a_workflows_running_steps(
    virtual: Harness, clock: FakeClock
) -> None:
    engine = virtual
    clock.auto_advance = True
    nap = {"sleep_seconds": {"type": "LONG", "value": 1}}
    steps = [step(f"s{n}", "Sleep", params=nap) for n in range(4)]
    body = workflow("limited", *steps)
    body["properties"]["step_concurrency"] = 2
    await engine.create(body)
    await engine.start("limited")
    row = await engine.wait("limited", 1)
    assert row.status == "SUCCEEDED"
    states = [r.runtime_state for r in (await engine.steps("limited", 1)).values()]
    events = sorted([(s["start_time"], 1) for s in states] + [(s["end_time"], -1) for s in states])
    running = peak = 0
    for _, change in events:  # ends sort before starts at the same millisecond
        running += change
        peak = max(peak, running)
    assert peak == 2, "two steps of the workflow run at once, never more"
