"""Restarting instances started by a parent: delegated to the parent while it runs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from tests.integration.engine_support import Harness, harness
from tests.integration.test_engine import FailingRuntime
from tests.integration.test_foreach import foreach, noop
from tests.integration.test_subworkflow import sleep, sub, workflow

from maestoso.models.steps import StepType


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[Harness]:
    async with harness(database_url, {StepType.TITUS: FailingRuntime()}) as running:
        yield running


async def test_restarting_a_child_of_a_running_parent_restarts_the_parents_step(
    engine: Harness,
) -> None:
    failing = {"step": {"id": "bad", "type": "Titus", "retry_policy": {"error_retry_limit": 0}}}
    await engine.create(workflow("kid", failing))
    await engine.create(workflow("mom", sub("call", "kid"), sleep("long", 30)))
    await engine.start("mom")
    for _ in range(100):
        if await engine.store.get_instance("kid", 1):
            break
        await asyncio.sleep(0.05)
    assert (await engine.wait("kid", 1)).status == "FAILED"
    for _ in range(100):
        steps = await engine.steps("mom", 1)
        if "call" in steps and steps["call"].status == "FATALLY_FAILED":
            break
        await asyncio.sleep(0.05)
    response = await engine.http.post(
        "/api/v3/workflows/kid/instances/1/actions/restart",
        json={"restart_policy": "RESTART_FROM_INCOMPLETE"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "DELEGATED"
    assert body["workflow_id"] == "mom" and body["step_id"] == "call"
    assert body["step_attempt_id"] == 2
    await engine.http.put("/api/v3/workflows/mom/instances/1/actions/stop")


async def test_a_child_of_a_finished_parent_restarts_on_its_own(engine: Harness) -> None:
    failing = {"step": {"id": "bad", "type": "Titus", "retry_policy": {"error_retry_limit": 0}}}
    await engine.create(workflow("kid2", failing))
    await engine.create(workflow("mom2", sub("call", "kid2")))
    await engine.start("mom2")
    assert (await engine.wait("mom2", 1)).status == "FAILED"
    response = await engine.http.post(
        "/api/v3/workflows/kid2/instances/1/actions/restart",
        json={"restart_policy": "RESTART_FROM_BEGINNING"},
    )
    assert response.json()["status"] == "CREATED" and response.json()["workflow_run_id"] == 2


async def test_a_foreach_iteration_cannot_be_restarted_directly(engine: Harness) -> None:
    loops = {"i": {"type": "LONG_ARRAY", "value": [1]}}
    await engine.create(workflow("loops", foreach("each", loops, noop("inner"))))
    await engine.start("loops")
    await engine.wait("loops", 1)
    row = await engine.store.get_instance("loops", 1)
    assert row is not None
    steps = await engine.steps("loops", 1)
    inline = steps["each"].artifacts["maestro_foreach"]["foreach_workflow_id"]
    response = await engine.http.post(
        f"/api/v3/workflows/{inline}/instances/1/actions/restart",
        json={"restart_policy": "RESTART_FROM_BEGINNING"},
    )
    assert response.status_code == 400 and "restart that step instead" in response.text
