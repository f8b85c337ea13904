"""``GET /metrics`` of a real server, scraped while runs execute and after they end: the
named metrics move, without a token, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
from tests.acceptance.server import ServerProcess

from maestoso.bench import cluster
from maestoso.bench.cluster import Samples
from maestoso.config import Settings

NODE = "test-node"
START = "/api/v3/workflows/{workflow_id}/versions/{version}/actions/start"


def _definition() -> dict[str, Any]:
    nap = {
        "id": "nap",
        "type": "Sleep",
        "params": {"sleep_seconds": {"type": "LONG", "value": 2}},
        "transition": {"successors": {"done": "true"}},
    }
    # The default run strategy is sequential: a second run waits in the queue for the first.
    return {
        "properties": {"owner": "tester"},
        "workflow": {
            "id": "scraped",
            "steps": [{"step": nap}, {"step": {"id": "done", "type": "NoOp"}}],
        },
    }


def scrape(base: str) -> Samples:
    response = httpx.get(f"{base}/metrics", timeout=10)  # no user, no token
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return cluster.scrape(cluster.Node("test-node", base))


def value(samples: Samples, name: str, **labels: str) -> float:
    """The one series of ``name`` with exactly ``labels`` (0 if there is none)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def _wait_ended(http: httpx.Client, instance_id: int, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = http.get(f"/api/v3/workflows/scraped/instances/{instance_id}").json()["status"]
        if status in ("SUCCEEDED", "FAILED", "STOPPED"):
            return str(status)
        time.sleep(0.2)
    raise AssertionError(f"run {instance_id} did not end")


def test_metrics_move_while_runs_execute(tmp_path: Path, database_url: str) -> None:
    env = {"MAESTOSO_GROUP_HEARTBEAT": "0.5", "MAESTOSO_GROUP_LEASE": "5"}
    server = ServerProcess(tmp_path / "home", database_url, env=env).start()
    try:
        with server.client() as http:
            before = scrape(server.base)
            http.post("/api/v3/workflows", json=_definition()).raise_for_status()
            starts = [
                http.post(
                    "/api/v3/workflows/scraped/versions/latest/actions/start",
                    json={"initiator": {"type": "manual"}},
                )
                for _ in range(2)
            ]
            assert [s.status_code for s in starts] == [200, 200]
            time.sleep(0.5)
            during = scrape(server.base)
            assert http.get("/api/v3/no/such/path").status_code == 404
            # A scraper names the node by its address, which no allowed-hosts list holds.
            by_address = httpx.get(f"{server.base}/metrics", headers={"Host": "10.1.2.3:8080"})
            assert by_address.status_code == 200
            assert [_wait_ended(http, n) for n in (1, 2)] == ["SUCCEEDED", "SUCCEEDED"]
        after = scrape(server.base)
    finally:
        server.stop()

    # While the first run sleeps: its step and run are active, the groups are held.
    assert value(during, "maestoso_steps_active", type="Sleep") == 1
    assert value(during, "maestoso_flows_running", node=NODE) == 1
    groups = Settings().flow_groups  # a single node holds them all
    assert value(during, "maestoso_flow_groups_owned", node=NODE) == groups
    assert ("maestoso_queue_ready_events", frozenset()) in during
    assert ("maestoso_queue_oldest_event_age_seconds", frozenset()) in during
    assert value(during, "maestoso_db_connections_in_use") >= 0

    # After both runs: steps, runs, the queued start, leases, the database and the API moved.
    assert value(after, "maestoso_steps_active", type="Sleep") == 0
    for kind in ("Sleep", "NoOp"):
        assert value(after, "maestoso_step_attempts_total", type=kind, status="SUCCEEDED") == 2
        assert value(after, "maestoso_step_attempt_seconds_count", type=kind) == 2
    assert value(after, "maestoso_step_attempt_seconds_sum", type="Sleep") >= 4
    assert value(after, "maestoso_flows_finished_total", status="SUCCEEDED") == 2
    assert value(after, "maestoso_start_latency_seconds_count") == 2
    # The second run waited for the first one: its start latency holds that wait.
    assert value(after, "maestoso_start_latency_seconds_sum") >= 2
    handled = "maestoso_queue_event_handling_seconds_count"
    assert value(after, handled, kind="START_WORKFLOW") >= 1
    assert value(after, "maestoso_flow_group_claims_total", node=NODE) == groups
    assert value(after, "maestoso_flow_group_renewals_total", node=NODE) > value(
        before, "maestoso_flow_group_renewals_total", node=NODE
    )
    assert value(after, "maestoso_db_commits_total") > value(during, "maestoso_db_commits_total")
    for verb in ("select", "insert", "update"):
        assert value(after, "maestoso_db_query_seconds_count", operation=verb) > 0
    started = value(after, "maestoso_http_requests_total", method="POST", route=START, status="200")
    assert started == 2
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    assert value(after, "maestoso_http_requests_total", **unmatched) == 1
    assert value(after, "maestoso_http_request_seconds_count", method="POST", route=START) == 2
    # Labels are templates, never raw paths: no instance id or unknown path becomes a series.
    routes = {dict(labels).get("route") for _, labels in after}
    assert not any(r and ("/instances/1" in r or "/no/such" in r) for r in routes)
