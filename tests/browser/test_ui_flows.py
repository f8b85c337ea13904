"""The web UI in Chromium against a real server: the flows a person follows after
``make run``, each read from the page as it is shown."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import httpx
from playwright.sync_api import Page, expect
from tests.corpus import require, shared_dir

STEP_IDS = ["job.1", "job.2", "job.3", "job.4", "job.5", "job.6"]


def push(api: httpx.Client, request: dict[str, Any]) -> None:
    answer = api.post("/api/v3/workflows", json=request)
    assert answer.status_code == 200, answer.text


def start(api: httpx.Client, workflow_id: str) -> int:
    answer = api.post(
        f"/api/v3/workflows/{workflow_id}/versions/latest/actions/start",
        json={"initiator": {"type": "MANUAL"}},
    )
    assert answer.status_code == 200, answer.text
    return int(answer.json()["workflow_instance_id"])


def finished(
    api: httpx.Client, workflow_id: str, instance: int, timeout: float = 60
) -> dict[str, Any]:
    """The run once it has ended (read until then: the engine runs it in the server)."""
    path = f"/api/v3/workflows/{workflow_id}/instances/{instance}/runs/latest"
    deadline = time.monotonic() + timeout
    while True:
        run = api.get(path).json()
        if run.get("status") in ("SUCCEEDED", "FAILED", "STOPPED", "TIMED_OUT"):
            return dict(run)
        assert time.monotonic() < deadline, f"the run did not end: {run.get('status')}"
        time.sleep(0.1)


def shell(workflow_id: str, steps: dict[str, str], **params: Any) -> dict[str, Any]:
    return {
        "properties": {"owner": "tester"},
        "workflow": {
            "id": workflow_id,
            "params": {name: {"value": v, "type": "STRING"} for name, v in params.items()},
            "steps": [
                {
                    "step": {
                        "id": step_id,
                        "type": "Shell",
                        "retry_policy": {"error_retry_limit": 0},
                        "params": {"command": {"value": command, "type": "STRING"}},
                    }
                }
                for step_id, command in steps.items()
            ],
        },
    }


def sample(api: httpx.Client) -> None:
    folder = require(shared_dir() / "maestro-samples")
    push(api, json.loads((folder / "sample-dag-test-1.json").read_text()))


def test_the_workflows_page_lists_and_searches(page: Page, api: httpx.Client) -> None:
    sample(api)
    push(api, shell("ui-listed-elsewhere", {"s": "true"}))

    page.goto("/")
    table = page.locator("table.list")
    expect(table).to_contain_text("sample-dag-test-1")
    expect(table).to_contain_text("ui-listed-elsewhere")

    page.get_by_label("Id contains").fill("dag-test")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"\?q=dag-test$"))
    expect(table).not_to_contain_text("ui-listed-elsewhere")
    page.get_by_role("link", name="sample-dag-test-1").click()
    expect(page.get_by_role("heading", name="sample-dag-test-1", exact=True)).to_be_visible()


def test_a_workflow_shows_its_six_steps(page: Page, api: httpx.Client) -> None:
    sample(api)

    page.goto("/workflows/sample-dag-test-1")

    steps = page.get_by_role("table", name="steps")
    expect(steps.locator("td.step-id")).to_have_text(
        ["job.1", "job.5", "job.2", "job.3", "job.6", "job.4"]
    )
    graph = page.get_by_role("figure")
    for step_id in STEP_IDS:
        expect(graph.locator(f'[data-step-id="{step_id}"]')).to_be_visible()


def test_a_finished_run_shows_each_step_with_its_status(page: Page, api: httpx.Client) -> None:
    sample(api)
    instance = start(api, "sample-dag-test-1")
    assert finished(api, "sample-dag-test-1", instance)["status"] == "SUCCEEDED"

    page.goto(f"/workflows/sample-dag-test-1/instances/{instance}/runs/1")

    expect(page.get_by_test_id("run-status")).to_have_text("SUCCEEDED")
    for step_id in STEP_IDS:
        row = page.locator(f'tr[data-step-row="{step_id}"]')
        expect(row).to_contain_text(step_id)
        expect(row).to_contain_text("SUCCEEDED")

    graph = page.get_by_role("figure")
    graph.locator('[data-step-id="job.3"]').click()
    expect(page).to_have_url(re.compile(r"/runs/1/steps/job\.3$"))
    expect(page.get_by_role("complementary", name="step job.3")).to_contain_text("SUCCEEDED")
    graph.locator('.react-flow__node[data-id="job.6"]').focus()  # by keyboard too
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/runs/1/steps/job\.6$"))


def test_a_shell_steps_page_shows_its_output(page: Page, api: httpx.Client) -> None:
    push(api, shell("ui-shell", {"say": "echo hello from the shell; echo second line"}))
    instance = start(api, "ui-shell")
    assert finished(api, "ui-shell", instance)["status"] == "SUCCEEDED"

    page.goto(f"/workflows/ui-shell/instances/{instance}/runs/1/steps/say")

    log = page.get_by_test_id("step-log")
    expect(log).to_contain_text("hello from the shell\nsecond line")
    page.get_by_role("tab", name="stderr").click()
    expect(log).to_have_text("(empty)")


def test_start_from_the_page_then_stop_the_run_live(page: Page, api: httpx.Client) -> None:
    request = shell("ui-long", {"wait": "echo waiting for $who; sleep 600", "after": "true"})
    request["workflow"]["params"] = {"who": {"value": "nobody", "type": "STRING"}}
    request["workflow"]["steps"][0]["step"]["transition"] = {"successors": {"after": "true"}}
    push(api, request)

    page.goto("/workflows/ui-long")
    page.get_by_role("button", name="Start").click()
    form = page.get_by_role("dialog")
    field = form.get_by_label("who")
    expect(field).to_have_value("nobody")  # the default, prefilled
    field.fill("the tester")
    form.get_by_role("button", name="Start run").click()

    expect(page).to_have_url(re.compile(r"/workflows/ui-long/instances/\d+/runs/\d+$"))
    status = page.get_by_test_id("run-status")
    expect(status).to_have_text("IN PROGRESS")
    expect(page.locator('tr[data-step-row="wait"]')).to_contain_text("RUNNING")
    expect(page.locator('tr[data-step-row="after"]')).to_contain_text("planned")
    page.get_by_role("link", name="after", exact=True).click()
    expect(page.get_by_role("complementary")).to_contain_text("Not created in this run (yet).")
    page.get_by_role("link", name="wait", exact=True).click()
    expect(page.get_by_test_id("step-log")).to_contain_text("waiting for the tester")

    run_actions = page.get_by_role("group", name="run actions")
    run_actions.get_by_role("button", name="Stop").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Stop run")
    dialog.get_by_role("button", name="Stop").click()

    expect(status).to_have_text("STOPPED")  # no reload: the page follows the run
    expect(run_actions.get_by_role("button", name="Stop")).to_have_count(0)

    run_actions.get_by_role("button", name="Restart").click()
    dialog.get_by_label("From").select_option("RESTART_FROM_BEGINNING")
    dialog.get_by_role("button", name="Restart").click()
    runs = page.get_by_role("navigation", name="runs of this instance")
    runs.get_by_role("link", name=re.compile(r"^2 ")).click()
    expect(page).to_have_url(re.compile(r"/runs/2$"))
    expect(status).to_have_text("IN PROGRESS")
    run_actions.get_by_role("button", name="Stop").click()  # the new run's process too
    dialog.get_by_role("button", name="Stop").click()
    expect(status).to_have_text("STOPPED")


def test_a_diff_of_two_versions_names_the_added_step(page: Page, api: httpx.Client) -> None:
    push(api, shell("ui-diff", {"extract": "true", "load": "true"}))
    second = shell("ui-diff", {"extract": "true", "load": "echo changed", "report": "true"})
    push(api, second)

    page.goto("/workflows/ui-diff/diff?from=1&to=2")

    changes = page.get_by_role("list", name="step changes")
    added = changes.get_by_role("listitem").filter(has_text="report")
    expect(added).to_contain_text("added")
    changed = changes.get_by_role("listitem").filter(has_text="load")
    expect(changed).to_contain_text("changed")
    expect(changed.locator(".line-added")).to_contain_text("echo changed")
    expect(page.get_by_role("figure").locator('[data-step-id="report"]')).to_contain_text("added")


def test_a_300_step_run_shows_its_status_within_3_seconds(page: Page, api: httpx.Client) -> None:
    steps = [{"step": {"id": f"s{n:03d}", "type": "NoOp"}} for n in range(300)]
    push(api, {"properties": {"owner": "tester"}, "workflow": {"id": "ui-wide", "steps": steps}})
    instance = start(api, "ui-wide")
    assert finished(api, "ui-wide", instance)["status"] == "SUCCEEDED"

    page.goto(f"/workflows/ui-wide/instances/{instance}/runs/1", wait_until="commit")

    expect(page.get_by_test_id("run-status")).to_have_text("SUCCEEDED", timeout=3000)
    expect(page.locator("tr[data-step-row]")).to_have_count(300)
    expect(page.locator("tr[data-step-row]").filter(has_text="SUCCEEDED")).to_have_count(300)


def test_a_foreach_shows_its_iterations_each_a_run(page: Page, api: httpx.Client) -> None:
    folder = require(shared_dir() / "maestro-samples")
    push(api, json.loads((folder / "sample-foreach-wf.json").read_text()))
    instance = start(api, "sample-foreach-wf")
    assert finished(api, "sample-foreach-wf", instance)["status"] == "SUCCEEDED"

    page.goto(f"/workflows/sample-foreach-wf/instances/{instance}/runs/1/steps/foreach-job")

    node = page.get_by_role("figure").locator('[data-step-id="foreach-job"]')
    expect(node).to_contain_text("9 succeeded")
    iterations = page.get_by_role("list", name="iterations")
    expect(iterations.get_by_role("listitem")).to_have_count(9)
    page.get_by_label("Status").select_option("FAILED")
    expect(iterations.get_by_role("listitem")).to_have_count(0)
    page.get_by_label("Status").select_option("SUCCEEDED")
    iterations.get_by_role("link", name="iteration 1", exact=True).click()

    expect(page).to_have_url(re.compile(r"/workflows/maestro_foreach_\w+/instances/1/runs/1$"))
    expect(page.get_by_test_id("run-status")).to_have_text("SUCCEEDED")
    expect(page.locator("tr[data-step-row]")).to_have_count(6)


def test_signals_are_announced_and_listed(page: Page) -> None:
    page.goto("/signals")
    page.get_by_label("Name").fill("ui-ready")
    page.get_by_label("Params").fill('{"day": 20240101}')
    page.get_by_role("button", name="Announce").click()

    expect(page.get_by_role("status")).to_contain_text('"seq_id": 1')
    expect(page.locator("table.list")).to_contain_text("ui-ready")
    expect(page.locator("table.list")).to_contain_text('{"day":20240101}')

    page.get_by_label("Params").fill("[1")
    page.get_by_role("button", name="Announce").click()
    expect(page.get_by_role("alert")).to_contain_text("params: not a JSON object")
