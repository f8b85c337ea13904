"""A step restart honours its body (``restart_policy``, ``step_run_params``,
``upstream_restart_mode``, ``request_id``) and answers in ``StepInstanceRestartResponse``'s
shape; a workflow restart is deduplicated by its ``request_id``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from tests.corpus import require, shared_dir
from tests.integration.engine_support import Harness
from tests.integration.test_engine import step, workflow
from tests.unit.runtimes.harness import engine_at

from maestoso.models.steps import StepType
from maestoso.runtimes import ShellRuntime

INLINE_ROOT = "RESTART_FROM_INLINE_ROOT"
RESPONSE_KEYS = [
    "workflow_id",
    "workflow_version_id",
    "workflow_instance_id",
    "workflow_run_id",
    "step_id",
    "step_attempt_id",
    "status",
    "timeline_event",
]


@pytest.fixture
async def engine(database_url: str, tmp_path: Path) -> AsyncIterator[Harness]:
    runtimes = {StepType.SHELL: ShellRuntime(grace_seconds=1.0)}
    async with engine_at(database_url, tmp_path / "home", runtimes) as running:
        yield running


def shell(step_id: str, command: str, **extra: Any) -> dict[str, Any]:
    return step(
        step_id,
        "Shell",
        params={"command": {"value": command, "type": "STRING"}},
        retry_policy={"error_retry_limit": 0},
        **extra,
    )


async def restart_step(
    engine: Harness, workflow_id: str, step_id: str, body: dict[str, Any], instance: int = 1
) -> dict[str, Any]:
    response = await engine.http.post(
        f"/api/v3/workflows/{workflow_id}/instances/{instance}/steps/{step_id}/actions/restart",
        json=body,
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def wait_step(engine: Harness, workflow_id: str, step_id: str, status: str) -> None:
    for _ in range(400):
        steps = await engine.steps(workflow_id, 1)
        if step_id in steps and steps[step_id].status == status:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{step_id} never reached {status}")


def conformant(answer: dict[str, Any]) -> None:
    """Maestro's keys, in Maestro's order; ``step_runtime_state`` after them when known."""
    fixture = require(shared_dir() / "maestro-samples") / "fixtures"
    expected = json.loads((fixture / "sample-step-restart-response.json").read_text())
    assert list(expected) == RESPONSE_KEYS
    assert list(answer)[: len(RESPONSE_KEYS)] == RESPONSE_KEYS
    assert set(answer) - set(RESPONSE_KEYS) <= {"step_runtime_state"}
    assert answer["timeline_event"]["message"] == expected["timeline_event"]["message"].replace(
        "mock", "tester"
    )


async def test_a_restart_in_a_live_run_takes_its_step_run_params(engine: Harness) -> None:
    body = {
        "properties": {"owner": "tester"},
        "workflow": {
            "id": "live-restart",
            "steps": [
                {
                    "step": {
                        "id": "job",
                        "type": "Shell",
                        "retry_policy": {"error_retry_limit": 0},
                        "params": {
                            "command": {"value": "test $answer = 42", "type": "STRING"},
                            "answer": {"value": 1, "type": "LONG"},
                        },
                    }
                },
                step("long", "Sleep", params={"sleep_seconds": {"type": "LONG", "value": 30}}),
            ],
        },
    }
    await engine.create(body)
    await engine.start("live-restart")
    await wait_step(engine, "live-restart", "job", "FATALLY_FAILED")

    answer = await restart_step(
        engine,
        "live-restart",
        "job",
        {
            "restart_policy": "RESTART_FROM_BEGINNING",
            "step_run_params": {"answer": {"value": 42, "type": "LONG"}},
        },
    )

    conformant(answer)
    assert answer["status"] == "CREATED"
    assert answer["workflow_run_id"] == 1 and answer["step_attempt_id"] == 2
    assert answer["step_runtime_state"]["status"] in ("SUCCEEDED", "RUNNING", "CREATED")
    await wait_step(engine, "live-restart", "job", "SUCCEEDED")
    attempt = (await engine.steps("live-restart", 1))["job"]
    assert attempt.attempt_id == 2
    assert attempt.document["params"]["answer"]["evaluated_result"] == 42
    assert attempt.document["params"]["answer"]["source"] == "RESTART"
    assert attempt.document["step_run_params"] == {"answer": {"value": 42, "type": "LONG"}}
    await engine.http.put("/api/v3/workflows/live-restart/instances/1/actions/stop")


async def test_a_restart_of_a_finished_run_keeps_its_policy_and_params_and_dedups(
    engine: Harness,
) -> None:
    await engine.create(
        workflow(
            "finished-restart",
            step("a", successors={"b": "true"}),
            {
                "step": {
                    "id": "b",
                    "type": "Shell",
                    "retry_policy": {"error_retry_limit": 0},
                    "params": {
                        "command": {"value": "test $answer = 42", "type": "STRING"},
                        "answer": {"value": 1, "type": "LONG"},
                    },
                    "transition": {"successors": {"c": "true"}},
                }
            },
            step("c"),
        )
    )
    await engine.start("finished-restart")
    assert (await engine.wait("finished-restart", 1)).status == "FAILED"
    request = {
        "restart_policy": "RESTART_FROM_BEGINNING",
        "request_id": "97a57978-803f-403e-9f9b-376d34689723",
        "step_run_params": {"answer": {"value": 42, "type": "LONG", "mode": "mutable"}},
    }

    answer = await restart_step(engine, "finished-restart", "b", request)

    conformant(answer)
    assert answer["status"] == "CREATED"
    assert answer["workflow_run_id"] == 2 and answer["step_attempt_id"] == 1
    assert "step_runtime_state" in answer
    run = await engine.wait("finished-restart", 1, run_id=2)
    assert run.status == "SUCCEEDED"
    assert run.uuid == request["request_id"]
    config = run.document["run_config"]
    assert config["policy"] == "RESTART_FROM_SPECIFIC"
    assert config["restart_config"]["downstream_policy"] == "RESTART_FROM_BEGINNING"
    assert config["restart_config"]["restart_path"] == [
        {"workflow_id": "finished-restart", "instance_id": 1, "step_id": "b"}
    ]
    steps = await engine.steps("finished-restart", 1, run_id=2)
    assert set(steps) == {"b", "c"}
    assert steps["b"].document["params"]["answer"]["source"] == "RESTART"

    again = await restart_step(engine, "finished-restart", "b", request)
    assert again["status"] == "DUPLICATED" and again["workflow_run_id"] == 2
    assert len(await engine.store.list_runs("finished-restart", 1)) == 2


async def test_restart_from_the_inline_root_restarts_the_instance_with_the_policy(
    engine: Harness,
) -> None:
    await engine.create(
        workflow(
            "from-root",
            step("a", successors={"b": "true"}),
            shell("b", "exit 3"),
        )
    )
    await engine.start("from-root")
    assert (await engine.wait("from-root", 1)).status == "FAILED"

    answer = await restart_step(
        engine,
        "from-root",
        "b",
        {
            "restart_policy": "RESTART_FROM_BEGINNING",
            "upstream_restart_mode": "RESTART_FROM_INLINE_ROOT",
        },
    )

    assert answer["workflow_run_id"] == 2
    await engine.wait("from-root", 1, run_id=2)
    # from the beginning: `a`, which had succeeded, runs again too
    assert set(await engine.steps("from-root", 1, run_id=2)) == {"a", "b"}
    run = await engine.store.get_instance("from-root", 1, 2)
    assert run is not None and run.document["run_config"]["policy"] == "RESTART_FROM_BEGINNING"

    incomplete = await restart_step(
        engine,
        "from-root",
        "b",
        {
            "restart_policy": "RESTART_FROM_INCOMPLETE",
            "upstream_restart_mode": "RESTART_FROM_INLINE_ROOT",
        },
    )
    assert incomplete["workflow_run_id"] == 3
    await engine.wait("from-root", 1, run_id=3)
    assert set(await engine.steps("from-root", 1, run_id=3)) == {"b"}


async def test_a_step_restart_is_refused_for_an_unknown_step_or_a_running_one(
    engine: Harness,
) -> None:
    await engine.create(workflow("refusals", step("a")))
    await engine.start("refusals")
    await engine.wait("refusals", 1)
    unknown = await engine.http.post(
        "/api/v3/workflows/refusals/instances/1/steps/zz/actions/restart",
        json={"restart_policy": "RESTART_FROM_INCOMPLETE"},
    )
    assert unknown.status_code == 404
    no_policy = await engine.http.post(
        "/api/v3/workflows/refusals/instances/1/steps/a/actions/restart", json={}
    )
    assert no_policy.status_code == 400 and "restart_policy" in no_policy.text


async def test_a_workflow_restart_is_deduplicated_by_its_request_id(engine: Harness) -> None:
    await engine.create(workflow("dedup", shell("s", "exit 1")))
    await engine.start("dedup")
    await engine.wait("dedup", 1)
    fixture = require(shared_dir() / "maestro-samples") / "fixtures"
    request = json.loads((fixture / "sample-workflow-restart-request.json").read_text())
    url = "/api/v3/workflows/dedup/instances/1/actions/restart"

    first = await engine.http.post(url, json=request)
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "CREATED"
    assert first.json()["workflow_uuid"] == request["request_id"]
    await engine.wait("dedup", 1, run_id=2)
    second = await engine.http.post(url, json=request)

    assert second.status_code == 200
    assert second.json()["status"] == "DUPLICATED"
    assert second.json()["workflow_run_id"] == 2
    assert len(await engine.store.list_runs("dedup", 1)) == 2
    other = await engine.http.post(url, json={"restart_policy": "RESTART_FROM_INCOMPLETE"})
    assert other.json()["status"] == "CREATED" and other.json()["workflow_run_id"] == 3
