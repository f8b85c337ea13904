"""The Python client and SDK, and the self-describing API, against a real server process."""

from __future__ import annotations

import re

import httpx
import pytest
from tests.acceptance.client_support import BODY_LIMIT, server
from tests.acceptance.server import ServerProcess

from maestoso.client import AsyncClient, Client, ClientError
from maestoso.sdk import Expr, Workflow

__all__ = ["server"]


def test_the_sdk_snippet_runs_to_succeeded(server: ServerProcess) -> None:
    wf = Workflow("etl", owner="alice")
    a = wf.shell("extract", "echo hi")
    wf.shell("load", "echo loaded", after=a)

    with Client(server.base, user="alice") as client:
        pushed = client.push(wf)
        started = client.start("etl")
        instance = client.wait("etl", started.workflow_instance_id, timeout=30)
        steps = client.steps("etl", started.workflow_instance_id)
        output = client.logs("etl", started.workflow_instance_id, "load")

    assert pushed.workflow_id == "etl"
    assert instance.status.value == "SUCCEEDED"
    assert [(s.step_id, s.status.value) for s in steps] == [
        ("extract", "SUCCEEDED"),
        ("load", "SUCCEEDED"),
    ]
    assert output == "loaded\n"


def test_typed_params_and_conditions_take_their_branch(server: ServerProcess) -> None:
    wf = Workflow("branches", owner="alice").param("n", 5)
    wf.param("doubled", Expr("n * 2"), type="long")
    check = wf.noop("check")
    wf.shell("big", "echo big", after=check, when="doubled > 5")
    wf.shell("small", "echo small", after=check, when="doubled <= 5")

    with Client(server.base, user="alice") as client:
        client.push(wf)
        started = client.start("branches", params={"n": 1})
        client.wait("branches", started.workflow_instance_id, timeout=30)
        steps = {s.step_id: s.status.value for s in client.steps("branches", 1)}

    assert steps["small"] == "SUCCEEDED"
    assert steps.get("big", "NOT_CREATED") != "SUCCEEDED"


def test_errors_carry_maestros_body(server: ServerProcess) -> None:
    with Client(server.base, user="alice") as client, pytest.raises(ClientError) as caught:
        client.instance("no-such-workflow", 1)

    assert caught.value.status_code == 404
    assert caught.value.status == "NOT_FOUND"
    assert "no-such-workflow" in caught.value.message
    assert caught.value.retryable is False


def test_wait_times_out_with_the_same_error_type(server: ServerProcess) -> None:
    wf = Workflow("slow", owner="alice")
    wf.sleep("nap", 30)
    with Client(server.base, user="alice") as client:
        client.push(wf)
        started = client.start("slow")
        with pytest.raises(ClientError) as caught:
            client.wait("slow", started.workflow_instance_id, timeout=0.3, interval=0.1)
        client.stop("slow", started.workflow_instance_id)
        stopped = client.wait("slow", started.workflow_instance_id, timeout=30)

    assert caught.value.status == "TIMEOUT"
    assert stopped.status.value == "STOPPED"


async def test_the_async_client(server: ServerProcess) -> None:
    wf = Workflow("async-etl", owner="alice")
    wf.shell("only", "echo async")

    async with AsyncClient(server.base, user="alice") as client:
        await client.push(wf)
        started = await client.start("async-etl")
        instance = await client.wait("async-etl", started.workflow_instance_id, timeout=30)
        chunks = [
            chunk
            async for chunk in client.follow_logs("async-etl", started.workflow_instance_id, "only")
        ]
        page = await client.list_instances("async-etl")

    assert instance.succeeded
    assert "".join(chunks) == "async\n"
    assert [run.workflow_instance_id for run in page.elements] == [1]


def test_docs_load_nothing_from_outside(server: ServerProcess) -> None:
    page = httpx.get(f"{server.base}/docs")

    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href)=["']([^"']+)""", page.text)
    assert urls and all(url.startswith("/") for url in urls)
    assert "http" not in "".join(re.findall(r"url: *'([^']*)'", page.text))
    assert '"validatorUrl": null' in page.text  # no badge from the validator service
    for url in urls:
        assert httpx.get(f"{server.base}{url}").status_code == 200


def test_openapi_documents_bodies_and_real_errors(server: ServerProcess) -> None:
    document = httpx.get(f"{server.base}/openapi.json").json()
    paths = document["paths"]

    start = paths["/api/v3/workflows/{workflow_id}/versions/{version}/actions/start"]["post"]
    body = start["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/WorkflowStartRequest"}
    assert body["example"]["initiator"] == {"type": "MANUAL"}
    assert "initiator" in document["components"]["schemas"]["WorkflowStartRequest"]["required"]
    assert "422" not in start["responses"]
    assert start["responses"]["400"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "ErrorBody"
    )
    assert "/api/v3/workflows" in paths and "get" in paths["/api/v3/workflows"]
    assert "get" in paths["/api/v3/instances"]
    assert "extension" in paths["/api/v3/instances"]["get"]["summary"]


def test_a_body_over_the_limit_answers_413(server: ServerProcess) -> None:
    body = {"workflow": {"id": "big", "description": "x" * BODY_LIMIT, "steps": []}}

    answer = httpx.post(f"{server.base}/api/v3/workflows", json=body, headers={"user": "alice"})

    assert answer.status_code == 413
    assert answer.json()["status"] == "PAYLOAD_TOO_LARGE"
    assert str(BODY_LIMIT) in answer.json()["message"]


def test_listings_filter_and_page(server: ServerProcess) -> None:
    with Client(server.base, user="alice") as client:
        for name in ("list-a", "list-b", "list-c"):
            wf = Workflow(name, owner="lister").tags("listed" if name != "list-b" else "other")
            wf.noop("only")
            client.push(wf)
        first = client.list_workflows(q="list-", first=2)
        rest = client.list_workflows(q="list-", first=2, cursor=first.cursor)
        tagged = client.list_workflows(owner="lister", tag="listed")
        with pytest.raises(ClientError) as caught:
            client.list_workflows(first=0)

    assert [wf.workflow_id for wf in first.elements] == ["list-a", "list-b"]
    assert [wf.workflow_id for wf in rest.elements] == ["list-c"] and rest.cursor is None
    assert [wf.workflow_id for wf in tagged.elements] == ["list-a", "list-c"]
    assert caught.value.status_code == 400 and "[0]" in str(caught.value)
