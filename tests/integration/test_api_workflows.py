"""The workflow API over a real database: behaviour a client relies on, and bad input."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from maestoso.clock import FakeClock


def wf(workflow_id: str = "demo", **workflow: Any) -> dict[str, Any]:
    steps = [
        {"step": {"id": "a", "type": "NoOp", "transition": {"successors": {"b": "true"}}}},
        {"step": {"id": "b", "type": "Sleep"}},
    ]
    return {
        "properties": {"owner": "tester"},
        "workflow": {"id": workflow_id, "steps": steps, **workflow},
    }


async def create(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/api/v3/workflows", json=body)
    assert response.status_code == 200, response.text
    return response.json()["workflow_definition"]  # type: ignore[no-any-return]


def assert_error(response: httpx.Response, status: int, fragment: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"status", "message", "errors", "retryable"}
    text = body["message"] + " " + " ".join(body["errors"])
    assert fragment in text, body
    return body  # type: ignore[no-any-return]


async def test_each_create_is_a_new_version(client: httpx.AsyncClient, clock: FakeClock) -> None:
    first = await create(client, wf())
    clock.shift(1)
    second = await create(client, wf(description="changed"))
    assert first["metadata"]["workflow_version_id"] == 1
    assert second["metadata"]["workflow_version_id"] == 2
    assert second["internal_id"] == first["internal_id"] >= 10000
    latest = (await client.get("/api/v3/workflows/demo/versions/latest")).json()
    assert latest["workflow"]["description"] == "changed"
    old = (await client.get("/api/v3/workflows/demo/versions/1")).json()
    assert old["is_latest"] is False and old["is_active"] is False
    assert "description" not in old["workflow"]


async def test_inactive_version_leaves_the_active_one(client: httpx.AsyncClient) -> None:
    await create(client, wf())
    body = wf(description="draft")
    body["is_active"] = False
    draft = await create(client, body)
    assert draft["is_active"] is False and draft["is_default"] is False
    active = (await client.get("/api/v3/workflows/demo/versions/active")).json()
    assert active["metadata"]["workflow_version_id"] == 1
    default = (await client.get("/api/v3/workflows/demo/versions/DEFAULT")).json()
    assert default["metadata"]["workflow_version_id"] == 1
    overview = (await client.get("/api/v3/workflows/demo/overview")).json()
    assert overview["active_version_id"] == 1
    assert overview["latest_version_id"] == 2
    assert overview["default_version_id"] == 1
    assert overview["nonterminal_instances"] == {"CREATED": 0, "IN_PROGRESS": 0, "PAUSED": 0}


async def test_activate_and_deactivate(client: httpx.AsyncClient) -> None:
    await create(client, wf())
    await create(client, wf(description="v2"))
    activated = await client.put("/api/v3/workflows/demo/versions/1/actions/activate")
    assert activated.json()["workflow_version_id"] == 1
    assert activated.json()["timeline_event"]["action"] == "ACTIVATE"
    deactivated = await client.put("/api/v3/workflows/demo/actions/deactivate")
    assert deactivated.json()["workflow_version_id"] == 0
    missing = await client.get("/api/v3/workflows/demo/versions/active")
    assert_error(missing, 404, "active version")
    default = (await client.get("/api/v3/workflows/demo/versions/default")).json()
    assert default["metadata"]["workflow_version_id"] == 2
    assert_error(await client.put("/api/v3/workflows/demo/versions/7/actions/activate"), 404, "[7]")


async def test_versions_pagination(client: httpx.AsyncClient) -> None:
    for n in range(5):
        await create(client, wf(description=f"v{n + 1}"))
    page = (await client.get("/api/v3/workflows/demo/versions/pagination?first=2")).json()
    assert [e["metadata"]["workflow_version_id"] for e in page["elements"]] == [5, 4]
    assert page["total_count"] == 5
    assert page["page_info"] == {
        "start_cursor": "5",
        "end_cursor": "4",
        "has_previous_page": False,
        "has_next_page": True,
        "start_index": 1,
    }
    cursor = page["page_info"]["end_cursor"]
    nxt = (
        await client.get(f"/api/v3/workflows/demo/versions/pagination?first=2&cursor={cursor}")
    ).json()
    assert [e["metadata"]["workflow_version_id"] for e in nxt["elements"]] == [3, 2]
    oldest = (await client.get("/api/v3/workflows/demo/versions/pagination?last=2")).json()
    assert [e["metadata"]["workflow_version_id"] for e in oldest["elements"]] == [2, 1]
    assert oldest["page_info"]["has_next_page"] is False
    both = await client.get("/api/v3/workflows/demo/versions/pagination?first=1&last=1")
    assert_error(both, 400, "first or last")


async def test_properties_merge_and_history(client: httpx.AsyncClient, clock: FakeClock) -> None:
    body = wf()
    body["properties"]["run_strategy"] = {"rule": "parallel", "workflow_concurrency": 5}
    await create(client, body)
    clock.shift(1)
    changed = await client.post(
        "/api/v3/workflows/demo/properties", json={"step_concurrency": 7, "description": "d"}
    )
    snapshot = changed.json()
    assert snapshot["step_concurrency"] == 7
    assert snapshot["run_strategy"] == {"rule": "PARALLEL", "workflow_concurrency": 5}
    assert snapshot["owner"] == "tester"
    clock.shift(1)
    reset = await client.post(
        "/api/v3/workflows/demo/properties", json={"reset_run_strategy_rule": True}
    )
    assert "run_strategy" not in reset.json()
    latest = (await client.get("/api/v3/workflows/demo/properties-snapshot/latest")).json()
    assert latest == reset.json()
    # a later version carries the merged properties, not only its own delta
    clock.shift(1)
    second = await create(client, {"workflow": wf()["workflow"]})
    assert second["properties_snapshot"]["step_concurrency"] == 7
    clash = await client.post(
        "/api/v3/workflows/demo/properties",
        json={"step_concurrency": 3, "reset_step_concurrency": True},
    )
    assert_error(clash, 400, "step_concurrency")
    unknown = await client.post("/api/v3/workflows/nope/properties", json={"description": "x"})
    assert_error(unknown, 400, "please check if there exists this workflow")


async def test_tags_are_added_and_removed(client: httpx.AsyncClient) -> None:
    await create(client, wf())
    added = await client.post("/api/v3/workflows/demo/properties/tag", json={"name": "hot"})
    tags = added.json()["tags"]
    assert tags[0]["name"] == "hot" and tags[0]["namespace"] == "PLATFORM"
    assert tags[0]["creator"] == "tester"
    removed = await client.delete("/api/v3/workflows/demo/properties/tag/hot")
    assert "tags" not in removed.json()
    again = await client.delete("/api/v3/workflows/demo/properties/tag/hot")
    assert_error(again, 404, "hot")
    in_props = await client.post("/api/v3/workflows/demo/properties", json={"tags": ["x"]})
    assert_error(in_props, 400, "tags")


async def test_delete_removes_everything(client: httpx.AsyncClient) -> None:
    await create(client, wf())
    deleted = await client.delete("/api/v3/workflows/demo")
    assert deleted.json()["action"] == "DELETE"
    assert_error(await client.get("/api/v3/workflows/demo/versions/1"), 404, "demo")
    assert_error(await client.get("/api/v3/workflows/demo/timeline"), 404, "demo")
    recreated = await create(client, wf())
    assert recreated["metadata"]["workflow_version_id"] == 1


async def test_a_version_read_again_is_that_of_the_workflow_as_it_is_now(
    client: httpx.AsyncClient,
) -> None:
    await create(client, wf(description="first"))
    first = (await client.get("/api/v3/workflows/demo/versions/1")).json()
    assert first["workflow"]["description"] == "first"
    await client.delete("/api/v3/workflows/demo")
    await create(client, wf(description="second"))

    again = await client.get("/api/v3/workflows/demo/versions/latest")
    assert again.json()["workflow"]["description"] == "second"
    assert again.json()["internal_id"] != first["internal_id"]


async def test_timeline_lists_changes_newest_first(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    await create(client, wf())
    clock.shift(1)
    await client.put("/api/v3/workflows/demo/actions/deactivate")
    timeline = (await client.get("/api/v3/workflows/demo/timeline")).json()
    assert timeline["workflow_id"] == "demo"
    logs = [event["log"] for event in timeline["timeline_events"]]
    assert "deactivated" in logs[0] and "version [1]" in logs[1]


async def test_validate_does_not_store(client: httpx.AsyncClient) -> None:
    ok = await client.put("/api/v3/workflows/actions/validate", json=wf())
    assert ok.json()["message"] == "the workflow definition is valid."
    assert ok.json()["action"] == "VALIDATE"
    assert_error(await client.get("/api/v3/workflows/demo/versions/latest"), 404, "demo")
    bad = wf()
    bad["workflow"]["steps"][0]["step"]["transition"]["successors"] = {"zz": "true"}
    assert_error(
        await client.put("/api/v3/workflows/actions/validate", json=bad),
        400,
        "workflow.steps[0].step.transition.successors: unknown step [zz]",
    )


async def test_concurrent_creates_get_distinct_versions(client: httpx.AsyncClient) -> None:
    await create(client, wf())
    results = await asyncio.gather(
        *(client.post("/api/v3/workflows", json=wf(description=str(n))) for n in range(6))
    )
    versions = sorted(
        r.json()["workflow_definition"]["metadata"]["workflow_version_id"] for r in results
    )
    assert versions == [2, 3, 4, 5, 6, 7]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"{not json", "malformed JSON at line 1 column 2"),
        (b"", "empty"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"properties": {"owner": "t"}, "workflow": {"id": "x", "steps": []}}', "workflow.steps"),
        (
            b'{"workflow": {"id": "x", "steps": [{"step": {"id": "a", "type": "NoOp", '
            b'"timeout": -1}}]}}',
            "workflow.steps[0].step.timeout",
        ),
        (
            b'{"workflow": {"id": "x", "steps": [{"step": {"id": "a", "type": "Nope"}}]}}',
            "workflow.steps[0].step.type",
        ),
        (
            b'{"workflow": {"id": "x", "surprise": 1, "steps": [{"step": {"id": "a", '
            b'"type": "NoOp"}}]}}',
            "workflow.surprise: unknown field",
        ),
        (b'{"workflow": {"id": "x", "steps": [{"job": {"id": "a"}}]}}', "workflow.steps[0]"),
        (
            b'{"workflow": {"id": "x", "steps": [{"step": {"id": "a", "type": "NoOp", "params": '
            b'{"p": {"type": "LONG", "value": "abc"}}}}]}}',
            "workflow.steps[0].step.params.p",
        ),
        (
            b'{"workflow": {"id": "x", "steps": [{"step": {"id": "a", "type": "NoOp", "params": '
            b'{"p": {"type": "LONG", "value": 1, "expression": "1"}}}}]}}',
            "exactly one of value",
        ),
    ],
)
async def test_bad_bodies_get_400_and_store_nothing(
    client: httpx.AsyncClient, body: bytes, fragment: str
) -> None:
    response = await client.post(
        "/api/v3/workflows", content=body, headers={"content-type": "application/json"}
    )
    assert_error(response, 400, fragment)
    assert (await client.get("/api/v3/workflows/x/versions/latest")).status_code == 404


async def test_body_over_256_kb_is_refused(client: httpx.AsyncClient) -> None:
    body = wf(description="x" * 300_000)
    response = await client.post("/api/v3/workflows", json=body)
    error = assert_error(response, 413, "larger than the limit of 262144 bytes")
    assert error["status"] == "PAYLOAD_TOO_LARGE"
    assert (await client.get("/api/v3/workflows/demo/versions/latest")).status_code == 404


async def test_caller_is_required_and_recorded(client: httpx.AsyncClient) -> None:
    anonymous = await client.post("/api/v3/workflows", json=wf(), headers={"user": ""})
    assert_error(anonymous, 400, "user header")
    created = await client.post("/api/v3/workflows", json=wf(), headers={"user": "alice"})
    definition = created.json()["workflow_definition"]
    assert definition["metadata"]["version_author"] == "alice"
    assert definition["activated_by"] == "alice"
    assert definition["properties_snapshot"]["author"] == "alice"


@pytest.mark.parametrize(
    ("path", "status", "fragment"),
    [
        ("/api/v3/workflows/ghost/versions/latest", 404, "ghost"),
        ("/api/v3/workflows/ghost/overview", 404, "ghost"),
        ("/api/v3/workflows/demo/versions/zero", 400, "version"),
        ("/api/v3/workflows/demo/versions/0", 400, "version"),
        ("/api/v3/workflows/demo/versions/9", 404, "[9]"),
        ("/api/v3/no/such/path", 404, "Not Found"),
    ],
)
async def test_unknown_things_get_4xx(
    client: httpx.AsyncClient, path: str, status: int, fragment: str
) -> None:
    await create(client, wf())
    assert_error(await client.get(path), status, fragment)


async def test_yaml_create_and_errors(client: httpx.AsyncClient) -> None:
    yaml_text = """
Workflow:
  id: from-yaml
  owner: tester
  jobs:
    - job:
        id: first
        type: NoOp
        transition: [second]
    - job:
        id: second
        type: NoOp
"""
    headers = {"content-type": "application/yaml"}
    created = await client.post("/api/v3/workflows/yaml", content=yaml_text, headers=headers)
    assert created.status_code == 200, created.text
    steps = created.json()["workflow_definition"]["workflow"]["steps"]
    assert steps[0]["step"]["transition"] == {"successors": {"second": "true"}}
    broken = await client.post("/api/v3/workflows/yaml", content="Workflow: [", headers=headers)
    assert_error(broken, 400, "")
