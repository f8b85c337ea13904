"""Run strategies, as the flow executor admits queued instances on ``MemoryStore``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from tests.unit.engine.actors import CALLER, Engine, engine_on_memory, step, workflow

from maestoso.models.statuses import StepAction

HELD = step("work")


@pytest.fixture
async def engine() -> AsyncIterator[Engine]:
    async with engine_on_memory() as running:
        yield running


async def start_held(engine: Engine, workflow_id: str, count: int) -> None:
    for _ in range(count):
        engine.runtime.script("work", "hold")
        await engine.start(workflow_id)


async def test_sequential_runs_one_at_a_time_in_order(engine: Engine) -> None:
    await engine.create(workflow("seq", HELD, run_strategy="sequential"))
    await start_held(engine, "seq", 3)
    await engine.wait_step("seq", 1, "work", "RUNNING")  # held: what release lets go

    assert await engine.statuses("seq", 3) == ["IN_PROGRESS", "CREATED", "CREATED"]

    engine.runtime.release("work")
    await engine.wait("seq", 1)
    await engine.wait_status("seq", 2, "IN_PROGRESS")
    assert await engine.statuses("seq", 3) == ["SUCCEEDED", "IN_PROGRESS", "CREATED"]
    for instance_id in (2, 3):
        await engine.wait_step("seq", instance_id, "work", "RUNNING")
        engine.runtime.release("work")
        assert (await engine.wait("seq", instance_id)).status == "SUCCEEDED"


async def test_sequential_goes_on_after_a_failure(engine: Engine) -> None:
    engine.runtime.script("work", "fail")
    await engine.create(
        workflow(
            "seq-fail",
            step("work", retry_policy={"error_retry_limit": 0}),
            run_strategy="sequential",
        )
    )
    await engine.start("seq-fail")
    await engine.start("seq-fail")

    assert (await engine.wait("seq-fail", 1)).status == "FAILED"
    assert (await engine.wait("seq-fail", 2)).status == "SUCCEEDED"


async def test_strict_sequential_blocks_after_a_failure_until_unblocked(engine: Engine) -> None:
    engine.runtime.script("work", "fail")
    await engine.create(
        workflow(
            "strict",
            step("work", retry_policy={"error_retry_limit": 0}),
            run_strategy="strict_sequential",
        )
    )
    await engine.start("strict")
    assert (await engine.wait("strict", 1)).status == "FAILED"
    await engine.start("strict")
    await engine.node.worker.run_once()

    assert await engine.statuses("strict", 2) == ["FAILED", "CREATED"]

    await engine.node.instances.unblock("strict", 1, None, CALLER)
    assert (await engine.wait("strict", 2)).status == "SUCCEEDED"


async def test_first_only_stops_newcomers_while_one_runs(engine: Engine) -> None:
    await engine.create(workflow("first", HELD, run_strategy="first_only"))
    await start_held(engine, "first", 1)
    await engine.wait_step("first", 1, "work", "RUNNING")

    second = await engine.start("first")

    assert second["status"] == "STOPPED"
    engine.runtime.release("work")
    assert (await engine.wait("first", 1)).status == "SUCCEEDED"


async def test_last_only_stops_the_running_one_for_the_newest(engine: Engine) -> None:
    await engine.create(workflow("last", HELD, run_strategy="last_only"))
    await start_held(engine, "last", 1)
    await engine.wait_step("last", 1, "work", "RUNNING")

    await start_held(engine, "last", 1)

    assert (await engine.wait("last", 1)).status == "STOPPED"
    await engine.wait_step("last", 2, "work", "RUNNING")
    engine.runtime.release("work")
    assert (await engine.wait("last", 2)).status == "SUCCEEDED"


async def test_parallel_admits_up_to_its_limit(engine: Engine) -> None:
    strategy = {"rule": "parallel", "workflow_concurrency": 2}
    await engine.create(workflow("par", HELD, run_strategy=strategy))
    await start_held(engine, "par", 3)
    for instance_id in (1, 2):
        await engine.wait_step("par", instance_id, "work", "RUNNING")

    assert await engine.statuses("par", 3) == ["IN_PROGRESS", "IN_PROGRESS", "CREATED"]

    await engine.act("par", 1, "work", StepAction.STOP)
    assert (await engine.wait("par", 1)).status == "STOPPED"
    await engine.wait_status("par", 3, "IN_PROGRESS")
