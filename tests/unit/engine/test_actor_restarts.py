"""Restarts, step actions and breakpoints, through the services the API calls, on the flow
and task actors over ``MemoryStore``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from tests.unit.engine.actors import CALLER, Engine, engine_on_memory, step, workflow

from maestoso.errors import InvalidStatusError
from maestoso.models.statuses import StepAction

NO_RETRY = {"error_retry_limit": 0}


@pytest.fixture
async def engine() -> AsyncIterator[Engine]:
    async with engine_on_memory() as running:
        yield running


def partial() -> dict[str, object]:
    return workflow(
        "partial",
        step("ok", successors={"bad": "true"}),
        step("bad", successors={"after": "true"}, retry_policy=NO_RETRY),
        step("after"),
        step("side"),
    )


async def test_restart_from_incomplete_reruns_only_what_did_not_complete(engine: Engine) -> None:
    engine.runtime.script("bad", "fail")
    assert (await engine.run(partial())).status == "FAILED"
    first_run = await engine.steps("partial", 1)

    response = await engine.restart("partial", 1, "RESTART_FROM_INCOMPLETE")
    second = await engine.wait("partial", 1, run_id=2)

    assert response["workflow_run_id"] == 2
    assert second.status == "SUCCEEDED"
    assert await engine.steps("partial", 1, run_id=2) == {"bad": "SUCCEEDED", "after": "SUCCEEDED"}
    assert await engine.steps("partial", 1) == first_run  # a restart never edits a run
    assert engine.runtime.started.count("ok") == 1


async def test_restart_from_beginning_runs_everything_with_new_params(engine: Engine) -> None:
    params = {"x": {"type": "LONG", "value": 1}}
    await engine.run(workflow("again", step("a"), step("b"), params=params))

    await engine.restart(
        "again",
        1,
        "RESTART_FROM_BEGINNING",
        run_params={"x": {"type": "LONG", "value": 5}},
    )
    row = await engine.wait("again", 1, run_id=2)

    assert row.status == "SUCCEEDED"
    assert set(await engine.steps("again", 1, run_id=2)) == {"a", "b"}
    assert row.document["params"]["x"]["evaluated_result"] == 5


async def test_restarting_a_step_of_a_finished_run_is_a_new_run_from_it(engine: Engine) -> None:
    body = workflow(
        "specific",
        step("a", successors={"b": "true"}),
        step("b", successors={"c": "true"}),
        step("c"),
    )
    await engine.run(body)

    await engine.act("specific", 1, "b", StepAction.RESTART)
    row = await engine.wait("specific", 1, run_id=2)

    assert row.status == "SUCCEEDED"
    assert set(await engine.steps("specific", 1, run_id=2)) == {"b", "c"}


async def test_restarting_a_failed_step_in_a_live_run_is_a_new_attempt(engine: Engine) -> None:
    engine.runtime.script("bad", "fail")
    engine.runtime.script("long", "hold")
    await engine.create(workflow("live", step("bad", retry_policy=NO_RETRY), step("long")))
    await engine.start("live")
    await engine.wait_step("live", 1, "bad", "FATALLY_FAILED")

    response = await engine.act("live", 1, "bad", StepAction.RESTART)
    await engine.wait_step("live", 1, "bad", "SUCCEEDED")
    engine.runtime.release("long")
    row = await engine.wait("live", 1)

    assert response["step_attempt_id"] == 2
    assert (row.run_id, row.status) == (1, "SUCCEEDED")


async def test_a_running_run_cannot_be_restarted(engine: Engine) -> None:
    engine.runtime.script("a", "hold")
    await engine.create(workflow("busy", step("a")))
    await engine.start("busy")
    await engine.wait_status("busy", 1, "IN_PROGRESS")

    with pytest.raises(InvalidStatusError, match="IN_PROGRESS"):
        await engine.restart("busy", 1, "RESTART_FROM_BEGINNING")


async def test_step_stop_kill_and_skip(engine: Engine) -> None:
    for held in ("s1", "s2", "s3"):
        engine.runtime.script(held, "hold")
    body = workflow(
        "acts",
        step("s1", successors={"after1": "true"}),
        step("after1"),
        step("s2", successors={"after2": "true"}),
        step("after2"),
        step("s3", successors={"after3": "true"}),
        step("after3"),
    )
    await engine.create(body)
    await engine.start("acts")
    for held in ("s1", "s2", "s3"):
        await engine.wait_step("acts", 1, held, "RUNNING")

    skipped = await engine.act("acts", 1, "s1", StepAction.SKIP)
    stopped = await engine.act("acts", 1, "s2", StepAction.STOP)
    killed = await engine.act("acts", 1, "s3", StepAction.KILL)
    row = await engine.wait("acts", 1)

    assert skipped["step_runtime_state"]["status"] == "SKIPPED"
    assert stopped["step_runtime_state"]["status"] == "STOPPED"
    assert killed["step_runtime_state"]["status"] == "FATALLY_FAILED"
    steps = await engine.steps("acts", 1)
    assert (steps["after1"], steps["after2"], steps["after3"]) == (
        "SUCCEEDED",
        "UNSATISFIED",
        "UNSATISFIED",
    )
    assert row.status == "FAILED"
    with pytest.raises(InvalidStatusError, match="STOPPED"):
        await engine.act("acts", 1, "s2", StepAction.STOP)


async def test_a_breakpoint_pauses_every_attempt_until_resumed(engine: Engine) -> None:
    await engine.create(workflow("paused", step("a", successors={"b": "true"}), step("b")))
    await engine.node.breakpoints.create({"workflow_id": "paused", "step_id": "b"}, CALLER)
    await engine.start("paused")
    await engine.start("paused")
    await engine.wait_step("paused", 1, "b", "PAUSED")
    await engine.wait_step("paused", 2, "b", "PAUSED")

    await engine.node.breakpoints.resume("paused", 1, 1, "b", 1, CALLER)

    assert (await engine.wait("paused", 1)).status == "SUCCEEDED"
    assert (await engine.steps("paused", 2))["b"] == "PAUSED"
    assert "b" not in engine.runtime.started[:2]

    await engine.node.breakpoints.delete("paused", "b", CALLER, resume=True)

    assert (await engine.wait("paused", 2)).status == "SUCCEEDED"
