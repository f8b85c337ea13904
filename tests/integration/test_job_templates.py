"""Job templates over the API and in the engine: versions, inherit_from, param merge order,
internal modes, built-in templates, and YAML jobs named by a template's type."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from tests.corpus import require, shared_dir
from tests.integration.engine_support import Harness
from tests.unit.runtimes.harness import engine_at

from maestoso.models.steps import StepType
from maestoso.runtimes import ShellRuntime

TEMPLATES = "/api/v3/job-templates"
YAML = {"content-type": "application/yaml"}


@pytest.fixture
async def engine(database_url: str, tmp_path: Path) -> AsyncIterator[Harness]:
    runtimes = {StepType.SHELL: ShellRuntime(grace_seconds=1.0)}
    async with engine_at(database_url, tmp_path / "home", runtimes) as running:
        yield running


def template(
    job_type: str,
    params: dict[str, Any],
    *,
    version: str = "v1",
    step_type: str = "Shell",
    **definition: Any,
) -> dict[str, Any]:
    return {
        "owner": "tester",
        "status": "alpha",
        "support": "team",
        "definition": {
            "job_type": job_type,
            "step_type": step_type,
            "version": version,
            "params": params,
            **definition,
        },
    }


def param(value: Any, mode: str | None = None, type_: str = "STRING") -> dict[str, Any]:
    body: dict[str, Any] = {"value": value, "type": type_}
    if mode:
        body["internal_mode"] = mode
    return body


async def push(engine: Harness, body: dict[str, Any]) -> dict[str, Any]:
    response = await engine.http.post(TEMPLATES, json=body)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def run_yaml(engine: Harness, text: str, workflow_id: str) -> dict[str, Any]:
    response = await engine.http.post("/api/v3/workflows/yaml", content=text, headers=YAML)
    assert response.status_code == 200, response.text
    await engine.start(workflow_id)
    await engine.wait(workflow_id, 1)
    steps = await engine.http.get(f"/api/v3/workflows/{workflow_id}/instances/1/steps")
    return {step["step_id"]: step for step in steps.json()}


async def log_of(engine: Harness, workflow_id: str, step_id: str) -> str:
    response = await engine.http.get(
        f"/api/v3/workflows/{workflow_id}/instances/1/runs/1/steps/{step_id}/attempts/1/logs"
    )
    assert response.status_code == 200, response.text
    return response.text


# -- the five endpoints ----------------------------------------------------------------------------


async def test_maestros_sample_template_is_stored_read_listed_and_removed(engine: Harness) -> None:
    samples = require(shared_dir() / "maestro-samples")
    stored = await push(engine, json.loads((samples / "sample-job-template-1.json").read_text()))
    expected = json.loads((samples / "fixtures" / "job_template.json").read_text())
    assert list(stored) == ["metadata", "definition"]
    assert list(stored["metadata"]) == [*list(expected["metadata"])[:6], "create_time", "foo"]
    assert stored["metadata"]["version_author"] == "tester"
    assert stored["metadata"]["foo"] == 10  # an extra key, kept as extra info
    assert list(stored["definition"]) == list(expected["definition"])
    assert (
        stored["definition"]["params"]
        == json.loads((samples / "sample-job-template-1.json").read_text())["definition"]["params"]
    )

    from_yaml = await engine.http.post(
        f"{TEMPLATES}/yaml",
        content=(samples / "sample-job-template-1.yaml").read_text(),
        headers=YAML,
    )
    assert from_yaml.status_code == 200, from_yaml.text
    assert from_yaml.json()["definition"] == stored["definition"]

    got = await engine.http.get(f"{TEMPLATES}/shell", params={"version": "v1"})
    assert got.json()["definition"] == stored["definition"]
    missing = await engine.http.get(f"{TEMPLATES}/shell", params={"version": "v3"})
    assert missing.status_code == 404
    assert missing.json()["message"] == (
        "No job template found for job_type [shell] and version [v3]"
    )
    # at version default, "shell" is the built-in template of the Shell step type
    built_in = await engine.http.get(f"{TEMPLATES}/shell")
    assert built_in.json()["definition"]["step_type"] == "Shell"
    listed = (await engine.http.get(TEMPLATES, params={"version": "v1"})).json()
    assert [t["definition"]["job_type"] for t in listed] == ["shell"]

    await push(engine, {**template("shell", {}, version="v2"), "owner": "bob"})
    removed = await engine.http.delete(f"{TEMPLATES}/shell", params={"version": "v1"})
    assert removed.text == "Removed [1] job template versions for job type: [shell][v1]"
    all_removed = await engine.http.delete(f"{TEMPLATES}/shell")
    assert all_removed.text == "Removed [1] job template versions for job type: [shell][null]"
    assert (
        await engine.http.get(f"{TEMPLATES}/shell", params={"version": "v2"})
    ).status_code == 404


async def test_a_new_version_replaces_only_its_own(engine: Harness) -> None:
    await push(engine, template("greet", {"who": param("a")}, version="v1"))
    await push(engine, template("greet", {"who": param("b")}, version="v2"))
    await push(engine, template("greet", {"who": param("c")}, version="v2"))
    v1 = (await engine.http.get(f"{TEMPLATES}/greet", params={"version": "v1"})).json()
    v2 = (await engine.http.get(f"{TEMPLATES}/greet", params={"version": "v2"})).json()
    assert v1["definition"]["params"]["who"]["value"] == "a"
    assert v2["definition"]["params"]["who"]["value"] == "c"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"owner": None}, "owner"),
        ({"definition": {"job_type": "x y", "step_type": "Shell"}}, "job_type"),
        ({"definition": {"job_type": "x", "step_type": "foreach"}}, "not a job's step type"),
        ({"definition": {"job_type": "x", "step_type": "Nope"}}, "step_type"),
        ({"definition": {"job_type": "x", "step_type": "Shell", "params": {"p": 1}}}, "[p]"),
        ({"create_time": 5}, "reserved keys"),
    ],
)
async def test_a_bad_template_is_refused(
    engine: Harness, change: dict[str, Any], problem: str
) -> None:
    body = {**template("x", {}), **change}
    body = {key: value for key, value in body.items() if value is not None}
    response = await engine.http.post(TEMPLATES, json=body)
    assert response.status_code == 400, response.text
    assert problem in response.text


async def test_built_in_templates_are_listed_for_every_step_type_this_server_runs(
    engine: Harness,
) -> None:
    listed = (await engine.http.get(TEMPLATES)).json()
    assert {t["definition"]["job_type"] for t in listed} == {
        "NoOp",
        "Sleep",
        "Shell",
        "Python",
        "Http",
        "Kubernetes",
        "Notebook",
    }
    shell = (await engine.http.get(f"{TEMPLATES}/Shell")).json()
    assert shell["definition"]["step_type"] == "Shell"
    assert shell["metadata"]["status"] == "built-in"


# -- templates in runs -----------------------------------------------------------------------------

GREET = """
Workflow:
  id: {workflow_id}
  owner: tester
  jobs:
    - job:
        id: hi
        type: greet
        type_version: v2
        who: alice
"""


async def test_a_yaml_job_runs_the_templates_command_with_its_own_param(engine: Harness) -> None:
    await push(
        engine,
        template(
            "greet",
            {
                "command": param("echo hello $who from the template", "PROVIDED"),
                "who": param("world", "OPTIONAL"),
            },
            version="v2",
            tags=["greeting"],
        ),
    )
    steps = await run_yaml(engine, GREET.format(workflow_id="greet-wf"), "greet-wf")
    hi = steps["hi"]
    assert hi["runtime_state"]["status"] == "SUCCEEDED"
    assert hi["definition"]["step"]["sub_type"] == "greet"
    assert hi["definition"]["step"]["sub_type_version"] == "v2"
    assert hi["params"]["command"]["source"] == "TEMPLATE_SCHEMA"
    assert hi["params"]["who"]["source"] == "DEFINITION"
    assert "internal_mode" not in hi["params"]["command"]
    assert "greeting" in hi["tags"]
    assert await log_of(engine, "greet-wf", "hi") == "hello alice from the template\n"


async def test_an_unknown_job_type_is_refused_at_create_time(engine: Harness) -> None:
    text = GREET.format(workflow_id="unknown-type").replace("type: greet", "type: nosuch")
    response = await engine.http.post("/api/v3/workflows/yaml", content=text, headers=YAML)
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "BAD_REQUEST"
    assert (
        "cannot find step type for job id: [hi] with job type: [nosuch] of version [v2]"
        in (body["errors"][0])
    )
    checked = await engine.http.put(
        "/api/v3/workflows/actions/validate/yaml", content=text, headers=YAML
    )
    assert checked.status_code == 400 and "[nosuch]" in checked.text


async def test_a_yaml_shell_job_runs_and_its_output_is_in_its_logs(engine: Harness) -> None:
    text = """
Workflow:
  id: yaml-shell
  owner: tester
  jobs:
    - job: {id: say, type: Shell, command: echo shell from yaml}
    - job: {id: say2, type: shell, command: echo lower case too}
"""
    steps = await run_yaml(engine, text, "yaml-shell")
    assert steps["say"]["definition"]["step"]["type"] == "Shell"
    assert steps["say"]["runtime_state"]["status"] == "SUCCEEDED"
    assert await log_of(engine, "yaml-shell", "say") == "shell from yaml\n"
    assert await log_of(engine, "yaml-shell", "say2") == "lower case too\n"


async def test_inherit_from_merges_ancestors_first_then_the_workflows_params(
    engine: Harness,
) -> None:
    await push(engine, template("base", {"a": param("base-a"), "b": param("base-b")}))
    await push(
        engine,
        template(
            "child",
            {"b": param("child-b"), "command": param("echo $a $b $c", "PROVIDED")},
            inherit_from={"base": "v1"},
            version="v1",
        ),
    )
    text = """
Workflow:
  id: inherit
  owner: tester
  b: workflow-b
  jobs:
    - job: {id: j, type: child, type_version: v1, c: from-step}
"""
    steps = await run_yaml(engine, text, "inherit")
    params = steps["j"]["params"]
    # template chain (base, then child), then the workflow's params of the same names,
    # then the step's own params
    assert params["a"]["evaluated_result"] == "base-a"
    assert params["b"]["evaluated_result"] == "workflow-b"
    assert params["b"]["source"] == "WORKFLOW_PARAMETER"
    assert params["c"]["evaluated_result"] == "from-step"
    assert await log_of(engine, "inherit", "j") == "base-a workflow-b from-step\n"


async def test_the_workflow_param_job_template_version_picks_the_version(engine: Harness) -> None:
    await push(engine, template("pick", {"command": param("echo one", "PROVIDED")}, version="v1"))
    await push(engine, template("pick", {"command": param("echo two", "PROVIDED")}, version="v2"))
    body = {
        "properties": {"owner": "tester"},
        "workflow": {
            "id": "pick-version",
            "params": {"job_template_version": {"value": "v2", "type": "STRING"}},
            "steps": [{"step": {"id": "p", "type": "Shell", "sub_type": "pick"}}],
        },
    }
    await engine.create(body)
    await engine.start("pick-version")
    assert (await engine.wait("pick-version", 1)).status == "SUCCEEDED"
    assert await log_of(engine, "pick-version", "p") == "two\n"


async def test_internal_modes_are_respected(engine: Harness) -> None:
    await push(
        engine,
        template(
            "modes",
            {
                "command": param("echo $locked", "PROVIDED"),
                "locked": param("system", "RESERVED"),
                "needed": {"type": "STRING", "internal_mode": "REQUIRED"},
                "maybe": {"type": "LONG", "internal_mode": "OPTIONAL"},
            },
        ),
    )
    ok = """
Workflow:
  id: modes-ok
  owner: tester
  jobs:
    - job: {id: m, type: modes, type_version: v1, needed: given}
"""
    steps = await run_yaml(engine, ok, "modes-ok")
    assert steps["m"]["runtime_state"]["status"] == "SUCCEEDED"
    assert "maybe" not in steps["m"]["params"]  # an OPTIONAL param nobody set is dropped
    assert steps["m"]["params"]["locked"]["mode"] == "CONSTANT"

    missing = ok.replace("modes-ok", "modes-missing").replace(", needed: given", "")
    steps = await run_yaml(engine, missing, "modes-missing")
    assert steps["m"]["runtime_state"]["status"] == "FATALLY_FAILED"
    messages = [event.get("message", "") for event in steps["m"]["timeline"]]
    assert any("[needed] is a required parameter" in m for m in messages), messages

    reserved = ok.replace("modes-ok", "modes-reserved").replace("needed: given", "locked: mine")
    reserved = reserved.replace("}", ", needed: x}")
    steps = await run_yaml(engine, reserved, "modes-reserved")
    assert steps["m"]["runtime_state"]["status"] == "FATALLY_FAILED"
    messages = [event.get("message", "") for event in steps["m"]["timeline"]]
    assert any("Cannot modify param with mode [CONSTANT]" in m for m in messages), messages


async def test_a_template_of_another_step_type_or_a_cycle_fails_the_step(engine: Harness) -> None:
    await push(engine, template("http-ish", {}, step_type="Http"))
    await push(engine, template("loop-a", {}, inherit_from={"loop-b": "v1"}))
    await push(engine, template("loop-b", {}, inherit_from={"loop-a": "v1"}))
    steps = [
        {"step": {"id": "mismatch", "type": "Shell", "sub_type": "http-ish",
                  "sub_type_version": "v1"}},
        {"step": {"id": "cycle", "type": "Shell", "sub_type": "loop-a", "sub_type_version": "v1",
                  "params": {"command": param("echo x")}}},
    ]  # fmt: skip
    await engine.create(
        {"properties": {"owner": "tester"}, "workflow": {"id": "bad-templates", "steps": steps}}
    )
    await engine.start("bad-templates")
    await engine.wait("bad-templates", 1)
    rows = await engine.steps("bad-templates", 1)
    mismatch = " ".join(e.get("message", "") for e in rows["mismatch"].timeline)
    assert "step type [Http] does not match the current step type [Shell]" in mismatch
    cycle = " ".join(e.get("message", "") for e in rows["cycle"].timeline)
    assert "Cyclic dependency detected for step [cycle]" in cycle
