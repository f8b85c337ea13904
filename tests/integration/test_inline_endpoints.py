"""Maestro's hidden inline endpoints: a foreach iteration's run and logs reached from the
root instance, and the path back from an iteration."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from tests.corpus import require, shared_dir
from tests.integration.engine_support import Harness, harness
from tests.unit.runtimes.harness import engine_at

from maestoso.clock import FakeClock
from maestoso.models.steps import StepType
from maestoso.runtimes import ShellRuntime

INLINE_ID = "/api/v3/workflows/instances/inline-workflow-id"


@pytest.fixture
async def engine(database_url: str, tmp_path: Path) -> AsyncIterator[Harness]:
    runtimes = {StepType.SHELL: ShellRuntime(grace_seconds=1.0)}
    async with engine_at(database_url, tmp_path / "home", runtimes) as running:
        yield running


def loop_workflow(workflow_id: str) -> dict[str, Any]:
    echo = {
        "step": {
            "id": "echo",
            "type": "Shell",
            "params": {"command": {"value": "echo iteration $i", "type": "STRING"}},
        }
    }
    outer = {
        "foreach": {
            "id": "outer",
            "params": {
                "loop_params": {
                    "type": "MAP",
                    "value": {"i": {"value": [10, 20, 30], "type": "LONG_ARRAY"}},
                }
            },
            "steps": [echo],
        }
    }
    return {"properties": {"owner": "tester"}, "workflow": {"id": workflow_id, "steps": [outer]}}


async def inline_id(engine: Harness, path: list[dict[str, Any]], url: str = INLINE_ID) -> str:
    response = await engine.http.request("GET", url, json=path)
    assert response.status_code == 200, response.text
    return response.text


async def test_an_iterations_run_and_logs_are_reached_through_the_inline_endpoints(
    engine: Harness,
) -> None:
    await engine.create(loop_workflow("loops"))
    await engine.start("loops")
    assert (await engine.wait("loops", 1)).status == "SUCCEEDED"
    outer = (await engine.steps("loops", 1))["outer"]
    expected = outer.artifacts["maestro_foreach"]["foreach_workflow_id"]

    path = [{"workflow_id": "loops", "instance_id": 1}, {"step_id": "echo"}]
    workflow_id = await inline_id(engine, path)
    assert workflow_id == expected
    assert await inline_id(engine, path, "/api/v3/instances/inline-workflow-id") == expected

    run = (await engine.http.get(f"/api/v3/workflows/{workflow_id}/instances/2/runs/1")).json()
    assert run["status"] == "SUCCEEDED"
    assert run["params"]["i"]["evaluated_result"] == 20
    assert run["initiator"]["type"] == "FOREACH"
    logs = await engine.http.get(
        f"/api/v3/workflows/{workflow_id}/instances/2/runs/1/steps/echo/attempts/1/logs"
    )
    assert logs.status_code == 200 and logs.text == "iteration 20\n"

    back = await engine.http.get(f"/api/v3/workflows/{workflow_id}/instances/2/inline-path")
    assert back.status_code == 200
    assert back.json() == [
        {
            "workflow_id": "loops",
            "instance_id": 1,
            "run_id": 1,
            "step_id": "outer",
            "step_attempt_id": 1,
        },
        {"workflow_id": workflow_id, "instance_id": 2},
    ]


@pytest.fixture
async def virtual(database_url: str) -> AsyncIterator[Harness]:
    """On virtual time: the sample's Sleep steps (90 seconds in all) take no time."""
    clock = FakeClock(auto_advance=True, quiet_seconds=0.01)
    async with harness(database_url, clock=clock) as running:
        yield running


async def test_nested_foreach_iterations_are_reached_level_by_level(virtual: Harness) -> None:
    engine = virtual
    sample = require(shared_dir() / "maestro-samples") / "sample-nested-foreach-wf.json"
    await engine.create(json.loads(sample.read_text()))
    await engine.start("sample-nested-foreach-wf")
    assert (await engine.wait("sample-nested-foreach-wf", 1, timeout=60)).status == "SUCCEEDED"
    root = {"workflow_id": "sample-nested-foreach-wf", "instance_id": 1}

    first_level = await inline_id(engine, [root, {"step_id": "job.2"}])
    second_level = await inline_id(engine, [root, {"instance_id": 2}, {"step_id": "job.1"}])

    outer = (await engine.steps("sample-nested-foreach-wf", 1))["foreach-job"]
    assert first_level == outer.artifacts["maestro_foreach"]["foreach_workflow_id"]
    inner = await engine.store.get_step_attempt(first_level, 2, 1, "job1")
    assert inner is not None and inner.artifacts is not None
    assert second_level == inner.artifacts["maestro_foreach"]["foreach_workflow_id"]
    iteration = await engine.http.get(f"/api/v3/workflows/{second_level}/instances/1/runs/1")
    assert iteration.json()["status"] == "SUCCEEDED"
    back = (
        await engine.http.get(f"/api/v3/workflows/{second_level}/instances/1/inline-path")
    ).json()
    assert [node["workflow_id"] for node in back] == [
        "sample-nested-foreach-wf",
        first_level,
        second_level,
    ]


async def test_bad_paths_are_refused(engine: Harness) -> None:
    await engine.create(loop_workflow("loops-bad"))
    await engine.start("loops-bad")
    await engine.wait("loops-bad", 1)
    root = {"workflow_id": "loops-bad", "instance_id": 1}
    for path in ([root, {"step_id": "nope"}], [root, {"instance_id": 1}, {"step_id": "echo"}]):
        response = await engine.http.request("GET", INLINE_ID, json=path)
        assert response.status_code == 400
        assert "is invalid for the input path" in response.json()["message"]
    empty = await engine.http.request("GET", INLINE_ID, json=[])
    assert empty.status_code == 400
    missing = await engine.http.request(
        "GET", INLINE_ID, json=[{"workflow_id": "nope", "instance_id": 1}, {"step_id": "x"}]
    )
    assert missing.status_code == 404
    not_inline = await engine.http.get("/api/v3/workflows/loops-bad/instances/1/inline-path")
    assert not_inline.status_code == 400
    assert "only supports getting ForeachInitiator" in not_inline.json()["message"]
