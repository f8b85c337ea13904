"""Reading instances, runs and steps through the API, over a real store on both dialects.

The workflow is created through the API; instances and step attempts are written directly
through the store port, the way the engine writes them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx
import pytest

from maestoso.store import SqlStore
from maestoso.store.records import InstanceRow, StepAttemptRow

BASE = "/api/v3/workflows"
STEPS = ["a", "b", "c"]
DAG = {
    "a": {"predecessors": [], "successors": {"b": "true"}},
    "b": {"predecessors": ["a"], "successors": {}},
    "c": {"predecessors": [], "successors": {}},
}
STEP_DEFINITIONS = [
    {"step": {"id": "a", "type": "NoOp", "transition": {"successors": {"b": "true"}}}},
    {"step": {"id": "b", "type": "NoOp"}},
    {"step": {"id": "c", "type": "NoOp"}},
]
WORKFLOW = {"id": "demo", "steps": STEP_DEFINITIONS}


@pytest.fixture
async def demo(client: httpx.AsyncClient) -> None:
    body = {"properties": {"owner": "tester"}, "workflow": WORKFLOW}
    response = await client.post(BASE, json=body)
    assert response.status_code == 200, response.text


def run_row(run_id: int = 1, **changes: Any) -> InstanceRow:
    row = InstanceRow(
        workflow_id="demo",
        instance_id=0,
        run_id=run_id,
        uuid=f"uuid-{run_id}",
        version_id=1,
        status="CREATED",
        group_id=1,
        initiator={"type": "MANUAL", "user": "tester", "depth": 0},
        depth=0,
        document={
            "internal_id": 10001,
            "run_config": {"policy": "START_FRESH_NEW_RUN"},
            "run_properties": {"owner": "tester"},
            "runtime_workflow": WORKFLOW,
            "runtime_dag": DAG,
            "params": {},
        },
        runtime_overview=None,
        artifacts=None,
        timeline=[],
        execution_id=None,
        request_time=1000,
        create_time=1000,
        start_time=None,
        end_time=None,
        modify_time=1000,
    )
    return replace(row, **changes)


def finished(run_id: int, status: str, **steps: tuple[str, int, int]) -> dict[str, Any]:
    """Changes of a finished run whose overview places ``steps`` (status, start, end)."""
    step_overview: dict[str, Any] = {}
    for step_id, (step_status, start, end) in steps.items():
        entry = step_overview.setdefault(step_status, {"cnt": 0, "steps": []})
        entry["cnt"] += 1
        entry["steps"].append([STEPS.index(step_id) + 1, start, end])
    return {
        "status": status,
        "execution_id": f"exec-{run_id}",
        "start_time": 1000 * run_id + 100,
        "end_time": 1000 * run_id + 900,
        "runtime_overview": {"total_step_count": len(steps), "step_overview": step_overview},
    }


def attempt(
    instance_id: int, run_id: int, step_id: str, attempt_id: int, status: str
) -> StepAttemptRow:
    start = 1000 * run_id + 10 * attempt_id
    return StepAttemptRow(
        workflow_id="demo",
        instance_id=instance_id,
        run_id=run_id,
        step_id=step_id,
        attempt_id=attempt_id,
        step_uuid=f"{step_id}-{run_id}-{attempt_id}",
        status=status,
        runtime_state={
            "status": status,
            "create_time": start,
            "start_time": start + 1,
            "end_time": start + 2,
            "modify_time": start + 2,
        },
        document={
            "workflow_uuid": f"uuid-{run_id}",
            "step_instance_id": STEPS.index(step_id) + 1,
            "workflow_version_id": 1,
            "owner": "tester",
            "definition": STEP_DEFINITIONS[STEPS.index(step_id)],
            "params": {},
        },
        artifacts=None,
        timeline=[],
        create_time=start,
        modify_time=start + 2,
    )


async def new_instance(store: SqlStore, **changes: Any) -> InstanceRow:
    row, created = await store.create_instance(run_row(**changes), [])
    assert created
    return row


async def restarted(store: SqlStore) -> InstanceRow:
    """Instance 1: run 1 failed at b (a retried once); run 2 reran b (twice) and c."""
    first = await new_instance(
        store,
        **finished(1, "FAILED_2", a=("SUCCEEDED", 1021, 1022), b=("FATALLY_FAILED", 1011, 1012)),
    )
    number = first.instance_id
    await store.save_steps(
        [
            attempt(number, 1, "a", 1, "USER_FAILED"),
            attempt(number, 1, "a", 2, "SUCCEEDED"),
            attempt(number, 1, "b", 1, "FATALLY_FAILED"),
        ]
    )
    second_dag = {"b": DAG["b"], "c": DAG["c"]}
    document = {**first.document, "runtime_dag": second_dag}
    overview = {
        "total_step_count": 2,
        "step_overview": {"SUCCEEDED": {"cnt": 2, "steps": [[1, 2021, 2022], [2, 2011, 2012]]}},
    }
    second = replace(
        first,
        run_id=2,
        uuid="uuid-2",
        document=document,
        status="SUCCEEDED",
        start_time=2100,
        end_time=2900,
        runtime_overview=overview,
        timeline=[{"timestamp": 2050, "type": "LOG", "level": "INFO", "message": "restarted"}],
    )
    await store.create_run(second, [])
    await store.save_steps(
        [
            attempt(number, 2, "b", 1, "USER_FAILED"),
            attempt(number, 2, "b", 2, "SUCCEEDED"),
            attempt(number, 2, "c", 1, "SUCCEEDED"),
        ]
    )
    return second


def assert_error(response: httpx.Response, status: int, message: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"status", "message", "errors", "retryable"}
    assert body["status"] == {400: "BAD_REQUEST", 404: "NOT_FOUND"}[status]
    assert message in body["message"], body
    assert body["retryable"] is False
    return body


# -- action maps ---------------------------------------------------------------------------------


async def test_instance_action_map(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{BASE}/instances/action-map")
    assert response.status_code == 200
    assert response.json() == {
        "CREATED": ["STOP", "KILL"],
        "IN_PROGRESS": ["STOP", "KILL"],
        "PAUSED": ["STOP", "KILL"],
        "TIMED_OUT": ["RESTART"],
        "STOPPED": ["RESTART"],
        "FAILED": ["RESTART", "UNBLOCK"],
        "SUCCEEDED": ["RESTART"],
    }


async def test_step_action_map(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{BASE}/steps/instances/action-map")
    assert response.status_code == 200
    running = ["STOP", "KILL", "SKIP"]
    done = ["RESTART", "SKIP"]
    expected = {
        "CREATED": ["PAUSE", "STOP", "KILL"],
        "INITIALIZED": ["PAUSE", "STOP", "KILL", "SKIP"],
        "PAUSED": ["RESUME", "STOP", "KILL", "SKIP"],
        "WAITING_FOR_SIGNALS": ["STOP", "KILL", "SKIP", "BYPASS_STEP_DEPENDENCIES"],
        "EVALUATING_PARAMS": running,
        "WAITING_FOR_PERMITS": running,
        "STARTING": running,
        "RUNNING": running,
        "FINISHING": running,
        "DISABLED": ["RESTART"],
        "UNSATISFIED": ["RESTART"],
        "SKIPPED": done,
        "SUCCEEDED": done,
        "COMPLETED_WITH_ERROR": done,
        "USER_FAILED": running,
        "PLATFORM_FAILED": running,
        "TIMEOUT_FAILED": running,
        "FATALLY_FAILED": done,
        "INTERNALLY_FAILED": done,
        "STOPPED": done,
        "TIMED_OUT": done,
    }
    body = response.json()
    assert body == expected
    assert list(body) == list(expected)  # the statuses in declaration order


# -- instances and runs --------------------------------------------------------------------------


@pytest.mark.usefixtures("demo")
async def test_run_by_number_and_latest(client: httpx.AsyncClient, store: SqlStore) -> None:
    await restarted(store)
    first = (await client.get(f"{BASE}/demo/instances/1/runs/1")).json()
    assert first["workflow_run_id"] == 1
    assert first["status"] == "FAILED"  # stored as FAILED_2
    assert first["correlation_id"] == "demo:1:1"
    assert "aggregated_info" not in first
    assert [event["status"] for event in first["timeline"]] == ["CREATED", "IN_PROGRESS", "FAILED"]
    latest = (await client.get(f"{BASE}/demo/instances/1/runs/LATEST")).json()
    assert latest["workflow_run_id"] == 2
    assert latest["workflow_uuid"] == "uuid-2"
    assert list(latest)[:6] == [
        "workflow_id",
        "workflow_instance_id",
        "workflow_run_id",
        "workflow_uuid",
        "correlation_id",
        "workflow_version_id",
    ]
    plain = (await client.get(f"{BASE}/demo/instances/1/runs/2?enriched=false")).json()
    assert plain["timeline"] == [
        {"timestamp": 2050, "type": "LOG", "level": "INFO", "message": "restarted"}
    ]


@pytest.mark.usefixtures("demo")
async def test_aggregated_run_overlays_earlier_runs_only(
    client: httpx.AsyncClient, store: SqlStore
) -> None:
    await restarted(store)
    run1 = (await client.get(f"{BASE}/demo/instances/1/runs/1?aggregated=true")).json()
    assert run1["aggregated_info"] == {
        "workflow_instance_status": "FAILED",
        "step_aggregated_views": {
            "a": {
                "workflow_run_id": 1,
                "status": "SUCCEEDED",
                "start_time": 1021,
                "end_time": 1022,
            },
            "b": {
                "workflow_run_id": 1,
                "status": "FATALLY_FAILED",
                "start_time": 1011,
                "end_time": 1012,
            },
            "c": {"status": "NOT_CREATED"},
        },
    }
    assert list(run1)[-1] == "aggregated_info"


@pytest.mark.usefixtures("demo")
async def test_instance_view_is_the_latest_run_over_all_runs(
    client: httpx.AsyncClient, store: SqlStore
) -> None:
    await restarted(store)
    view = (await client.get(f"{BASE}/demo/instances/1")).json()
    assert view["workflow_run_id"] == 2
    assert view["status"] == "SUCCEEDED"
    views = view["aggregated_info"]["step_aggregated_views"]
    assert view["aggregated_info"]["workflow_instance_status"] == "SUCCEEDED"
    assert views["a"]["workflow_run_id"] == 1
    assert views["b"] == {
        "workflow_run_id": 2,
        "status": "SUCCEEDED",
        "start_time": 2021,
        "end_time": 2022,
    }
    assert views["c"]["workflow_run_id"] == 2
    assert any(event.get("status") == "IN_PROGRESS" for event in view["timeline"])
    plain = (await client.get(f"{BASE}/demo/instances/1?enriched=false")).json()
    assert all(event["type"] == "LOG" for event in plain["timeline"])


@pytest.mark.usefixtures("demo")
async def test_runs_pagination(client: httpx.AsyncClient, store: SqlStore) -> None:
    second = await restarted(store)
    await store.create_run(replace(second, run_id=3, uuid="uuid-3", status="CREATED"), [])
    runs = f"{BASE}/demo/instances/1/runs"
    page = (await client.get(runs, params={"first": 2})).json()
    assert [run["workflow_run_id"] for run in page["elements"]] == [3, 2]
    assert page["page_info"] == {
        "start_cursor": "3",
        "end_cursor": "2",
        "has_previous_page": False,
        "has_next_page": True,
        "start_index": 1,
    }
    assert page["total_count"] == 3
    assert all("aggregated_info" not in run for run in page["elements"])
    following = (await client.get(runs, params={"first": 2, "cursor": "2"})).json()
    assert [run["workflow_run_id"] for run in following["elements"]] == [1]
    assert following["page_info"]["has_next_page"] is False
    assert following["elements"][0]["status"] == "FAILED"
    oldest = (await client.get(runs, params={"last": 1})).json()
    assert [run["workflow_run_id"] for run in oldest["elements"]] == [1]


@pytest.mark.usefixtures("demo")
async def test_instances_pagination(client: httpx.AsyncClient, store: SqlStore) -> None:
    await restarted(store)
    await new_instance(store, uuid="second")
    # Queued, without the start event: the engine running beside the API leaves it alone.
    await new_instance(store, uuid="third", request_time=1500)
    instances = f"{BASE}/demo/instances"
    page = (await client.get(instances, params={"first": 2})).json()
    assert [i["workflow_instance_id"] for i in page["elements"]] == [3, 2]
    assert page["total_count"] == 3
    assert page["page_info"]["start_cursor"] == "3"
    assert page["page_info"]["end_cursor"] == "2"
    assert page["page_info"]["has_next_page"] is True
    assert page["elements"][0]["aggregated_info"] == {
        "workflow_instance_status": "CREATED",
        "step_aggregated_views": {step: {"status": "NOT_CREATED"} for step in STEPS},
    }
    rest = (await client.get(instances, params={"first": 2, "cursor": "2"})).json()
    assert [i["workflow_instance_id"] for i in rest["elements"]] == [1]
    latest_run = rest["elements"][0]
    assert latest_run["workflow_run_id"] == 2
    assert latest_run["aggregated_info"]["step_aggregated_views"]["a"]["workflow_run_id"] == 1
    beyond = (await client.get(instances, params={"first": 2, "cursor": str(2**70)})).json()
    assert beyond["elements"] == []
    plain = (await client.get(instances, params={"last": 3, "aggregated": "false"})).json()
    assert sorted(i["workflow_instance_id"] for i in plain["elements"]) == [1, 2, 3]
    assert all("aggregated_info" not in i for i in plain["elements"])


@pytest.mark.usefixtures("demo")
async def test_no_instances_yet(client: httpx.AsyncClient) -> None:
    page = (await client.get(f"{BASE}/demo/instances", params={"first": 10})).json()
    assert page["elements"] == [] and page["total_count"] == 0
    assert page["page_info"]["has_next_page"] is False


# -- steps ---------------------------------------------------------------------------------------


@pytest.mark.usefixtures("demo")
async def test_step_view_across_runs(client: httpx.AsyncClient, store: SqlStore) -> None:
    await restarted(store)
    a = (await client.get(f"{BASE}/demo/instances/1/steps/a")).json()
    assert (a["workflow_run_id"], a["step_attempt_id"]) == (1, 2)
    assert a["runtime_state"]["status"] == "SUCCEEDED"
    assert [event["status"] for event in a["timeline"]] == ["CREATED", "STARTING", "SUCCEEDED"]
    b = (await client.get(f"{BASE}/demo/instances/1/steps/b?enriched=false")).json()
    assert (b["workflow_run_id"], b["step_attempt_id"]) == (2, 2)
    assert "timeline" not in b
    assert list(b)[:5] == [
        "workflow_id",
        "workflow_instance_id",
        "workflow_run_id",
        "step_id",
        "step_attempt_id",
    ]


@pytest.mark.usefixtures("demo")
async def test_step_attempts(client: httpx.AsyncClient, store: SqlStore) -> None:
    await restarted(store)
    attempts = f"{BASE}/demo/instances/1/runs/1/steps/a/attempts"
    first = (await client.get(f"{attempts}/1")).json()
    assert first["step_attempt_id"] == 1
    assert first["runtime_state"]["status"] == "USER_FAILED"
    latest = (await client.get(f"{attempts}/latest")).json()
    assert latest["step_attempt_id"] == 2
    in_latest_run = f"{BASE}/demo/instances/1/runs/latest/steps/b/attempts/latest"
    assert (await client.get(in_latest_run)).json()["workflow_run_id"] == 2


@pytest.mark.usefixtures("demo")
async def test_all_steps_of_an_instance_and_of_a_run(
    client: httpx.AsyncClient, store: SqlStore
) -> None:
    await restarted(store)
    steps = (await client.get(f"{BASE}/demo/instances/1/steps")).json()
    assert [(s["step_id"], s["workflow_run_id"], s["step_attempt_id"]) for s in steps] == [
        ("a", 1, 2),
        ("b", 2, 2),
        ("c", 2, 1),
    ]
    run1 = (await client.get(f"{BASE}/demo/instances/1/runs/1/steps")).json()
    assert [(s["step_id"], s["step_attempt_id"]) for s in run1] == [("a", 2), ("b", 1)]
    assert [s["step_instance_id"] for s in run1] == [1, 2]
    run2 = (await client.get(f"{BASE}/demo/instances/1/runs/2/steps")).json()
    assert [(s["step_id"], s["step_attempt_id"]) for s in run2] == [("b", 2), ("c", 1)]


@pytest.mark.usefixtures("demo")
async def test_an_instance_without_steps(client: httpx.AsyncClient, store: SqlStore) -> None:
    await new_instance(store)
    assert (await client.get(f"{BASE}/demo/instances/1/steps")).json() == []
    assert (await client.get(f"{BASE}/demo/instances/1/runs/1/steps")).json() == []


# -- errors --------------------------------------------------------------------------------------


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/demo/instances/9", "Cannot find workflow instance [demo][9]"),
        ("/demo/instances/1/runs/5", "Cannot find workflow instance [demo][1][run 5]"),
        ("/demo/instances/9/runs/latest", "Cannot find workflow instance [demo][9]"),
        ("/demo/instances/9/runs?first=5", "Cannot find workflow instance [demo][9]"),
        ("/demo/instances/1/steps/zzz", "Cannot find step [zzz] of workflow instance [demo][1]"),
        ("/demo/instances/9/steps/a", "Cannot find workflow instance [demo][9]"),
        ("/demo/instances/9/steps", "Cannot find workflow instance [demo][9]"),
        ("/demo/instances/1/runs/3/steps", "Cannot find workflow instance [demo][1][run 3]"),
        (
            "/demo/instances/1/runs/1/steps/a/attempts/7",
            "Cannot find step [a][attempt 7] of workflow instance [demo][1][run 1]",
        ),
        (
            "/demo/instances/1/runs/2/steps/a/attempts/latest",
            "Cannot find step [a] of workflow instance [demo][1][run 2]",
        ),
        ("/nope/instances?first=1", "Cannot find workflow [nope]"),
    ],
)
async def test_not_found(
    client: httpx.AsyncClient, store: SqlStore, path: str, message: str
) -> None:
    await restarted(store)
    body = assert_error(await client.get(BASE + path), 404, message)
    assert body["message"] == message


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/demo/instances/1/runs/abc", "invalid workflow run [abc]"),
        ("/demo/instances/1/runs/0", "invalid workflow run [0]"),
        ("/demo/instances/1/runs/-1/steps", "invalid workflow run [-1]"),
        ("/demo/instances/1/runs/1/steps/a/attempts/first", "invalid step attempt [first]"),
        ("/demo/instances/1/runs?first=1&last=1", "Either first or last"),
        ("/demo/instances/1/runs", "Either first or last"),
        ("/demo/instances?first=0", "page size must be between 1 and 200"),
        ("/demo/instances?first=1&cursor=x", "invalid cursor [x]"),
        ("/demo/instances/one", "instance_id"),
        (f"/demo/instances/{2**63}", "instance_id"),
        (f"/demo/instances/1/runs/{2**63}", f"invalid workflow run [{2**63}]"),
        ("/demo/instances/1?enriched=maybe", "enriched"),
    ],
)
async def test_bad_requests(
    client: httpx.AsyncClient, store: SqlStore, path: str, message: str
) -> None:
    await restarted(store)
    assert_error(await client.get(BASE + path), 400, message)
