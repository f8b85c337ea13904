"""The example plugin package in a real server: installed with pip (into a folder of its own
on the server's PYTHONPATH, so the test environment itself is untouched), listed, refused
before and run after, and its signal source starting a workflow through a signal trigger.
A broken plugin beside it is reported and leaves the server up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.acceptance.server import ServerProcess

from maestoso.client import Client
from maestoso.sdk import Job, Workflow

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "maestoso-example-plugin"
# Offline and quick: the build backend (hatchling) comes from the test environment.
PIP_INSTALL = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index"]
PIP_INSTALL += ["--no-build-isolation"]
BROKEN_ENTRY_POINTS = """\
[maestoso.step_types]
Spark = no_such_module:Spark
Shell = json:dumps

[maestoso.notifiers]
carrier_pigeon = json:dumps
"""


@pytest.fixture(scope="module")
def plugins(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the example plugin, pip-installed, and a broken plugin's metadata."""
    target = tmp_path_factory.mktemp("plugins")
    subprocess.run(
        [*PIP_INSTALL, "--target", str(target), str(EXAMPLE)],
        check=True,
        capture_output=True,
    )
    broken = target / "broken_plugin-1.0.dist-info"
    broken.mkdir()
    (broken / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 1.0\n")
    (broken / "entry_points.txt").write_text(BROKEN_ENTRY_POINTS)
    return target


def with_plugins(plugins: Path) -> dict[str, str]:
    return {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(plugins), os.environ.get("PYTHONPATH")]))
    }


@pytest.fixture
def server(tmp_path: Path, plugins: Path, database_url: str) -> Iterator[ServerProcess]:
    running = ServerProcess(tmp_path / "home", database_url, env=with_plugins(plugins)).start()
    try:
        yield running
    finally:
        running.stop()


def echo_workflow() -> dict[str, Any]:
    echo = {
        "id": "echo",
        "type": "Echo",
        "transition": {"successors": {"report": "true"}},
        "params": {"message": {"value": "hello plugin", "type": "STRING"}},
    }
    seen = {"expression": "params.getFromStep('echo', 'length')", "type": "LONG"}
    report = {"id": "report", "type": "NoOp", "params": {"seen": seen}}
    return {
        "properties": {"owner": "tester"},
        "workflow": {"id": "echo-wf", "steps": [{"step": echo}, {"step": report}]},
    }


def wait_status(http: httpx.Client, workflow_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        response = http.get(f"/api/v3/workflows/{workflow_id}/instances/1")
        body: dict[str, Any] = response.json()
        if response.status_code == 200 and body["status"] in ("SUCCEEDED", "FAILED", "STOPPED"):
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.1)


def test_the_step_type_is_refused_before_install_and_runs_after(
    tmp_path: Path, plugins: Path, database_url: str
) -> None:
    home = tmp_path / "home"
    bare = ServerProcess(home, database_url).start()
    try:
        with bare.client() as http:
            refused = http.post("/api/v3/workflows", json=echo_workflow())
    finally:
        bare.stop()
    assert refused.status_code == 400, refused.text
    body = refused.json()
    assert body["status"] == "BAD_REQUEST" and body["retryable"] is False
    assert body["errors"] == [
        "workflow.steps[0].step.type: unknown step type [Echo]: not a built-in step type, and "
        "no installed plugin provides it (plugin step types: none installed)"
    ]

    installed = ServerProcess(home, database_url, env=with_plugins(plugins)).start()
    try:
        with installed.client() as http:
            created = http.post("/api/v3/workflows", json=echo_workflow())
            assert created.status_code == 200, created.text
            started = http.post(
                "/api/v3/workflows/echo-wf/versions/latest/actions/start",
                json={"initiator": {"type": "manual"}},
            )
            assert started.status_code == 200, started.text
            assert wait_status(http, "echo-wf")["status"] == "SUCCEEDED"
            report = http.get("/api/v3/workflows/echo-wf/instances/1/steps/report").json()
            logs = http.get(
                "/api/v3/workflows/echo-wf/instances/1/runs/1/steps/echo/attempts/1/logs"
            )
            run_changes = wait_journal(home / "journal.jsonl", "SUCCEEDED")
    finally:
        installed.stop()
    assert report["params"]["seen"]["evaluated_result"] == len("hello plugin")
    assert logs.status_code == 200 and logs.text == "hello plugin\n"
    # The example's notifier was sent the run's status changes, through alerting's deliveries.
    assert run_changes == ["IN_PROGRESS", "SUCCEEDED"]


def wait_journal(path: Path, last: str, timeout: float = 30) -> list[str]:
    """The statuses of echo-wf's run that the ``journal`` notifier wrote, once ``last`` is
    among them."""
    deadline = time.monotonic() + timeout
    while True:
        lines = path.read_text().splitlines() if path.exists() else []
        facts = [json.loads(line)["data"] for line in lines]
        statuses = [
            fact["status"]
            for fact in facts
            if fact["workflow_id"] == "echo-wf"
            and "step_id" not in fact
            and "workflow_run_id" in fact
        ]
        if last in statuses:
            return statuses
        assert time.monotonic() < deadline, lines
        time.sleep(0.1)


def test_plugins_are_listed_with_what_failed_to_load(server: ServerProcess, plugins: Path) -> None:
    with server.client() as http:
        listing = http.get("/api/v3/plugins").json()
        unknown = http.post("/api/v3/workflows", json={**echo_workflow(), "workflow": {
            "id": "spark-wf", "steps": [{"step": {"id": "s", "type": "Spark"}}]}})  # fmt: skip
        assert "/api/v3/plugins" in http.get("/openapi.json").json()["paths"]
    steps = {found["name"]: found for found in listing["step_types"]}
    assert steps["Echo"] == {
        "name": "Echo",
        "target": "maestoso_example.echo:Echo",
        "distribution": "maestoso-example-plugin",
        "version": "0.1.0",
        "error": None,
    }
    assert steps["Spark"]["error"] == "ModuleNotFoundError: No module named 'no_such_module'"
    assert "built-in step type" in steps["Shell"]["error"]
    assert [(s["name"], s["error"]) for s in listing["signal_sources"]] == [("file_drop", None)]
    notifiers = {n["name"]: n for n in listing["notifiers"]}
    assert notifiers["journal"]["target"] == "maestoso_example.journal:Journal"
    assert notifiers["journal"]["error"] is None
    # json.dumps(settings): a factory that raises is listed with its error.
    assert notifiers["carrier_pigeon"]["error"] == (
        "TypeError: Object of type Settings is not JSON serializable"
    )
    assert unknown.status_code == 400
    assert "unknown step type [Spark]" in unknown.json()["errors"][0]
    assert "(plugin step types: ['Echo'])" in unknown.json()["errors"][0]
    server_log = server.log.read_text()
    assert "plugin [Spark] of [maestoso.step_types]" in server_log

    command = [sys.executable, "-m", "maestoso.cli", "plugins", "--json"]
    local = subprocess.run(
        command, env={**os.environ, **with_plugins(plugins)}, capture_output=True, text=True
    )
    assert local.returncode == 1  # a plugin failed to load
    assert json.loads(local.stdout) == listing
    remote = subprocess.run([*command, "--server", server.base], capture_output=True, text=True)
    assert remote.returncode == 1 and json.loads(remote.stdout) == listing


def test_maestoso_validate_asks_the_server_for_its_plugins(
    server: ServerProcess, tmp_path: Path
) -> None:
    """Validated where no plugin is installed: the server's step types count."""
    good, bad = tmp_path / "echo.json", tmp_path / "spark.json"
    good.write_text(json.dumps(echo_workflow()))
    spark = {"workflow": {"id": "spark-wf", "steps": [{"step": {"id": "s", "type": "Spark"}}]}}
    bad.write_text(json.dumps(spark))
    validate = [sys.executable, "-m", "maestoso.cli", "validate", "--server", server.base]
    valid = subprocess.run([*validate, str(good)], capture_output=True, text=True)
    assert valid.returncode == 0, valid.stdout + valid.stderr
    invalid = subprocess.run([*validate, str(bad)], capture_output=True, text=True)
    assert invalid.returncode == 1
    assert "unknown step type [Spark]" in " ".join(invalid.stdout.split())


def test_the_signal_source_starts_a_workflow_through_a_signal_trigger(
    server: ServerProcess,
) -> None:
    file_param = {"expression": "params.getFromSignal('file_dropped', 'file')", "type": "STRING"}
    definition = {
        "properties": {"owner": "tester"},
        "workflow": {
            "id": "on-drop",
            "signal_triggers": [{"definitions": {"file_dropped": {}}}],
            "steps": [{"step": {"id": "seen", "type": "NoOp", "params": {"file": file_param}}}],
        },
    }
    with server.client() as http:
        created = http.post("/api/v3/workflows", json=definition)
        assert created.status_code == 200, created.text
        (server.home / "drop").mkdir(exist_ok=True)
        (server.home / "drop" / "orders-20240101.csv").write_text("id\n1\n")
        assert wait_status(http, "on-drop")["status"] == "SUCCEEDED"
        step = http.get("/api/v3/workflows/on-drop/instances/1/steps/seen").json()
        signal = http.get("/api/v3/signals/file_dropped/instances/latest").json()
    assert step["params"]["file"]["evaluated_result"] == "orders-20240101.csv"
    assert signal["params"] == {"file": "orders-20240101.csv", "size": 5}


def test_the_step_type_is_a_yaml_job_type_for_the_server_and_the_sdk(
    server: ServerProcess, dialect: str
) -> None:
    if dialect == "postgres":
        pytest.skip("the conversion does not touch the database")
    text = "Workflow:\n  id: echo-yaml\n  owner: tester\n  jobs:\n"
    text += "    - job: {id: echo, type: echo, message: from yaml}\n"
    wf = Workflow("echo-sdk", owner="tester")
    wf.add(Job("echo", "Echo").param("message", "from the sdk"))
    with server.client() as http, Client(server.base, user="tester") as client:
        created = http.post(
            "/api/v3/workflows/yaml", content=text, headers={"Content-Type": "application/yaml"}
        )
        assert created.status_code == 200, created.text
        definition = created.json()["workflow_definition"]["workflow"]
        assert definition["steps"][0]["step"]["type"] == "Echo"
        client.push(wf)  # converted by the client, which asks the server for the job type
        for workflow_id, message in (("echo-yaml", "from yaml"), ("echo-sdk", "from the sdk")):
            client.start(workflow_id)
            assert client.wait(workflow_id, 1, timeout=60).status.value == "SUCCEEDED"
            assert client.logs(workflow_id, 1, "echo") == message + "\n"


def test_maestoso_run_runs_the_plugin_s_step_type(tmp_path: Path, plugins: Path) -> None:
    definition = tmp_path / "echo.yaml"
    definition.write_text(
        "Workflow:\n  id: echo-run\n  jobs:\n    - job: {id: echo, type: Echo, message: ran}\n"
    )
    keep = tmp_path / "keep"
    done = subprocess.run(
        [sys.executable, "-m", "maestoso.cli", "run", str(definition), "--keep", str(keep)],
        env={**os.environ, **with_plugins(plugins), "COLUMNS": "120"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    [log] = keep.glob("logs/echo-run/*/1/echo/1/stdout.log")
    assert log.read_text() == "ran\n"
