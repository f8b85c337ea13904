"""The web UI's views of alerting and the cluster, in Chromium against a real server whose
notifiers post to receivers on loopback: a run's notifications, a running run's predicted
end flagged past its tct, and the cluster page with the server's node and its flow groups."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from tests.acceptance.receivers import HttpReceiver, wait_until
from tests.acceptance.server import ServerProcess, free_port
from tests.browser.test_ui_flows import finished, push, shell


@pytest.fixture(scope="module")
def receiver() -> Iterator[HttpReceiver]:
    found = HttpReceiver()
    yield found
    found.close()


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, receiver: HttpReceiver
) -> Iterator[ServerProcess]:
    env = {
        "MAESTOSO_EVENTS_WEBHOOK_URL": receiver.url + "/events",
        "MAESTOSO_SLACK_TOKEN": "xoxb-test",
        "MAESTOSO_SLACK_API_URL": receiver.url + "/slack",
        "MAESTOSO_ALERT_WATCH_SECONDS": "0.2",
        # PagerDuty at a port nothing listens on: its deliveries fail, and are given up fast
        "MAESTOSO_PAGERDUTY_EVENTS_URL": f"http://127.0.0.1:{free_port()}/v2/enqueue",
        "MAESTOSO_PAGERDUTY_SERVICES": "ops=rk-ops",
        "MAESTOSO_ALERT_RETRY_SECONDS": "0.1",
        "MAESTOSO_ALERT_RETRY_MAX_SECONDS": "0.2",
        "MAESTOSO_ALERT_MAX_ATTEMPTS": "2",
    }
    process = ServerProcess(tmp_path_factory.mktemp("ui-alerting"), env=env).start()
    yield process
    process.stop()


def start(api: httpx.Client, workflow_id: str, **params: Any) -> int:
    body: dict[str, Any] = {"initiator": {"type": "MANUAL"}}
    if params:
        body["run_params"] = {k: {"value": v, "type": "LONG"} for k, v in params.items()}
    answer = api.post(f"/api/v3/workflows/{workflow_id}/versions/latest/actions/start", json=body)
    assert answer.status_code == 200, answer.text
    return int(answer.json()["workflow_instance_id"])


def test_a_failed_run_lists_its_notifications(
    page: Page, api: httpx.Client, receiver: HttpReceiver
) -> None:
    definition = shell("ui-alerted", {"broken": "exit 3"})
    definition["properties"]["alerting"] = {"slack": {"channels": ["#ui"]}, "pagerduties": ["ops"]}
    push(api, definition)
    instance = start(api, "ui-alerted")
    assert finished(api, "ui-alerted", instance)["status"] == "FAILED"
    deliveries = f"/api/v3/workflows/ui-alerted/instances/{instance}/deliveries"
    wait_until(
        lambda: any(d["status"] == "FAILED" for d in api.get(deliveries).json()),
        10,
        "the page given up",
    )

    page.goto(f"/workflows/ui-alerted/instances/{instance}/runs/latest")
    table = page.get_by_role("table", name="notifications")
    slack = table.locator("tr", has_text="slack")
    expect(slack).to_contain_text("slack to #ui")
    expect(slack).to_contain_text("STEP_FAILURE")
    expect(slack).to_contain_text("broken")
    expect(slack.locator("[data-status]")).to_have_text("SENT")
    pager = table.locator("tr", has_text="pagerduty")
    expect(pager).to_contain_text("STEP_FAILURE")
    expect(pager.locator("[data-status]")).to_have_text("FAILED")
    expect(pager.locator("td").nth(4)).to_have_text("2")  # attempts
    expect(pager.locator("td").nth(5)).not_to_be_empty()  # its last error
    # the event stream's deliveries: the run's and its step's status changes, all sent
    expect(table.locator("tr", has_text="webhook").first).to_contain_text("STATUS_CHANGE")
    expect(table.locator("[data-status=SENT]")).to_have_count(len(api.get(deliveries).json()) - 1)
    assert any(r.path == "/slack/chat.postMessage" for r in receiver.received)
    assert any(r.path == "/events" for r in receiver.received)


def test_a_running_run_with_history_shows_its_predicted_end_past_its_tct(
    page: Page, api: httpx.Client
) -> None:
    nap = {"sleep_seconds": {"type": "LONG", "expression": "nap"}}
    push(
        api,
        {
            "properties": {
                "owner": "tester",
                "run_strategy": {"rule": "parallel", "workflow_concurrency": 10},
            },
            "workflow": {
                "id": "ui-eta",
                "params": {"nap": {"type": "LONG", "value": 1}},
                "steps": [{"step": {"id": "load", "type": "Sleep", "params": nap}}],
            },
        },
    )
    history = [start(api, "ui-eta") for _ in range(3)]
    for instance in history:
        assert finished(api, "ui-eta", instance)["status"] == "SUCCEEDED"
    deadline_ms = int(time.time() * 1000) + 1_000
    tct = {"alerting": {"tct": {"completed_by_ts": deadline_ms}}}
    assert api.post("/api/v3/workflows/ui-eta/properties", json=tct).status_code == 200
    slow = start(api, "ui-eta", nap=60)
    try:
        page.goto(f"/workflows/ui-eta/instances/{slow}/runs/latest")
        eta = page.get_by_test_id("eta")
        expect(eta).to_contain_text("confidence from 3 past runs")
        expect(page.get_by_test_id("eta-late")).to_have_text("misses its target")
        expect(eta).to_contain_text("Behind: load (")
        expect(eta.locator(f"time[datetime='{_iso(deadline_ms)}']")).to_have_count(1)
    finally:
        stop = f"/api/v3/workflows/ui-eta/instances/{slow}/runs/1/actions/stop"
        assert api.put(stop).status_code == 200


def test_the_cluster_page_shows_the_node_its_groups_and_the_plugins(
    page: Page, api: httpx.Client
) -> None:
    overview = api.get("/api/v3/groups").json()
    (node,) = overview["nodes"]
    assert node["node_id"] == "test-node" and node["groups"]  # the runs above took groups

    page.goto("/")
    page.get_by_role("navigation", name="main").get_by_role("link", name="Cluster").click()
    expect(page).to_have_url("/cluster")
    row = page.get_by_role("table", name="nodes").locator("tr[data-node='test-node']")
    expect(row).to_contain_text("alive")
    expect(row).to_contain_text(node["address"])
    expect(row.get_by_test_id("node-groups")).to_contain_text(f"{len(node['groups'])} (")
    expect(page.get_by_text("1 of 1 nodes alive")).to_be_visible()
    expect(page.get_by_text("No plugins are installed.")).to_be_visible()


def _iso(ms: int) -> str:
    """As the page writes a time's ``datetime`` (JavaScript's ``toISOString``)."""
    return (
        datetime.fromtimestamp(ms // 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{ms % 1000:03d}Z"
    )
