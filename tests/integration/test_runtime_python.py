"""Python steps in the engine: a function's result read by the next step, its exceptions,
its keyword arguments, its environment and a stop."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from tests.integration.engine_support import Harness
from tests.integration.test_runtime_shell import alive, log_file
from tests.unit.runtimes.harness import engine_at, string, typed_step, workflow

from maestoso.models.steps import StepType
from maestoso.runtimes import PythonRuntime
from maestoso.runtimes.process import group_members

MODULE = """
import os, time

from maestoso.plugin import NonRetryableError


def double(n):
    return {"doubled": n * 2}


def describe(n, ratio, flag, names, table, day):
    return {
        "kinds": [type(v).__name__ for v in (n, ratio, flag, names, table, day)],
        "ratio": ratio * 2,
        "flag": not flag,
        "names": names + ["z"],
        "nested": {"count": len(table), "label": table["a"]},
        "environment": os.environ["GREETING"],
    }


def broken(n):
    raise ValueError(f"cannot take {n}")


def hopeless():
    raise NonRetryableError("the input is gone for good")


def wrong():
    return [1, 2]


def busy():
    print(os.getpid(), flush=True)
    time.sleep(60)
"""


@pytest.fixture
async def engine(database_url: str, tmp_path: Path) -> AsyncIterator[Harness]:
    runtimes = {StepType.PYTHON: PythonRuntime(grace_seconds=1.0)}
    async with engine_at(database_url, tmp_path / "home", runtimes) as running:
        yield running


@pytest.fixture
def code(tmp_path: Path) -> Path:
    folder = tmp_path / "code"
    (folder / "jobs").mkdir(parents=True)
    (folder / "jobs" / "__init__.py").write_text("")
    (folder / "jobs" / "work.py").write_text(MODULE)
    return folder


def python_step(
    step_id: str, function: str, code: Path, successors: dict[str, str] | None = None, **params: Any
) -> dict[str, object]:
    own = {"entrypoint": string(f"jobs.work:{function}"), "working_dir": string(str(code))}
    return typed_step(step_id, "Python", {**own, **params}, successors)


def retried(step: dict[str, object], limit: int) -> dict[str, object]:
    body: Any = step["step"]
    body["retry_policy"] = {
        "error_retry_limit": limit,
        "backoff": {"type": "FIXED_BACKOFF", "error_retry_backoff_in_secs": 0},
    }
    return step


async def run(engine: Harness, body: dict[str, Any]) -> str:
    workflow_id: str = body["workflow"]["id"]
    await engine.create(body)
    await engine.start(workflow_id)
    return (await engine.wait(workflow_id, 1)).status


async def test_a_returned_dict_is_read_by_the_next_step(engine: Harness, code: Path) -> None:
    read = {"expression": "params.getFromStep('double', 'doubled') + 1", "type": "LONG"}
    body = workflow(
        "py-double",
        python_step("double", "double", code, {"after": "true"}, n={"value": 21, "type": "LONG"}),
        typed_step("after", "NoOp", {"seen": read}),
    )
    assert await run(engine, body) == "SUCCEEDED"
    steps = await engine.steps("py-double", 1)
    doubled = steps["double"].document["params"]["doubled"]
    assert (doubled["type"], doubled["evaluated_result"]) == ("LONG", 42)
    assert steps["after"].document["params"]["seen"]["evaluated_result"] == 43


async def test_params_arrive_as_typed_and_results_are_typed_as_the_dsl_infers(
    engine: Harness, code: Path
) -> None:
    params = {
        "n": {"value": 3, "type": "LONG"},
        "ratio": {"value": 0.25, "type": "DOUBLE"},
        "flag": {"value": True, "type": "BOOLEAN"},
        "names": {"value": ["x", "y"], "type": "STRING_ARRAY"},
        "table": {"value": {"a": "b"}, "type": "STRING_MAP"},
        "day": {"expression": "20240101 + n", "type": "LONG"},
        "env": {"value": {"GREETING": "hi"}, "type": "STRING_MAP"},
    }
    body = workflow("py-types", python_step("describe", "describe", code, **params))
    assert await run(engine, body) == "SUCCEEDED"
    out = (await engine.steps("py-types", 1))["describe"].document["params"]
    assert out["kinds"]["evaluated_result"] == ["int", "float", "bool", "list", "dict", "int"]
    assert {name: out[name]["type"] for name in ("kinds", "ratio", "flag", "names", "nested")} == {
        "kinds": "STRING_ARRAY",
        "ratio": "DOUBLE",
        "flag": "BOOLEAN",
        "names": "STRING_ARRAY",
        "nested": "MAP",
    }
    assert out["nested"]["evaluated_result"] == {"count": 1, "label": "b"}
    assert out["environment"]["evaluated_result"] == "hi"


async def test_an_exception_fails_the_attempt_with_its_traceback_and_is_retried(
    engine: Harness, code: Path, tmp_path: Path
) -> None:
    step = retried(python_step("broken", "broken", code, n={"value": 7, "type": "LONG"}), 1)
    assert await run(engine, workflow("py-broken", step)) == "FAILED"
    row = (await engine.steps("py-broken", 1))["broken"]
    assert (row.attempt_id, row.status) == (2, "FATALLY_FAILED")
    stderr = log_file(tmp_path / "home", "py-broken", "broken").with_name("stderr.log")
    text = stderr.read_text()
    assert "Traceback (most recent call last)" in text
    assert 'work.py", line' in text and "ValueError: cannot take 7" in text
    timeline = str(row.timeline)
    assert "ValueError: cannot take 7" in timeline


async def test_non_retryable_error_ends_the_step_at_once(engine: Harness, code: Path) -> None:
    step = retried(python_step("hopeless", "hopeless", code), 3)
    assert await run(engine, workflow("py-hopeless", step)) == "FAILED"
    row = (await engine.steps("py-hopeless", 1))["hopeless"]
    assert (row.attempt_id, row.status) == (1, "FATALLY_FAILED")


@pytest.mark.parametrize(
    ("function", "message"),
    [
        ("wrong", "the function returned list"),
        ("missing", "has no attribute 'missing'"),
    ],
)
async def test_a_definition_mistake_is_not_retried(
    engine: Harness, code: Path, function: str, message: str
) -> None:
    step = retried(python_step("bad", function, code), 3)
    assert await run(engine, workflow("py-bad", step)) == "FAILED"
    row = (await engine.steps("py-bad", 1))["bad"]
    assert (row.attempt_id, row.status) == (1, "FATALLY_FAILED")
    assert message in str(row.timeline)


async def test_a_malformed_entrypoint_is_refused_before_launching(
    engine: Harness, code: Path
) -> None:
    step = typed_step("bad", "Python", {"entrypoint": string("jobs.work")})
    assert await run(engine, workflow("py-entry", step)) == "FAILED"
    row = (await engine.steps("py-entry", 1))["bad"]
    assert "param [entrypoint] is required" in str(row.timeline)
    assert row.artifacts is None or "maestro_shell" not in row.artifacts


async def test_stopping_ends_the_function_process(
    engine: Harness, code: Path, tmp_path: Path
) -> None:
    await engine.create(workflow("py-stop", python_step("busy", "busy", code)))
    await engine.start("py-stop")
    deadline = time.monotonic() + 20
    while not (stdout := log_file(tmp_path / "home", "py-stop", "busy")).exists() or not (
        stdout.read_text().strip()
    ):
        assert time.monotonic() < deadline
        await engine.node.context.clock.sleep(0.02)
    pid = int(stdout.read_text().split()[0])
    while (step := (await engine.steps("py-stop", 1)).get("busy")) is None:
        assert time.monotonic() < deadline
        await engine.node.context.clock.sleep(0.02)
    assert step.artifacts is not None
    pgid = step.artifacts["maestro_shell"]["data"]["pgid"]
    stopped = await engine.http.put("/api/v3/workflows/py-stop/instances/1/actions/stop")
    assert stopped.status_code == 200, stopped.text
    assert (await engine.wait("py-stop", 1)).status == "STOPPED"
    assert alive([pid]) == [] and group_members(pgid) == []
