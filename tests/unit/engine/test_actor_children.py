"""Foreach, while and subworkflow steps: parents and their child instances, run by the flow
and task actors on ``MemoryStore``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from tests.unit.engine.actors import Engine, engine_on_memory, step, workflow

NO_RETRY = {"error_retry_limit": 0}


@pytest.fixture
async def engine() -> AsyncIterator[Engine]:
    async with engine_on_memory() as running:
        yield running


def foreach(step_id: str, values: list[int], *steps: dict[str, Any]) -> dict[str, Any]:
    loops = {"i": {"type": "LONG_ARRAY", "value": values}}
    params = {"loop_params": {"type": "MAP", "value": loops}}
    return {"foreach": {"id": step_id, "params": params, "steps": list(steps)}}


def subworkflow(step_id: str, target: str) -> dict[str, Any]:
    params = {
        "subworkflow_id": {"value": target, "type": "STRING"},
        "subworkflow_version": {"value": "latest", "type": "STRING"},
    }
    return {"subworkflow": {"id": step_id, "params": params}}


async def loop_artifact(engine: Engine, workflow_id: str, step_id: str, key: str) -> Any:
    row = await engine.store.get_step_attempt(workflow_id, 1, 1, step_id)
    assert row is not None and row.artifacts is not None
    return row.artifacts[key]


async def test_a_foreach_runs_one_inline_instance_per_value(engine: Engine) -> None:
    body = workflow("loop", foreach("each", [10, 20, 30], step("inner")))

    row = await engine.run(body)

    artifact = await loop_artifact(engine, "loop", "each", "maestro_foreach")
    assert row.status == "SUCCEEDED"
    assert artifact["foreach_overview"]["stats"] == {"SUCCEEDED": 3}
    iterations = [
        await engine.store.get_instance(artifact["foreach_workflow_id"], n, 1) for n in (1, 2, 3)
    ]
    values = [it.document["params"]["i"]["evaluated_result"] for it in iterations if it]
    assert values == [10, 20, 30]
    assert engine.runtime.started == ["inner"] * 3


async def test_a_failed_iteration_fails_the_foreach(engine: Engine) -> None:
    engine.runtime.script("inner", "fail")
    body = workflow("loop-fail", foreach("each", [1, 2, 3], step("inner", retry_policy=NO_RETRY)))

    row = await engine.run(body)

    artifact = await loop_artifact(engine, "loop-fail", "each", "maestro_foreach")
    assert row.status == "FAILED"
    assert artifact["foreach_overview"]["stats"] == {"FAILED": 1, "SUCCEEDED": 2}


async def test_a_while_loop_runs_until_its_condition_fails(engine: Engine) -> None:
    counter = step("count", params={"i": {"expression": "i + 1", "type": "LONG"}})
    loop = {
        "while": {
            "id": "loop",
            "condition": "i <= 3",
            "params": {
                "loop_params": {"type": "MAP", "value": {"i": {"value": 1, "type": "LONG"}}}
            },
            "steps": [counter],
        }
    }

    row = await engine.run(workflow("while-wf", loop))

    artifact = await loop_artifact(engine, "while-wf", "loop", "maestro_while")
    assert row.status == "SUCCEEDED"
    assert (artifact["first_iteration"], artifact["last_iteration"]) == (1, 3)
    assert engine.runtime.started == ["count"] * 3


async def test_a_subworkflow_takes_its_childs_outcome(engine: Engine) -> None:
    await engine.create(workflow("child", step("work")))

    row = await engine.run(workflow("parent", subworkflow("call", "child")))

    artifact = await loop_artifact(engine, "parent", "call", "maestro_subworkflow")
    child = await engine.store.get_instance("child", artifact["subworkflow_instance_id"])
    assert row.status == "SUCCEEDED"
    assert child is not None and child.status == "SUCCEEDED"
    assert child.initiator["type"] == "SUBWORKFLOW"


async def test_a_failed_subworkflow_fails_its_step(engine: Engine) -> None:
    engine.runtime.script("work", "fail")
    await engine.create(workflow("child-fail", step("work", retry_policy=NO_RETRY)))

    row = await engine.run(workflow("parent-fail", subworkflow("call", "child-fail")))

    assert row.status == "FAILED"
    assert (await engine.steps("parent-fail", 1))["call"] == "FATALLY_FAILED"
    assert await engine.statuses("child-fail", 1) == ["FAILED"]
