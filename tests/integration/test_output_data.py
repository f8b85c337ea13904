"""``PUT /api/v3/output-data``: what an external job publishes joins its step's params."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tests.integration.engine_support import Harness, harness
from tests.integration.test_engine import step, workflow


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[Harness]:
    async with harness(database_url) as running:
        yield running


def shell(step_id: str, command: str, **extra: object) -> dict[str, object]:
    params = {
        "command": {"type": "STRING", "value": command},
        "result": {"type": "STRING", "value": "unset"},
    }
    return step(step_id, "Shell", params=params, **extra)


async def running_uuid(engine: Harness, workflow_id: str, step_id: str) -> str:
    for _ in range(200):
        steps = await engine.steps(workflow_id, 1)
        if step_id in steps and steps[step_id].status == "RUNNING":
            return steps[step_id].step_uuid
        await asyncio.sleep(0.05)
    raise AssertionError(f"{step_id} never ran")


def until(flag: Path) -> str:
    """A command that runs until the test has published (however slow the machine is)."""
    return f"until [ -f {flag} ]; do sleep 0.05; done"


async def test_published_params_join_the_step(engine: Harness, tmp_path: Path) -> None:
    flag = tmp_path / "published"
    await engine.create(workflow("publisher", shell("job", until(flag))))
    await engine.start("publisher")
    uuid = await running_uuid(engine, "publisher", "job")
    response = await engine.http.put(
        "/api/v3/output-data",
        json={
            "external_job_type": "SHELL",
            "external_job_id": uuid,
            "workflow_id": "publisher",
            "params": {
                "result": {
                    "value": "done",
                    "type": "STRING",
                    "evaluated_result": "done",
                    "evaluated_time": 1,
                }
            },
            "artifacts": {"custom": {"type": "DEFAULT", "data": {"rows": 3}}},
        },
    )
    assert response.status_code == 200, response.text
    flag.touch()
    assert (await engine.wait("publisher", 1)).status == "SUCCEEDED"
    job = (await engine.steps("publisher", 1))["job"]
    assert job.document["params"]["result"]["evaluated_result"] == "done"
    assert job.artifacts is not None and job.artifacts["custom"]["data"] == {"rows": 3}


async def test_a_published_non_retryable_failure_is_final(engine: Harness, tmp_path: Path) -> None:
    flag = tmp_path / "published"
    policy = {"error_retry_limit": 3}
    await engine.create(
        workflow("give-up", shell("job", f"{until(flag)}; exit 1", retry_policy=policy))
    )
    await engine.start("give-up")
    uuid = await running_uuid(engine, "give-up", "job")
    await engine.http.put(
        "/api/v3/output-data",
        json={
            "external_job_type": "SHELL",
            "external_job_id": uuid,
            "artifacts": {"maestro_retry": {"type": "RETRY", "retryable": False}},
        },
    )
    flag.touch()
    await engine.wait("give-up", 1)
    job = (await engine.steps("give-up", 1))["job"]
    assert job.status == "FATALLY_FAILED" and job.attempt_id == 1


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"params": {}}, "external_job_id"),
        ({"external_job_id": "j", "params": {"p": {"type": "NOPE", "value": 1}}}, "params.p"),
        ({"external_job_id": "j", "artifacts": []}, "artifacts"),
    ],
)
async def test_bad_output_data_is_refused(engine: Harness, body: dict, fragment: str) -> None:
    response = await engine.http.put("/api/v3/output-data", json=body)
    assert response.status_code == 400 and fragment in response.text
