"""Alerting against a real server, with its notifiers pointed at receivers on loopback:
Slack and email for a failed step, a PagerDuty incident opened and resolved, the signed
event stream in order, deliveries that survive a receiver's outage and a SIGKILL, and a
deadline miss predicted before the deadline. On SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.acceptance.receivers import HttpReceiver, SmtpReceiver, wait_until
from tests.acceptance.server import ServerProcess

SECRET = "s3cret"


@pytest.fixture
def receivers() -> Iterator[dict[str, Any]]:
    found = {"slack": HttpReceiver(), "pager": HttpReceiver(), "hook": HttpReceiver()}
    smtp = SmtpReceiver()
    try:
        yield {**found, "smtp": smtp}
    finally:
        for receiver in found.values():
            receiver.close()
        smtp.close()


def _env(receivers: dict[str, Any]) -> dict[str, str]:
    return {
        "MAESTOSO_SLACK_TOKEN": "xoxb-test",
        "MAESTOSO_SLACK_API_URL": receivers["slack"].url + "/api",
        "MAESTOSO_SMTP_HOST": "127.0.0.1",
        "MAESTOSO_SMTP_PORT": str(receivers["smtp"].port),
        "MAESTOSO_SMTP_FROM": "maestoso@example.com",
        "MAESTOSO_PAGERDUTY_EVENTS_URL": receivers["pager"].url + "/v2/enqueue",
        "MAESTOSO_PAGERDUTY_SERVICES": "ops=rk-ops",
        "MAESTOSO_EVENTS_WEBHOOK_URL": receivers["hook"].url + "/events",
        "MAESTOSO_EVENTS_WEBHOOK_SECRET": SECRET,
        "MAESTOSO_PUBLIC_URL": "http://ui.example",
        "MAESTOSO_ALERT_RETRY_SECONDS": "0.2",
        "MAESTOSO_ALERT_RETRY_MAX_SECONDS": "0.5",
        "MAESTOSO_ALERT_WATCH_SECONDS": "0.2",
    }


def _wait_status(client: httpx.Client, workflow: str, instance: int, *wanted: str) -> None:
    def done() -> bool:
        answer = client.get(f"/api/v3/workflows/{workflow}/instances/{instance}")
        return answer.status_code == 200 and answer.json()["status"] in wanted

    wait_until(done, 30, f"{workflow}/{instance} in {wanted}")


def _stream(hook: HttpReceiver) -> list[dict[str, Any]]:
    events = []
    for request in hook.received:
        expected = "sha256=" + hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
        assert request.headers["x-maestoso-signature"] == expected
        assert request.headers["content-type"].startswith("application/cloudevents+json")
        events.append(request.json())
    return events


def test_a_failed_step_alerts_once_everywhere_and_a_good_restart_resolves(
    tmp_path: Path, database_url: str, receivers: dict[str, Any]
) -> None:
    marker = tmp_path / "fixed"
    definition = {
        "properties": {
            "owner": "tester",
            "alerting": {
                "emails": ["oncall@example.com"],
                "slack": {"channels": ["#data-alerts"]},
                "pagerduties": ["ops"],
            },
        },
        "workflow": {
            "id": "alerted",
            "steps": [
                {
                    "step": {
                        "id": "flaky",
                        "type": "Shell",
                        "retry_policy": {
                            "error_retry_limit": 1,
                            "backoff": {"type": "FIXED_BACKOFF", "error_retry_backoff_in_secs": 1},
                        },
                        "params": {"command": {"type": "STRING", "value": f"test -f {marker}"}},
                    }
                }
            ],
        },
    }
    server = ServerProcess(tmp_path / "home", database_url, env=_env(receivers)).start()
    slack, pager, hook, smtp = (receivers[k] for k in ("slack", "pager", "hook", "smtp"))
    try:
        with server.client() as client:
            assert client.post("/api/v3/workflows", json=definition).status_code == 200
            start = "/api/v3/workflows/alerted/versions/latest/actions/start"
            assert client.post(start, json={"initiator": {"type": "manual"}}).status_code == 200
            _wait_status(client, "alerted", 1, "FAILED")

            wait_until(lambda: slack.received and smtp.messages, 5, "slack and email")
            time.sleep(0.5)  # nothing more comes
            assert len(slack.received) == 1 and len(smtp.messages) == 1
            post = slack.received[0]
            assert post.path == "/api/chat.postMessage"
            assert post.headers["authorization"] == "Bearer xoxb-test"
            assert post.json()["channel"] == "#data-alerts"
            assert "alerted" in post.json()["text"] and "flaky" in post.json()["text"]
            assert "http://ui.example/workflows/alerted/instances/1/runs/1" in post.json()["text"]
            mail = smtp.messages[0]
            assert mail["To"] == "oncall@example.com"
            assert "alerted" in mail["Subject"] and "flaky" in mail["Subject"]
            assert "STEP_FAILURE" in mail["Subject"]

            wait_until(lambda: pager.received, 5, "a page")
            trigger = pager.received[0].json()
            assert trigger["routing_key"] == "rk-ops"
            assert trigger["event_action"] == "trigger"

            marker.touch()
            restart = "/api/v3/workflows/alerted/instances/1/actions/restart"
            body = {"restart_policy": "RESTART_FROM_INCOMPLETE"}
            assert client.post(restart, json=body).status_code == 200, "restart"
            _wait_status(client, "alerted", 1, "SUCCEEDED")
            wait_until(lambda: len(pager.received) == 2, 5, "a resolve")
            resolve = pager.received[1].json()
            assert resolve["event_action"] == "resolve"
            assert resolve["dedup_key"] == trigger["dedup_key"]
            assert resolve["routing_key"] == "rk-ops"

            wait_until(
                lambda: any(
                    e["data"].get("status") == "SUCCEEDED"
                    for e in _stream(hook)
                    if e["data"].get("workflow_run_id") == 2 and "step_id" not in e["data"]
                ),
                5,
                "the stream's end of run 2",
            )
            run1 = [
                (e["data"].get("step_id"), e["data"]["status"])
                for e in _stream(hook)
                if e["data"].get("workflow_run_id") == 1
            ]
            flaky = [status for step, status in run1 if step == "flaky"]
            assert (
                flaky.index("RUNNING") < flaky.index("USER_FAILED") < flaky.index("FATALLY_FAILED")
            )
            assert run1[0] == (None, "IN_PROGRESS") and run1[-1] == (None, "FAILED")

            deliveries = client.get("/api/v3/workflows/alerted/instances/1/deliveries").json()
            alerts = [d for d in deliveries if d["alert_type"] != "STATUS_CHANGE"]
            assert {(d["notifier"], d["status"]) for d in alerts} == {
                ("slack", "SENT"),
                ("email", "SENT"),
                ("pagerduty", "SENT"),
            }
            run = client.get("/api/v3/workflows/alerted/instances/1/runs/1").json()
            assert any(
                "STEP_FAILURE alert sent by slack" in e.get("message", "") for e in run["timeline"]
            )
    finally:
        server.stop()


def test_deliveries_outlive_a_receiver_outage_and_a_sigkill(
    tmp_path: Path, database_url: str, receivers: dict[str, Any]
) -> None:
    hook: HttpReceiver = receivers["hook"]
    hook.down = True
    steps = [
        {
            "step": {
                "id": f"s{n}",
                "type": "NoOp",
                **({"transition": {"successors": {f"s{n + 1}": "true"}}} if n < 2 else {}),
            }
        }
        for n in range(3)
    ]
    definition = {"properties": {"owner": "tester"}, "workflow": {"id": "streamed", "steps": steps}}
    env = {
        "MAESTOSO_EVENTS_WEBHOOK_URL": hook.url,
        "MAESTOSO_EVENTS_WEBHOOK_SECRET": SECRET,
        "MAESTOSO_ALERT_RETRY_SECONDS": "0.2",
        "MAESTOSO_ALERT_RETRY_MAX_SECONDS": "0.5",
        "MAESTOSO_ALERT_TIMEOUT_SECONDS": "2",
    }
    server = ServerProcess(tmp_path / "home", database_url, env=env).start()
    try:
        with server.client() as client:
            assert client.post("/api/v3/workflows", json=definition).status_code == 200
            start = "/api/v3/workflows/streamed/versions/latest/actions/start"
            assert client.post(start, json={"initiator": {"type": "manual"}}).status_code == 200
            _wait_status(client, "streamed", 1, "SUCCEEDED")
            wait_until(lambda: hook.refused >= 3, 10, "refused attempts")
            deliveries = "/api/v3/workflows/streamed/instances/1/deliveries"

            def refused_recorded() -> bool:
                # a refusal is recorded on its delivery once the attempt ends
                found = client.get(deliveries).json()
                return any(d["attempts"] >= 1 and "503" in d["last_error"] for d in found)

            wait_until(refused_recorded, 10, "a refused attempt recorded")
            pending = client.get(deliveries).json()
            assert pending and all(d["status"] == "PENDING" for d in pending)
        server.kill()
        hook.down = False
        server = ServerProcess(server.home, database_url, port=server.port, env=env).start()
        with server.client() as client:
            url = "/api/v3/workflows/streamed/instances/1/deliveries"

            def all_sent() -> bool:
                rows = client.get(url).json()
                return len(rows) >= len(pending) and all(d["status"] == "SENT" for d in rows)

            wait_until(all_sent, 10, "every change delivered")
            sent = client.get(url).json()
        stream = _stream(hook)
        events = [e for e in stream if e["data"].get("workflow_instance_id") == 1]
        workflow = [e["type"] for e in stream if e not in events]
        assert workflow == ["io.maestoso.workflow.status_changed"]  # its first version
        assert len(events) == len(sent)
        assert len({e["id"] for e in events}) == len(events)  # once each
        steps = [e["data"].get("step_id") for e in events]
        assert [s for n, s in enumerate(steps) if s not in steps[:n]] == [None, "s0", "s1", "s2"]
        assert events[0]["data"]["status"] == "IN_PROGRESS"
        assert events[-1]["data"]["status"] == "SUCCEEDED" and "step_id" not in events[-1]["data"]
    finally:
        server.stop()


def test_a_slow_run_is_warned_about_before_its_deadline(
    tmp_path: Path, database_url: str, receivers: dict[str, Any]
) -> None:
    slack: HttpReceiver = receivers["slack"]
    nap = {"sleep_seconds": {"type": "LONG", "expression": "nap"}}
    definition = {
        "properties": {
            "owner": "tester",
            "run_strategy": {"rule": "parallel", "workflow_concurrency": 10},
            "alerting": {
                "slack": {"channels": ["#late"]},
                "tct": {"completed_by_ts": 4_102_444_800_000},
            },
        },
        "workflow": {
            "id": "timely",
            "params": {"nap": {"type": "LONG", "value": 1}},
            "steps": [
                {
                    "step": {
                        "id": "load",
                        "type": "Sleep",
                        "params": nap,
                        "transition": {"successors": {"publish": "true"}},
                    }
                },
                {
                    "step": {
                        "id": "publish",
                        "type": "Sleep",
                        "params": {"sleep_seconds": {"type": "LONG", "value": 1}},
                    }
                },
            ],
        },
    }
    env = {
        "MAESTOSO_SLACK_TOKEN": "xoxb-test",
        "MAESTOSO_SLACK_API_URL": slack.url,
        "MAESTOSO_ALERT_WATCH_SECONDS": "0.2",
    }
    server = ServerProcess(tmp_path / "home", database_url, env=env).start()
    start = "/api/v3/workflows/timely/versions/latest/actions/start"
    try:
        with server.client() as client:
            assert client.post("/api/v3/workflows", json=definition).status_code == 200
            for _ in range(5):
                assert client.post(start, json={"initiator": {"type": "manual"}}).status_code == 200
            for instance in range(1, 6):
                _wait_status(client, "timely", instance, "SUCCEEDED")
            deadline_ms = int(time.time() * 1000) + 4_500
            tct = {
                "alerting": {
                    "slack": {"channels": ["#late"]},
                    "tct": {"completed_by_ts": deadline_ms},
                }
            }
            assert client.post("/api/v3/workflows/timely/properties", json=tct).status_code == 200
            slow = {
                "initiator": {"type": "manual"},
                "run_params": {"nap": {"value": 6, "type": "LONG"}},
            }
            assert client.post(start, json=slow).status_code == 200

            wait_until(lambda: slack.received, 8, "a warning")
            warned = time.time() * 1000
            assert warned < deadline_ms
            text = slack.received[0].json()["text"]
            assert "TCT_VIOLATION" in text and "Predicted to miss" in text and "load" in text
            eta = client.get("/api/v3/workflows/timely/instances/6/runs/1").json()["eta"]
            assert eta["end_time"] > eta["deadline_time"] == deadline_ms
            assert 0 < eta["confidence"] <= 1
            assert 3 <= eta["history_runs"] <= 5  # a model learned while the last ones ran
            assert eta["behind_steps"][0]["step_id"] == "load"
    finally:
        server.stop()
