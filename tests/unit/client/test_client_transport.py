"""The client's requests and error handling, over httpx's mock transport (no server)."""

from __future__ import annotations

import inspect
import json

import httpx
import pytest

import maestoso.client
from maestoso.client import AsyncClient, Client, ClientError


def test_the_public_surface() -> None:
    assert maestoso.client.__all__ == sorted(maestoso.client.__all__)


def test_async_client_has_every_method_of_the_client() -> None:
    def public(cls: type) -> set[str]:
        return {name for name, _ in inspect.getmembers(cls) if not name.startswith("_")}

    assert public(Client) - {"close"} <= public(AsyncClient)


def test_headers_name_the_caller_and_carry_the_token() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"elements": [], "cursor": None})

    client = Client(
        "http://maestoso", user="ann", token="s3cret", transport=httpx.MockTransport(handler)
    )
    client.list_workflows(owner="ann", first=5)

    request = seen[0]
    assert request.headers["user"] == "ann"
    assert request.headers["authorization"] == "Bearer s3cret"
    assert request.url.path == "/api/v3/workflows"
    assert dict(request.url.params) == {"owner": "ann", "first": "5"}


def test_start_types_params_from_the_definition() -> None:
    bodies: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            definition = {"id": "wf", "params": {"n": {"value": 1, "type": "LONG"}}}
            return httpx.Response(200, json={"workflow": definition, "metadata": {}})
        bodies.append(json.loads(request.content))
        return httpx.Response(
            200,
            json={
                "workflow_id": "wf",
                "workflow_version_id": 1,
                "workflow_instance_id": 7,
                "workflow_run_id": 1,
                "workflow_uuid": "u",
                "status": "CREATED",
            },
        )

    client = Client("http://maestoso", user="ann", transport=httpx.MockTransport(handler))
    started = client.start("wf", params={"n": 5, "label": "x"})

    assert started.workflow_instance_id == 7
    assert bodies[0]["run_params"] == {
        "n": {"value": 5, "type": "LONG"},
        "label": {"value": "x", "type": "STRING"},
    }
    assert bodies[0]["initiator"] == {"type": "MANUAL", "user": "ann"}


def test_an_answer_that_is_not_maestros_body_is_still_a_client_error() -> None:
    transport = httpx.MockTransport(lambda _: httpx.Response(502, text="bad gateway"))
    client = Client("http://maestoso", transport=transport)

    with pytest.raises(ClientError) as caught:
        client.instance("wf", 1)

    assert caught.value.status_code == 502
    assert caught.value.status == "HTTP_502"
    assert caught.value.message == "bad gateway"


def test_an_unreachable_server_is_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = Client("http://maestoso", transport=httpx.MockTransport(refuse))

    with pytest.raises(ClientError) as caught:
        client.list_workflows()

    assert caught.value.status == "UNAVAILABLE" and caught.value.retryable
    assert caught.value.status_code is None


def test_push_takes_yaml_text() -> None:
    sent: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(
            200, json={"workflow_definition": {"workflow": {"id": "y"}, "metadata": {}}}
        )

    client = Client("http://maestoso", transport=httpx.MockTransport(handler))
    client.push(
        "Workflow:\n  id: y\n  owner: ann\n  jobs:\n    - job: {id: s, type: Shell, command: ls}\n"
    )

    step = sent[0]["workflow"]["steps"][0]  # type: ignore[index]
    assert step == {
        "step": {
            "id": "s",
            "type": "Shell",
            "transition": {},
            "params": {"command": {"value": "ls", "type": "STRING"}},
        }
    }
