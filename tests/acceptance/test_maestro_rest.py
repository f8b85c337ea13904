"""The rest of Maestro's API on a real ``maestoso server`` process, over HTTP, as a user
drives it: job templates and YAML job types, the fields Maestro always writes, step restarts
with their body, enriched definitions, the inline endpoints and the flattened foreach view of
10,000 iterations."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from tests.acceptance.server import ServerProcess
from tests.corpus import require, shared_dir

YAML = {"content-type": "application/yaml"}
NEXT = {"flaky": "true"}
TERMINAL = ("SUCCEEDED", "FAILED", "STOPPED", "TIMED_OUT")


@pytest.fixture(scope="module")
def http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    server = ServerProcess(tmp_path_factory.mktemp("maestro-rest")).start()
    try:
        with server.client() as client:
            yield client
    finally:
        server.stop()


def wait(
    http: httpx.Client, workflow_id: str, instance: int = 1, run: int = 1, timeout: float = 60
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        response = http.get(f"/api/v3/workflows/{workflow_id}/instances/{instance}/runs/{run}")
        body: dict[str, Any] = response.json() if response.status_code == 200 else {}
        if body.get("status") in TERMINAL:
            return body
        assert time.monotonic() < deadline, body.get("status")
        time.sleep(0.05)


def start(http: httpx.Client, workflow_id: str) -> dict[str, Any]:
    started = http.post(
        f"/api/v3/workflows/{workflow_id}/versions/latest/actions/start",
        json={"initiator": {"type": "manual"}},
    )
    assert started.status_code == 200, started.text
    return started.json()  # type: ignore[no-any-return]


def push_yaml(http: httpx.Client, text: str) -> httpx.Response:
    return http.post("/api/v3/workflows/yaml", content=text, headers=YAML)


def logs(http: httpx.Client, workflow_id: str, step_id: str, instance: int = 1) -> str:
    response = http.get(
        f"/api/v3/workflows/{workflow_id}/instances/{instance}/runs/1/steps/{step_id}"
        "/attempts/1/logs"
    )
    assert response.status_code == 200, response.text
    return response.text


GREET_TEMPLATE = {
    "owner": "tester",
    "status": "alpha",
    "support": "data-team",
    "definition": {
        "job_type": "greet",
        "step_type": "Shell",
        "version": "v2",
        "params": {
            "command": {
                "value": "echo hello $who from the template",
                "type": "STRING",
                "internal_mode": "PROVIDED",
            },
            "who": {"value": "world", "type": "STRING", "internal_mode": "OPTIONAL"},
        },
    },
}


def test_a_template_gives_a_yaml_job_its_command_and_defaults(http: httpx.Client) -> None:
    created = http.post("/api/v3/job-templates", json=GREET_TEMPLATE)
    assert created.status_code == 200, created.text
    assert http.get("/api/v3/job-templates/greet", params={"version": "v2"}).status_code == 200
    text = """
Workflow:
  id: greetings
  owner: tester
  jobs:
    - job: {id: alice, type: greet, type_version: v2, who: alice}
    - job: {id: anyone, type: greet, type_version: v2}
"""
    assert push_yaml(http, text).status_code == 200
    start(http, "greetings")
    assert wait(http, "greetings")["status"] == "SUCCEEDED"
    assert logs(http, "greetings", "alice") == "hello alice from the template\n"
    assert logs(http, "greetings", "anyone") == "hello world from the template\n"


def test_an_unknown_job_type_is_refused_at_create_time(http: httpx.Client) -> None:
    text = "Workflow:\n  id: typo\n  jobs:\n    - job: {id: j, type: sehll}\n"
    refused = push_yaml(http, text)
    assert refused.status_code == 400
    assert "job type: [sehll]" in refused.json()["errors"][0]
    assert http.get("/api/v3/workflows/typo/versions/latest").status_code == 404


def test_a_yaml_shell_job_runs_and_its_output_is_in_its_logs(http: httpx.Client) -> None:
    text = """
Workflow:
  id: yaml-shell
  owner: tester
  jobs:
    - job: {id: say, type: Shell, command: echo said from yaml}
"""
    assert push_yaml(http, text).status_code == 200
    start(http, "yaml-shell")
    assert wait(http, "yaml-shell")["status"] == "SUCCEEDED"
    assert logs(http, "yaml-shell", "say") == "said from yaml\n"


def test_the_fields_maestro_always_writes(http: httpx.Client) -> None:
    body = {
        "properties": {"owner": "tester"},
        "workflow": {
            "id": "fields",
            "timeout": "10 min",
            "steps": [{"step": {"id": "a", "type": "NoOp"}}, {"step": {"id": "b", "type": "NoOp"}}],
        },
    }
    assert http.post("/api/v3/workflows", json=body).status_code == 200
    started = start(http, "fields")
    instance = wait(http, "fields", started["workflow_instance_id"])
    assert instance["group_info"] == 64  # the flow groups in use
    assert instance["timeout_in_millis"] == 600_000
    assert instance["correlation_id"] == "fields:1:1"
    assert "correlation_id" not in instance["run_config"]  # as for Maestro's manual starts
    steps = http.get("/api/v3/workflows/fields/instances/1/steps").json()
    for step in steps:
        assert step["owner"] == "tester"
        assert step["correlation_id"] == "fields:1:1"
        assert step["group_info"] == 64
        assert step["step_retry"]["retryable"] is True
        assert step["step_retry"]["backoff"]["type"] in ("EXPONENTIAL_BACKOFF", "FIXED_BACKOFF")


def test_a_step_restart_honours_its_policy_and_answers_with_the_step_state(
    http: httpx.Client,
) -> None:
    body = {
        "properties": {"owner": "tester"},
        "workflow": {
            "id": "restartable",
            "steps": [
                {
                    "step": {
                        "id": "first",
                        "type": "NoOp",
                        "transition": {"successors": {"flaky": "true"}},
                    }
                },
                {
                    "step": {
                        "id": "flaky",
                        "type": "Shell",
                        "retry_policy": {"error_retry_limit": 0},
                        "params": {
                            "command": {"value": "test $ok = yes", "type": "STRING"},
                            "ok": {"value": "no", "type": "STRING"},
                        },
                    }
                },
            ],
        },
    }
    assert http.post("/api/v3/workflows", json=body).status_code == 200
    start(http, "restartable")
    assert wait(http, "restartable")["status"] == "FAILED"
    url = "/api/v3/workflows/restartable/instances/1/steps/flaky/actions/restart"

    answer = http.post(
        url,
        json={
            "restart_policy": "RESTART_FROM_BEGINNING",
            "upstream_restart_mode": "RESTART_FROM_INLINE_ROOT",
            "step_run_params": {"ok": {"value": "yes", "type": "STRING"}},
        },
    )

    assert answer.status_code == 200, answer.text
    restarted = answer.json()
    assert list(restarted)[:8] == [
        "workflow_id", "workflow_version_id", "workflow_instance_id", "workflow_run_id",
        "step_id", "step_attempt_id", "status", "timeline_event",
    ]  # fmt: skip
    assert restarted["workflow_run_id"] == 2 and restarted["status"] == "CREATED"
    assert "status" in restarted["step_runtime_state"]
    run = wait(http, "restartable", run=2)
    assert run["status"] == "SUCCEEDED"
    assert run["run_config"]["policy"] == "RESTART_FROM_BEGINNING"
    first = http.get("/api/v3/workflows/restartable/instances/1/runs/2/steps/first/attempts/latest")
    assert first.status_code == 200  # from the beginning: the succeeded step ran again


def test_enriched_shows_the_merged_params(http: httpx.Client) -> None:
    sample = require(shared_dir() / "maestro-samples") / "sample-dag-test-1.json"
    assert http.post("/api/v3/workflows", json=json.loads(sample.read_text())).status_code == 200
    definition = http.get(
        "/api/v3/workflows/sample-dag-test-1/versions/latest", params={"enriched": "true"}
    ).json()
    extras = definition["enriched_extras"]
    assert list(extras)[:2] == ["workflow_params", "step_params"]
    assert extras["workflow_params"]["RUN_TS"]["source"] == "SYSTEM_DEFAULT"
    assert extras["workflow_params"]["foo"]["source"] == "DEFINITION"
    assert set(extras["step_params"]) == {f"job.{i}" for i in range(1, 7)}
    assert extras["step_params"]["job.1"]["step_id"]["internal_mode"] == "RESERVED"


def test_a_foreach_iterations_run_and_logs_through_the_inline_endpoints(
    http: httpx.Client,
) -> None:
    body = {
        "properties": {"owner": "tester"},
        "workflow": {
            "id": "looping",
            "steps": [
                {
                    "foreach": {
                        "id": "loop",
                        "params": {
                            "loop_params": {
                                "type": "MAP",
                                "value": {"day": {"value": [1, 2, 3], "type": "LONG_ARRAY"}},
                            }
                        },
                        "steps": [
                            {
                                "step": {
                                    "id": "show",
                                    "type": "Shell",
                                    "params": {
                                        "command": {"value": "echo day $day", "type": "STRING"}
                                    },
                                }
                            }
                        ],
                    }
                }
            ],
        },
    }
    assert http.post("/api/v3/workflows", json=body).status_code == 200
    start(http, "looping")
    assert wait(http, "looping")["status"] == "SUCCEEDED"
    path = [{"workflow_id": "looping", "instance_id": 1}, {"step_id": "show"}]
    inline = http.request("GET", "/api/v3/workflows/instances/inline-workflow-id", json=path)
    assert inline.status_code == 200, inline.text
    workflow_id = inline.text
    run = http.get(f"/api/v3/workflows/{workflow_id}/instances/3/runs/1").json()
    assert run["status"] == "SUCCEEDED" and run["params"]["day"]["evaluated_result"] == 3
    assert logs(http, workflow_id, "show", instance=3) == "day 3\n"
    back = http.get(f"/api/v3/workflows/{workflow_id}/instances/3/inline-path").json()
    assert back[0]["workflow_id"] == "looping" and back[-1] == {
        "workflow_id": workflow_id,
        "instance_id": 3,
    }


@pytest.mark.slow
def test_the_flattened_view_pages_ten_thousand_iterations(http: httpx.Client) -> None:
    loops = {
        "i": {"expression": "Util.intsBetween(0, 100, 1);", "type": "LONG_ARRAY"},
        "j": {"expression": "Util.intsBetween(0, 100, 1);", "type": "LONG_ARRAY"},
    }
    body = {
        "properties": {"owner": "tester"},
        "workflow": {
            "id": "ten-thousand",
            "instance_step_concurrency": 500,
            "steps": [
                {
                    "foreach": {
                        "id": "loop",
                        "concurrency": 500,
                        "params": {"loop_params": {"type": "MAP", "value": loops}},
                        "steps": [{"step": {"id": "leaf", "type": "NoOp"}}],
                    }
                }
            ],
        },
    }
    assert http.post("/api/v3/workflows", json=body).status_code == 200
    start(http, "ten-thousand")
    assert wait(http, "ten-thousand", timeout=600)["status"] == "SUCCEEDED"
    view = "/api/v3/views/flatten/workflows/ten-thousand/instances/1/runs/1/steps/leaf"

    ranks: list[str] = []
    cursor = None
    pages = 0
    while True:
        query: dict[str, Any] = {"first": 200}
        if cursor:
            query["cursor"] = cursor
        page = http.get(view, params=query).json()
        pages += 1
        ranks += [element["iteration_rank"] for element in page["elements"]]
        if not page["page_info"]["has_next_page"]:
            break
        cursor = page["page_info"]["end_cursor"]
    assert pages == 50 and len(ranks) == 10_000 and len(set(ranks)) == 10_000
    assert ranks == sorted(ranks) and ranks[-1] == "510000"

    wanted = base64.urlsafe_b64encode(json.dumps({"i": 42, "j": 99}).encode()).decode()
    found = http.get(view, params={"first": 10, "loopParams": wanted}).json()["elements"]
    assert [element["iteration_rank"] for element in found] == ["49943"]
    summary = http.get(f"{view}/summary", params={"statusCount": "true"}).json()
    assert summary["count_by_status"] == {"SUCCEEDED": 10_000}
    last = http.get(view, params={"last": 3}).json()
    assert [e["iteration_rank"] for e in last["elements"]] == ["49998", "49999", "510000"]
