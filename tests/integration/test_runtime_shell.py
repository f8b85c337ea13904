"""Shell steps in the engine: data passed along through output params, retries, stop."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from tests.integration.engine_support import Harness
from tests.unit.runtimes.harness import engine_at, string, typed_step, workflow

from maestoso.models.steps import StepType
from maestoso.runtimes import ShellRuntime
from maestoso.runtimes.process import group_members

PRODUCE = (
    'echo "$${MAESTRO_OUTPUT_START}'
    '{\\"params\\": {\\"greeting\\": {\\"value\\": \\"hello\\", \\"type\\": \\"STRING\\"}}}'
    '$${MAESTRO_OUTPUT_END}"'
)
TRANSFORM = (
    "shout=`echo ${produce__greeting} | tr a-z A-Z` && "
    'echo "$${MAESTRO_OUTPUT_START}'
    '{\\"params\\": {\\"shout\\": {\\"value\\": \\"$$shout\\", \\"type\\": \\"STRING\\"}}}'
    '$${MAESTRO_OUTPUT_END}"'
)
REPORT = 'echo "${transform__shout}, said ${produce__greeting}"'


@pytest.fixture
async def engine(database_url: str, tmp_path: Path) -> AsyncIterator[Harness]:
    runtimes = {StepType.SHELL: ShellRuntime(grace_seconds=1.0)}
    async with engine_at(database_url, tmp_path / "home", runtimes) as running:
        yield running


def three_steps() -> dict[str, Any]:
    return workflow(
        "shell-pipeline",
        typed_step(
            "produce",
            "Shell",
            {"greeting": string(""), "command": string(PRODUCE)},
            {"transform": "true"},
        ),
        typed_step(
            "transform",
            "Shell",
            {"shout": string(""), "command": string(TRANSFORM)},
            {"report": "true"},
        ),
        typed_step("report", "Shell", {"command": string(REPORT)}),
    )


def log_file(home: Path, workflow_id: str, step_id: str, attempt: int = 1) -> Path:
    """Instance 1's log of the step (its directory also names the instance's uuid); a path
    that does not exist yet while the step has not started."""
    instances = sorted((home / "logs" / workflow_id).glob("1-*"))
    instance = instances[0] if instances else home / "logs" / workflow_id / "1-not-yet"
    return instance / "1" / step_id / str(attempt) / "stdout.log"


def readme_example() -> dict[str, Any]:
    """The workflow of the README's "Shell steps" section."""
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("## Shell steps", 1)[1]
    return json.loads(section.split("```json\n", 1)[1].split("```", 1)[0])  # type: ignore[no-any-return]


@pytest.mark.parametrize("definition", [three_steps, readme_example])
async def test_three_shell_steps_pass_data_along(
    engine: Harness, tmp_path: Path, definition: Callable[[], dict[str, Any]]
) -> None:
    await engine.create(definition())
    await engine.start("shell-pipeline")
    row = await engine.wait("shell-pipeline", 1)
    assert row.status == "SUCCEEDED"
    steps = await engine.steps("shell-pipeline", 1)
    assert steps["produce"].document["params"]["greeting"]["evaluated_result"] == "hello"
    assert steps["transform"].document["params"]["shout"]["evaluated_result"] == "HELLO"
    report = log_file(tmp_path / "home", "shell-pipeline", "report").read_text()
    assert report == "HELLO, said hello\n"
    step = await engine.http.get("/api/v3/workflows/shell-pipeline/instances/1/steps/produce")
    assert step.json()["artifacts"]["maestro_shell"]["data"]["exit_code"] == 0


async def test_a_failing_command_is_retried_then_fails(engine: Harness) -> None:
    body = workflow(
        "shell-retry",
        {
            "step": {
                "id": "flaky",
                "type": "shell",
                "retry_policy": {
                    "error_retry_limit": 1,
                    "backoff": {"type": "FIXED_BACKOFF", "error_retry_backoff_in_secs": 0},
                },
                "params": {"command": string("echo attempt $$MAESTRO_STEP_ATTEMPT_ID; exit 2")},
            }
        },
    )
    await engine.create(body)
    await engine.start("shell-retry")
    row = await engine.wait("shell-retry", 1)
    assert row.status == "FAILED"
    step = (await engine.steps("shell-retry", 1))["flaky"]
    assert step.attempt_id == 2 and step.status == "FATALLY_FAILED"
    assert step.artifacts is not None
    assert step.artifacts["maestro_shell"]["data"]["exit_code"] == 2


def alive(pids: list[int]) -> list[int]:
    result = []
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        if stat.rsplit(")", 1)[1].split()[0] != "Z":
            result.append(pid)
    return result


async def test_stopping_a_workflow_ends_the_grandchildren_too(
    engine: Harness, tmp_path: Path
) -> None:
    command = (
        "sh -c 'trap \"\" TERM; sleep 60 & echo $$!; wait' & echo $$!; sleep 60 & echo $$!; wait"
    )
    await engine.create(
        workflow("shell-stop", typed_step("busy", "Shell", {"command": string(command)}))
    )
    await engine.start("shell-stop")
    deadline = time.monotonic() + 10
    while True:
        stdout = log_file(tmp_path / "home", "shell-stop", "busy")
        if len(stdout.read_text().split() if stdout.exists() else []) >= 3:
            break
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)
    pids = [int(pid) for pid in stdout.read_text().split()]
    while (step := (await engine.steps("shell-stop", 1)).get("busy")) is None:
        assert time.monotonic() < deadline, "the RUNNING attempt was never written"
        await asyncio.sleep(0.02)
    assert step.status == "RUNNING" and step.artifacts is not None
    pgid = step.artifacts["maestro_shell"]["data"]["pgid"]
    assert len(alive(pids)) == 3
    stopped = await engine.http.put("/api/v3/workflows/shell-stop/instances/1/actions/stop")
    assert stopped.status_code == 200, stopped.text
    row = await engine.wait("shell-stop", 1)
    assert row.status == "STOPPED"
    assert (await engine.steps("shell-stop", 1))["busy"].status == "STOPPED"
    assert alive(pids) == [] and group_members(pgid) == []
