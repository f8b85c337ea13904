"""Foreach steps on a real store: Maestro's sample, the iteration order, failures, stops."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from tests.corpus import require, shared_dir
from tests.integration.engine_support import Harness, harness

from maestoso.models.naming import hash_key, range_key


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[Harness]:
    async with harness(database_url) as running:
        yield running


def sample(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (require(shared_dir() / "maestro-samples") / name).read_text()
    )
    return loaded


def foreach(step_id: str, loops: dict[str, Any], *steps: dict[str, Any], **extra: Any) -> Any:
    return {
        "foreach": {
            "id": step_id,
            "params": {"loop_params": {"type": "MAP", "value": loops}, **extra.pop("params", {})},
            "steps": list(steps),
            **extra,
        }
    }


def noop(step_id: str, **extra: Any) -> dict[str, Any]:
    return {"step": {"id": step_id, "type": "NoOp", **extra}}


def workflow(workflow_id: str, *steps: Any, **fields: Any) -> dict[str, Any]:
    return {
        "properties": {"owner": "tester", "run_strategy": "parallel"},
        "workflow": {"id": workflow_id, "steps": list(steps), **fields},
    }


async def iterations(engine: Harness, workflow_id: str, count: int) -> list[Any]:
    rows = []
    for instance_id in range(1, count + 1):
        row = await engine.store.get_instance(workflow_id, instance_id, 1)
        assert row is not None, instance_id
        rows.append(row)
    assert await engine.store.get_instance(workflow_id, count + 1, 1) is None
    return rows


async def test_sample_foreach_runs_nine_iterations(engine: Harness) -> None:
    await engine.create(sample("sample-foreach-wf.json"))
    started = await engine.start("sample-foreach-wf")
    row = await engine.wait("sample-foreach-wf", started["workflow_instance_id"], timeout=60)
    assert row.status == "SUCCEEDED", row.timeline
    step = (await engine.steps("sample-foreach-wf", 1))["foreach-job"]
    assert step.status == "SUCCEEDED", step.timeline
    artifact = (step.artifacts or {})["maestro_foreach"]
    assert artifact["total_loop_count"] == 9
    assert artifact["next_loop_index"] == 9
    overview = artifact["foreach_overview"]
    assert overview["stats"] == {"SUCCEEDED": 9}
    assert overview["checkpoint"] == 10
    assert overview["rollup"]["total_leaf_count"] == 54
    assert overview["rollup"]["overview"] == {"SUCCEEDED": {"cnt": 54}}
    inline_id = artifact["foreach_workflow_id"]
    assert inline_id.startswith(f"maestro_foreach_{hash_key(10000)}_{range_key(1)}_")
    rows = await iterations(engine, inline_id, 9)
    assert [r.status for r in rows] == ["SUCCEEDED"] * 9
    values = [r.document["params"]["i"]["evaluated_result"] for r in rows]
    assert values == [20200101 + n for n in range(9)]
    assert [r.document["params"]["loop_index"]["evaluated_result"] for r in rows] == list(range(9))
    first = rows[0]
    assert first.initiator["type"] == "FOREACH"
    assert first.initiator["depth"] == 1 and first.depth == 1
    assert first.initiator["ancestors"] == [
        {
            "workflow_id": "sample-foreach-wf",
            "instance_id": 1,
            "run_id": 1,
            "step_id": "foreach-job",
            "step_attempt_id": 1,
        }
    ]
    assert first.document["params"]["foo"]["evaluated_result"] == "September"
    steps = await engine.steps(inline_id, 1)
    assert sorted(steps) == [f"job.{n}" for n in range(1, 7)]
    parent = await engine.store.get_instance("sample-foreach-wf", 1)
    assert parent is not None and parent.runtime_overview is not None
    rollup = parent.runtime_overview["rollup_overview"]
    assert rollup == {"total_leaf_count": 54, "overview": {"SUCCEEDED": {"cnt": 54}}}


async def test_cartesian_product_first_param_fastest(engine: Harness) -> None:
    loops = {
        "i": {"value": [1, 2, 3], "type": "LONG_ARRAY"},
        "j": {"value": ["a", "b"], "type": "STRING_ARRAY"},
    }
    body = foreach(
        "loop",
        loops,
        noop("job", params={"p": {"expression": "i + j + extra", "type": "STRING"}}),
        concurrency=2,
        params={"extra": {"value": "!", "type": "STRING"}},
    )
    await engine.create(workflow("product-wf", body))
    await engine.start("product-wf")
    row = await engine.wait("product-wf", 1, timeout=30)
    assert row.status == "SUCCEEDED", row.timeline
    artifact = (await engine.steps("product-wf", 1))["loop"].artifacts or {}
    inline_id = artifact["maestro_foreach"]["foreach_workflow_id"]
    produced = []
    for it in await iterations(engine, inline_id, 6):
        step = (await engine.steps(inline_id, it.instance_id))["job"]
        produced.append(step.document["params"]["p"]["evaluated_result"])
    assert produced == ["1a!", "2a!", "3a!", "1b!", "2b!", "3b!"]


async def test_zero_iterations_succeed(engine: Harness) -> None:
    body = foreach("loop", {"i": {"value": [], "type": "LONG_ARRAY"}}, noop("job"))
    await engine.create(workflow("empty-loop-wf", body))
    await engine.start("empty-loop-wf")
    row = await engine.wait("empty-loop-wf", 1, timeout=30)
    assert row.status == "SUCCEEDED", row.timeline
    artifact = (await engine.steps("empty-loop-wf", 1))["loop"].artifacts or {}
    assert artifact["maestro_foreach"]["total_loop_count"] == 0


async def test_over_the_iteration_limit_fails(engine: Harness) -> None:
    loops = {
        "i": {"expression": "Util.intsBetween(0, 200, 1)", "type": "LONG_ARRAY"},
        "j": {"expression": "Util.intsBetween(0, 200, 1)", "type": "LONG_ARRAY"},
    }
    await engine.create(workflow("huge-loop-wf", foreach("loop", loops, noop("job"))))
    await engine.start("huge-loop-wf")
    row = await engine.wait("huge-loop-wf", 1, timeout=30)
    assert row.status == "FAILED"
    step = (await engine.steps("huge-loop-wf", 1))["loop"]
    assert step.status == "FATALLY_FAILED"
    assert any("over the loop size limit [25000]" in e["message"] for e in step.timeline)


def sleeper(step_id: str, seconds: int) -> dict[str, Any]:
    params = {"sleep_seconds": {"value": seconds, "type": "LONG"}}
    return {"step": {"id": step_id, "type": "Sleep", "params": params}}


async def test_stopping_a_foreach_stops_every_running_iteration(engine: Harness) -> None:
    loops = {"i": {"value": list(range(8)), "type": "LONG_ARRAY"}}
    body = foreach("loop", loops, sleeper("nap", 60), concurrency=3)
    await engine.create(workflow("stopped-loop-wf", body))
    await engine.start("stopped-loop-wf")
    inline_id = ""
    for _ in range(500):
        steps = await engine.steps("stopped-loop-wf", 1)
        artifact = (steps["loop"].artifacts or {}) if "loop" in steps else {}
        inline_id = (artifact.get("maestro_foreach") or {}).get("foreach_workflow_id", "")
        third = await engine.store.get_instance(inline_id, 3, 1) if inline_id else None
        if third is not None and third.status == "IN_PROGRESS":
            break
        await asyncio.sleep(0.02)
    response = await engine.http.put("/api/v3/workflows/stopped-loop-wf/instances/1/actions/stop")
    assert response.status_code == 200, response.text
    row = await engine.wait("stopped-loop-wf", 1, timeout=30)
    assert row.status == "STOPPED"
    statuses = await engine.store.child_statuses(inline_id, 1, 100)
    assert statuses == [(1, "STOPPED"), (2, "STOPPED"), (3, "STOPPED")]
    for iteration in (1, 2, 3):
        nap = (await engine.steps(inline_id, iteration))["nap"]
        assert nap.status == "STOPPED"
    step = (await engine.steps("stopped-loop-wf", 1))["loop"]
    assert step.status == "STOPPED"
    await asyncio.sleep(0.3)
    assert engine.node.executor.running == 0
    assert await engine.store.child_statuses(inline_id, 1, 100) == statuses


async def test_a_failed_iteration_fails_the_foreach_after_the_running_ones(
    engine: Harness,
) -> None:
    loops = {"i": {"value": [1, 0, 2, 3], "type": "LONG_ARRAY"}}
    job = {
        "step": {
            "id": "job",
            "type": "NoOp",
            "params": {"p": {"expression": "10 / i", "type": "LONG"}},
        }
    }
    await engine.create(workflow("failing-loop-wf", foreach("loop", loops, job, concurrency=1)))
    await engine.start("failing-loop-wf")
    assert (await engine.wait("failing-loop-wf", 1, timeout=30)).status == "FAILED"
    step = (await engine.steps("failing-loop-wf", 1))["loop"]
    assert step.status == "FATALLY_FAILED"
    artifact = (step.artifacts or {})["maestro_foreach"]
    assert artifact["foreach_overview"]["stats"] == {"SUCCEEDED": 1, "FAILED": 1}
    assert artifact["next_loop_index"] == 2  # nothing launched after the failure
