"""While steps on a real store: Maestro's sample, carried loop params, a failing iteration."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from tests.corpus import require, shared_dir
from tests.integration.engine_support import Harness, harness


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[Harness]:
    async with harness(database_url) as running:
        yield running


def while_wf(workflow_id: str, condition: str, *steps: Any) -> dict[str, Any]:
    loop = {
        "while": {
            "id": "loop",
            "condition": condition,
            "params": {
                "loop_params": {"type": "MAP", "value": {"n": {"value": 0, "type": "LONG"}}}
            },
            "steps": list(steps),
        }
    }
    return {"properties": {"owner": "tester"}, "workflow": {"id": workflow_id, "steps": [loop]}}


async def test_sample_while_runs_until_its_condition_fails(engine: Harness) -> None:
    samples = require(shared_dir() / "maestro-samples")
    await engine.create(json.loads((samples / "sample-while-wf.json").read_text()))
    await engine.start("sample-while-wf")
    row = await engine.wait("sample-while-wf", 1, timeout=60)
    assert row.status == "SUCCEEDED", row.timeline
    step = (await engine.steps("sample-while-wf", 1))["while-job"]
    assert step.status == "SUCCEEDED", step.timeline
    artifact = (step.artifacts or {})["maestro_while"]
    assert artifact["first_iteration"] == 1
    assert artifact["last_iteration"] == 5
    assert artifact["last_status"] == "SUCCEEDED"
    assert artifact["loop_param_values"] == {"i": [20200101 + n for n in range(6)]}
    assert artifact["rollup"] == {"total_leaf_count": 5, "overview": {"SUCCEEDED": {"cnt": 5}}}
    assert not any(key.startswith("_") for key in artifact)
    loop_id = artifact["loop_workflow_id"]
    assert loop_id.startswith("maestro_while_")
    for iteration in range(1, 6):
        it = await engine.store.get_instance(loop_id, iteration, 1)
        assert it is not None and it.status == "SUCCEEDED"
        assert it.initiator["type"] == "WHILE"
        assert it.document["params"]["loop_index"]["evaluated_result"] == iteration - 1
        assert it.document["params"]["i"]["evaluated_result"] == 20200100 + iteration
    assert await engine.store.get_instance(loop_id, 6, 1) is None
    assert row.runtime_overview is not None
    assert row.runtime_overview["rollup_overview"]["total_leaf_count"] == 5


async def test_a_false_condition_runs_nothing(engine: Harness) -> None:
    body = while_wf("never-wf", "n > 0", {"step": {"id": "job", "type": "NoOp"}})
    await engine.create(body)
    await engine.start("never-wf")
    assert (await engine.wait("never-wf", 1, timeout=30)).status == "SUCCEEDED"
    artifact = (await engine.steps("never-wf", 1))["loop"].artifacts or {}
    assert artifact["maestro_while"]["last_iteration"] == 0


async def test_a_failed_iteration_fails_the_step_without_retry(engine: Harness) -> None:
    failing = {
        "step": {
            "id": "job",
            "type": "NoOp",
            "params": {
                "n": {"expression": "if (n == 2) return 1 / 0; return n + 1;", "type": "LONG"}
            },
        }
    }
    await engine.create(while_wf("failing-while-wf", "n < 10", failing))
    await engine.start("failing-while-wf")
    assert (await engine.wait("failing-while-wf", 1, timeout=30)).status == "FAILED"
    step = (await engine.steps("failing-while-wf", 1))["loop"]
    assert step.status == "FATALLY_FAILED"
    assert step.attempt_id == 1
    artifact = (step.artifacts or {})["maestro_while"]
    assert artifact["last_iteration"] == 3
    assert artifact["last_status"] == "FAILED"
    assert artifact["loop_param_values"] == {"n": [0, 1, 2]}
