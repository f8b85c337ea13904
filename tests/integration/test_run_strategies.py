"""Run strategies over a real engine and store: queues, stops, blocking, unblocking."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from tests.integration.engine_support import Harness, harness
from tests.integration.test_engine import FailingRuntime, step, workflow

from maestoso.models.steps import StepType

NAP = step("nap", "Sleep", params={"sleep_seconds": {"type": "LONG", "value": 30}})


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[Harness]:
    async with harness(database_url, {StepType.TITUS: FailingRuntime()}) as running:
        yield running


async def statuses(engine: Harness, workflow_id: str, count: int) -> list[str]:
    rows = [await engine.store.get_instance(workflow_id, n) for n in range(1, count + 1)]
    return [row.status if row else "MISSING" for row in rows]


async def test_first_only_stops_newcomers_while_one_runs(engine: Harness) -> None:
    await engine.create(workflow("first", NAP, run_strategy="first_only"))
    assert (await engine.start("first"))["status"] == "CREATED"
    await engine.wait_status("first", 1, "IN_PROGRESS")
    second = await engine.start("first")
    assert second["status"] == "STOPPED"
    assert await statuses(engine, "first", 2) == ["IN_PROGRESS", "STOPPED"]


async def test_last_only_stops_the_running_one_and_runs_the_newest(engine: Harness) -> None:
    await engine.create(workflow("last", NAP, run_strategy="last_only"))
    await engine.start("last")
    await engine.wait_status("last", 1, "IN_PROGRESS")
    await engine.start("last")
    await engine.wait_status("last", 2, "IN_PROGRESS")
    assert (await engine.wait("last", 1)).status == "STOPPED"


async def test_serial_latest_only_keeps_only_the_newest_queued(engine: Harness) -> None:
    await engine.create(workflow("serial", NAP, run_strategy="serial_latest_only"))
    await engine.start("serial")
    await engine.wait_status("serial", 1, "IN_PROGRESS")
    await engine.start("serial")
    await engine.start("serial")
    assert await statuses(engine, "serial", 3) == ["IN_PROGRESS", "STOPPED", "CREATED"]


async def test_parallel_runs_up_to_its_concurrency(engine: Harness) -> None:
    strategy = {"rule": "parallel", "workflow_concurrency": 2}
    await engine.create(workflow("par", NAP, run_strategy=strategy))
    for _ in range(3):
        await engine.start("par")
    await engine.wait_status("par", 2, "IN_PROGRESS")
    assert await statuses(engine, "par", 3) == ["IN_PROGRESS", "IN_PROGRESS", "CREATED"]
    await engine.http.put("/api/v3/workflows/par/instances/1/actions/stop")
    await engine.wait_status("par", 3, "IN_PROGRESS")


async def test_strict_sequential_blocks_on_failure_until_unblocked(engine: Harness) -> None:
    fail = step("bad", "Titus", retry_policy={"error_retry_limit": 0})
    await engine.create(workflow("strict", fail, run_strategy="strict_sequential"))
    await engine.start("strict")
    assert (await engine.wait("strict", 1)).status == "FAILED"
    await engine.start("strict")
    await engine.start("strict")
    row = await engine.store.get_instance("strict", 2)
    assert row is not None and row.status == "CREATED"
    # the failed run keeps blocking
    await engine.node.worker.run_once()
    assert await statuses(engine, "strict", 3) == ["FAILED", "CREATED", "CREATED"]
    unblocked = await engine.http.put("/api/v3/workflows/strict/instances/1/actions/unblock")
    body: dict[str, Any] = unblocked.json()
    assert body["info"] == "The action is done." and body["completed"] is True
    assert (await engine.wait("strict", 2)).status == "FAILED"
    again = await engine.http.put("/api/v3/workflows/strict/instances/1/actions/unblock")
    assert again.json()["info"] == "The action is done without any operation."
    everything = await engine.http.put("/api/v3/workflows/strict/actions/unblock")
    assert everything.status_code == 200
    assert (await engine.wait("strict", 3)).status == "FAILED"
    running = await engine.http.put("/api/v3/workflows/strict/instances/3/actions/unblock")
    assert running.status_code == 200


async def test_unblock_is_only_for_failed_runs(engine: Harness) -> None:
    await engine.create(workflow("ok", step("a")))
    await engine.start("ok")
    await engine.wait("ok", 1)
    response = await engine.http.put("/api/v3/workflows/ok/instances/1/actions/unblock")
    assert response.status_code == 400 and "SUCCEEDED" in response.json()["message"]


async def test_switching_strategy_is_refused_while_runs_are_unfinished(engine: Harness) -> None:
    await engine.create(workflow("switch", NAP, run_strategy={"rule": "parallel"}))
    await engine.start("switch")
    await engine.start("switch")
    await engine.wait_status("switch", 2, "IN_PROGRESS")
    refused = await engine.http.post(
        "/api/v3/workflows/switch/properties", json={"run_strategy": "first_only"}
    )
    assert refused.status_code == 400 and "FIRST_ONLY" in refused.json()["message"]
    allowed = await engine.http.post(
        "/api/v3/workflows/switch/properties", json={"run_strategy": "sequential"}
    )
    assert allowed.status_code == 200
