"""Bad input is a 400 (or 415) with Maestro's error body and ``retryable: false``, the same
on SQLite and PostgreSQL: it never reaches a parser or a driver that would fail with 500."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from tests.integration.test_api_workflows import create, wf

BIG = "9" * 20
HUGE = "9" * 5000


def refused(response: httpx.Response, fragment: str, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"status", "message", "errors", "retryable"}
    assert body["retryable"] is False
    assert fragment in body["message"], body
    return body  # type: ignore[no-any-return]


def start_body(run_params: str) -> bytes:
    return ('{"initiator": {"type": "manual"}, "run_params": ' + run_params + "}").encode()


@pytest.mark.parametrize("number", [BIG, HUGE, "-" + BIG])
async def test_integer_path_ids_are_range_checked(client: httpx.AsyncClient, number: str) -> None:
    await create(client, wf())
    for path in (
        f"/api/v3/workflows/demo/instances/{number}",
        f"/api/v3/workflows/demo/instances/{number}/runs/1",
        f"/api/v3/workflows/demo/instances/{number}/actions/stop",
    ):
        method = "PUT" if path.endswith("stop") else "GET"
        refused(await client.request(method, path), "instance_id")


async def test_a_numeric_workflow_id_is_not_an_integer(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/api/v3/workflows/{BIG}/versions/latest")
    assert response.status_code == 404, response.text


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ('{"n": {"type": "LONG", "value": 1000000000000000000000000000000}}', "64-bit"),
        ('{"n": {"type": "LONG", "value": ' + HUGE + "}}", "64-bit"),
        ('{"n": {"type": "DOUBLE", "value": NaN}}', "NaN"),
        ('{"n": {"type": "STRING", "value": "a\\u0000b"}}', "NUL"),
        ('{"n": {"type": "STRING", "value": "\\ud800"}}', "surrogate"),
        ('{"n\\u0000": {"type": "STRING", "value": "x"}}', "NUL"),
    ],
)
async def test_bad_json_values_are_refused(
    client: httpx.AsyncClient, params: str, fragment: str
) -> None:
    await create(client, wf())
    response = await client.post(
        "/api/v3/workflows/demo/versions/latest/actions/start",
        content=start_body(params),
        headers={"content-type": "application/json"},
    )
    refused(response, fragment)


async def test_a_long_param_out_of_range_in_yaml_is_refused(client: httpx.AsyncClient) -> None:
    text = (
        "Workflow:\n  id: big\n  params:\n    n:\n      type: LONG\n"
        "      value: 1000000000000000000000000000000\n"
        "  jobs:\n    - job:\n        id: a\n        type: NoOp\n"
    )
    created = await client.post("/api/v3/workflows/yaml", content=text.encode())
    if created.status_code == 200:
        started = await client.post(
            "/api/v3/workflows/big/versions/latest/actions/start",
            json={"initiator": {"type": "manual"}},
        )
        refused(started, "range of a Long")
    else:
        assert created.status_code == 400, created.text


async def test_deep_json_is_refused_on_every_body_endpoint(client: httpx.AsyncClient) -> None:
    deep = ("[" * 10_000 + "]" * 10_000).encode()
    nested = b'{"initiator": {"type": "manual"}, "run_params": ' + deep + b"}"
    headers = {"content-type": "application/json"}
    for path in (
        "/api/v3/workflows",
        "/api/v3/workflows/demo/versions/latest/actions/start",
        "/api/v3/signals",
        "/api/v3/workflows/actions/validate",
    ):
        refused(await client.post(path, content=nested, headers=headers), "nested")
    shallow = json.dumps({"a": [[[["ok"]]]]}).encode()
    response = await client.post("/api/v3/signals", content=shallow, headers=headers)
    assert response.status_code != 500


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"Workflow:\n  id: a\x00b\n", "NUL"),
        (b"Workflow:\n  id: \xff\n", "not valid UTF-8"),
        ("Workflow:\n  id: x\n".encode("utf-16"), "UTF-16"),
        (b"Workflow:\n  id: a\x01b\n", "U+0001"),
    ],
)
async def test_yaml_is_strict_utf8(client: httpx.AsyncClient, body: bytes, fragment: str) -> None:
    for path in ("/api/v3/workflows/yaml", "/api/v3/workflows/actions/validate/yaml"):
        method = "PUT" if "validate" in path else "POST"
        refused(await client.request(method, path, content=body), fragment)


async def test_nul_in_paths_and_queries_is_refused(client: httpx.AsyncClient) -> None:
    await create(client, wf())
    refused(await client.get("/api/v3/workflows/de%00mo"), "NUL")
    refused(await client.get("/api/v3/signals/a%00b/instances/latest"), "NUL")
    refused(await client.get("/api/v3/workflows/demo/instances?status=A%00"), "NUL")


async def test_non_json_bodies_are_415(client: httpx.AsyncClient) -> None:
    signal = json.dumps({"name": "s", "params": {}})
    for media in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        response = await client.post(
            "/api/v3/signals", content=signal, headers={"content-type": media}
        )
        refused(response, "must be JSON", status=415)
        response = await client.post(
            "/api/v3/workflows/demo/actions/backfill",
            content="{}",
            headers={"content-type": media},
        )
        refused(response, "must be JSON", status=415)
    ok = await client.post(
        "/api/v3/signals", content=signal, headers={"content-type": "application/json"}
    )
    assert ok.status_code == 200, ok.text


async def test_a_long_signal_name_is_the_same_answer_on_both_databases(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/api/v3/signals", json={"name": "s" * 10_000, "params": {}})
    refused(response, "over the limit of 300")
