"""Python steps in a real server, from JSON, YAML and the SDK: a function's result read by the
next step through SEL, and a failing function's traceback in the step's logs."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.acceptance.server import ServerProcess

from maestoso.client import Client
from maestoso.sdk import Expr, Workflow

MODULE = """
import os, time


def double(n):
    return {"doubled": n * 2}


def slow(n, marker):
    with open(marker, "a") as calls:
        calls.write(f"{os.getpid()}\\n")
    time.sleep(3)
    return {"doubled": n * 2}


def broken(n):
    raise ValueError(f"cannot take {n}")
"""


@pytest.fixture
def code(tmp_path: Path) -> Path:
    folder = tmp_path / "code"
    (folder / "jobs").mkdir(parents=True)
    (folder / "jobs" / "__init__.py").write_text("")
    (folder / "jobs" / "work.py").write_text(MODULE)
    return folder


@pytest.fixture
def server(tmp_path: Path, database_url: str) -> Iterator[ServerProcess]:
    running = ServerProcess(tmp_path / "home", database_url).start()
    try:
        yield running
    finally:
        running.stop()


def json_definition(code: Path, function: str) -> dict[str, Any]:
    def param(value: Any, kind: str) -> dict[str, Any]:
        return {"value": value, "type": kind}

    python = {
        "id": "compute",
        "type": "Python",
        "retry_policy": {"error_retry_limit": 0},
        "transition": {"successors": {"report": "true"}},
        "params": {
            "entrypoint": param(f"jobs.work:{function}", "STRING"),
            "working_dir": param(str(code), "STRING"),
            "n": param(21, "LONG"),
        },
    }
    seen = {"expression": "params.getFromStep('compute', 'doubled')", "type": "LONG"}
    report = {"id": "report", "type": "NoOp", "params": {"seen": seen}}
    return {
        "properties": {"owner": "tester"},
        "workflow": {"id": f"py-{function}", "steps": [{"step": python}, {"step": report}]},
    }


def sdk_definition(code: Path, function: str) -> Workflow:
    wf = Workflow(f"py-{function}", owner="tester")
    compute = wf.python("compute", f"jobs.work:{function}", params={"n": 21}, working_dir=str(code))
    report = wf.noop("report", after=compute)
    report.param("seen", Expr("params.getFromStep('compute', 'doubled')"), type="long")
    return wf


def run(client: Client, workflow_id: str) -> tuple[str, dict[str, Any]]:
    started = client.start(workflow_id)
    instance = client.wait(workflow_id, started.workflow_instance_id, timeout=60)
    return instance.status.value, {s.step_id: s for s in client.steps(workflow_id, 1)}


@pytest.mark.parametrize("source", ["json", "yaml", "sdk"])
def test_the_next_step_reads_what_the_function_returned(
    server: ServerProcess, code: Path, source: str, dialect: str
) -> None:
    if dialect == "postgres" and source != "json":
        pytest.skip("the definition's source is the client's concern: once is enough")
    with Client(server.base, user="tester") as client, server.client() as http:
        if source == "yaml":  # converted by the server
            text = sdk_definition(code, "double").to_yaml()
            yaml = {"Content-Type": "application/yaml"}
            created = http.post("/api/v3/workflows/yaml", content=text, headers=yaml)
            assert created.status_code == 200, created.text
        else:  # converted by the client (the SDK writes YAML too)
            client.push(
                json_definition(code, "double")
                if source == "json"
                else sdk_definition(code, "double")
            )
        status, steps = run(client, "py-double")
        step = http.get("/api/v3/workflows/py-double/instances/1/steps/report").json()
    assert status == "SUCCEEDED", steps
    assert step["params"]["seen"]["evaluated_result"] == 42


def test_a_raising_function_fails_its_step_with_the_traceback_in_its_logs(
    server: ServerProcess, code: Path
) -> None:
    with Client(server.base, user="tester") as client:
        client.push(json_definition(code, "broken"))
        status, steps = run(client, "py-broken")
        stderr = client.logs("py-broken", 1, "compute", stream="stderr")
    assert status == "FAILED"
    assert steps["compute"].status.value == "FATALLY_FAILED"
    assert "report" not in steps or steps["report"].status.value != "SUCCEEDED"
    assert stderr.startswith("Traceback (most recent call last):")
    assert (
        "jobs/work.py" in stderr and 'in broken\n    raise ValueError(f"cannot take {n}")' in stderr
    )
    assert stderr.rstrip().endswith("ValueError: cannot take 21")


def test_a_function_outlives_a_killed_server_and_its_result_arrives(
    tmp_path: Path, code: Path, database_url: str
) -> None:
    calls = tmp_path / "calls.txt"
    definition = json_definition(code, "slow")
    definition["workflow"]["steps"][0]["step"]["params"]["marker"] = {
        "value": str(calls),
        "type": "STRING",
    }
    server = ServerProcess(tmp_path / "home", database_url)
    try:
        with Client(server.start().base, user="tester") as client:
            client.push(definition)
            client.start("py-slow")
        deadline = time.monotonic() + 30
        while not calls.exists():
            assert time.monotonic() < deadline, "the function never started"
            time.sleep(0.05)
        server.kill()  # SIGKILL, with the function half way
        with Client(server.start().base, user="tester") as client:
            instance = client.wait("py-slow", 1, timeout=60)
            with server.client() as http:
                step = http.get("/api/v3/workflows/py-slow/instances/1/steps/report").json()
    finally:
        server.stop()
    assert instance.status.value == "SUCCEEDED"
    assert step["params"]["seen"]["evaluated_result"] == 42
    assert len(calls.read_text().split()) == 1  # called once, its result taken back
