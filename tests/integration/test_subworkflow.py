"""Subworkflow steps on a real store: sync and async children, params handed down, nesting,
stop propagation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from tests.integration.engine_support import Harness, harness


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[Harness]:
    async with harness(database_url) as running:
        yield running


def workflow(workflow_id: str, *steps: Any, **fields: Any) -> dict[str, Any]:
    strategy = fields.pop("run_strategy", "parallel")
    return {
        "properties": {"owner": "tester", "run_strategy": strategy},
        "workflow": {"id": workflow_id, "steps": list(steps), **fields},
    }


def sub(step_id: str, target: str, **extra: Any) -> dict[str, Any]:
    params = {
        "subworkflow_id": {"value": target, "type": "STRING"},
        "subworkflow_version": {"value": "latest", "type": "STRING"},
        **extra.pop("params", {}),
    }
    return {"subworkflow": {"id": step_id, "params": params, **extra}}


def sleep(step_id: str, seconds: int | str, **extra: Any) -> dict[str, Any]:
    value = {"value": seconds} if isinstance(seconds, int) else {"expression": seconds}
    return {
        "step": {
            "id": step_id,
            "type": "Sleep",
            "params": {"sleep_seconds": {**value, "type": "LONG"}},
            **extra,
        }
    }


async def reach(
    engine: Harness, workflow_id: str, instance_id: int, status: str, timeout: float = 30
) -> None:
    """Until the instance exists and is in ``status``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        row = await engine.store.get_instance(workflow_id, instance_id)
        if row is not None and row.status == status:
            return
        assert asyncio.get_running_loop().time() < deadline, (workflow_id, row and row.status)
        await asyncio.sleep(0.02)


CHILD = workflow(
    "child-wf",
    sleep("nap", 0, params={"echo": {"expression": "greeting + '!'", "type": "STRING"}}),
    params={"greeting": {"value": "hello", "type": "STRING"}},
)


async def test_sync_subworkflow_takes_the_child_outcome(engine: Harness) -> None:
    await engine.create(CHILD)
    parent = workflow(
        "parent-wf",
        sub("run-child", "child-wf", params={"greeting": {"value": "hi", "type": "STRING"}}),
        params={"who": {"value": "me", "type": "STRING"}},
    )
    await engine.create(parent)
    await engine.start("parent-wf")
    row = await engine.wait("parent-wf", 1, timeout=30)
    assert row.status == "SUCCEEDED", row.timeline
    step = (await engine.steps("parent-wf", 1))["run-child"]
    assert step.status == "SUCCEEDED", step.timeline
    artifact = (step.artifacts or {})["maestro_subworkflow"]
    assert list(artifact) == [
        "subworkflow_id",
        "subworkflow_version_id",
        "subworkflow_instance_id",
        "subworkflow_run_id",
        "subworkflow_uuid",
        "subworkflow_overview",
        "type",
    ]
    assert artifact["subworkflow_id"] == "child-wf"
    assert artifact["subworkflow_overview"]["run_status"] == "SUCCEEDED"
    child = await engine.store.get_instance("child-wf", artifact["subworkflow_instance_id"])
    assert child is not None and child.status == "SUCCEEDED"
    assert child.initiator["type"] == "SUBWORKFLOW"
    assert child.initiator["ancestors"][-1]["step_id"] == "run-child"
    assert child.initiator["ancestors"][-1]["sync"] is True
    params = child.document["params"]
    assert params["greeting"]["evaluated_result"] == "hi"  # the step's param wins
    assert params["who"]["evaluated_result"] == "me"  # the parent's params come down
    assert "subworkflow_id" not in params
    nap = (await engine.steps("child-wf", child.instance_id))["nap"]
    assert nap.document["params"]["echo"]["evaluated_result"] == "hi!"
    assert row.runtime_overview is not None
    assert row.runtime_overview["rollup_overview"] == {
        "total_leaf_count": 1,
        "overview": {"SUCCEEDED": {"cnt": 1}},
    }


async def test_explicit_params_keep_the_parent_params_out(engine: Harness) -> None:
    await engine.create(CHILD)
    parent = workflow(
        "explicit-wf",
        sub("run-child", "child-wf", explicit_params=True),
        params={"who": {"value": "me", "type": "STRING"}},
    )
    await engine.create(parent)
    await engine.start("explicit-wf")
    assert (await engine.wait("explicit-wf", 1, timeout=30)).status == "SUCCEEDED"
    child = await engine.store.get_instance("child-wf", 1)
    assert child is not None and "who" not in child.document["params"]


async def test_failed_child_fails_the_step_and_async_does_not_wait(engine: Harness) -> None:
    await engine.create(workflow("bad-child-wf", sleep("nap", "1 / 0")))
    await engine.create(workflow("slow-child-wf", sleep("nap", 30)))
    parent = workflow(
        "mixed-parent-wf", sub("bad", "bad-child-wf"), sub("fire", "slow-child-wf", sync=False)
    )
    await engine.create(parent)
    await engine.start("mixed-parent-wf")
    row = await engine.wait("mixed-parent-wf", 1, timeout=30)
    assert row.status == "FAILED"
    steps = await engine.steps("mixed-parent-wf", 1)
    assert steps["bad"].status == "FATALLY_FAILED"
    assert steps["fire"].status == "SUCCEEDED"
    slow = await engine.store.get_instance("slow-child-wf", 1)
    assert slow is not None and slow.status == "IN_PROGRESS"
    await engine.http.put("/api/v3/workflows/slow-child-wf/instances/1/actions/stop")


async def test_stopping_the_parent_stops_the_whole_tree(engine: Harness) -> None:
    await engine.create(workflow("leaf-wf", sleep("nap", 60)))
    await engine.create(workflow("middle-wf", sub("down", "leaf-wf")))
    await engine.create(workflow("top-wf", sub("down", "middle-wf")))
    await engine.start("top-wf")
    await reach(engine, "leaf-wf", 1, "IN_PROGRESS")
    response = await engine.http.put("/api/v3/workflows/top-wf/instances/1/actions/stop")
    assert response.status_code == 200, response.text
    top = await engine.wait("top-wf", 1, timeout=30)
    assert top.status == "STOPPED"
    for workflow_id in ("middle-wf", "leaf-wf"):
        child = await engine.store.get_instance(workflow_id, 1)
        assert child is not None and child.status == "STOPPED", workflow_id
    nap = (await engine.steps("leaf-wf", 1))["nap"]
    assert nap.status == "STOPPED"
    await asyncio.sleep(0.2)
    assert engine.node.executor.running == 0


async def test_a_queued_child_is_stopped_with_its_parent(engine: Harness) -> None:
    await engine.create(workflow("serial-wf", sleep("nap", 60), run_strategy="sequential"))
    await engine.create(workflow("holder-wf", sub("down", "serial-wf")))
    await engine.start("serial-wf")  # takes the only slot
    await reach(engine, "serial-wf", 1, "IN_PROGRESS")
    await engine.start("holder-wf")
    await reach(engine, "serial-wf", 2, "CREATED")
    response = await engine.http.put("/api/v3/workflows/holder-wf/instances/1/actions/stop")
    assert response.status_code == 200, response.text
    assert (await engine.wait("holder-wf", 1, timeout=30)).status == "STOPPED"
    queued = await engine.store.get_instance("serial-wf", 2)
    assert queued is not None and queued.status == "STOPPED"
    await engine.http.put("/api/v3/workflows/serial-wf/instances/1/actions/stop")
    # done before the node stops, so that its shutdown does not race the stop
    assert (await engine.wait("serial-wf", 1, timeout=30)).status == "STOPPED"


async def test_depth_over_the_limit_fails(engine: Harness) -> None:
    await engine.create(workflow("self-wf", sub("again", "self-wf")))
    await engine.start("self-wf")
    deadline = asyncio.get_running_loop().time() + 60
    while True:
        row = await engine.store.get_instance("self-wf", 10)
        if row is not None and row.status == "FAILED":
            break
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.05)
    assert row.depth == 0 or row.initiator["depth"] == 9
    step = (await engine.steps("self-wf", 10))["again"]
    assert any("depth limit" in e["message"] for e in step.timeline)
    assert await engine.store.get_instance("self-wf", 11) is None
    top = await engine.wait("self-wf", 1, timeout=30)
    assert top.status == "FAILED"
