"""``/api/v3/groups``: the nodes and the flow groups each holds, read-only."""

from __future__ import annotations

import httpx


async def test_a_single_node_holds_every_group(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v3/groups")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["group_count"] == 64
    (node,) = body["nodes"]
    assert node["alive"] is True
    assert node["address"] == "http://127.0.0.1:8080"
    assert node["groups"] == list(range(64))
    assert [g["group_id"] for g in body["groups"]] == list(range(64))
    assert {g["owner"] for g in body["groups"]} == {node["node_id"]}


async def test_one_group(client: httpx.AsyncClient) -> None:
    found = await client.get("/api/v3/groups/5")
    missing = await client.get("/api/v3/groups/640")
    negative = await client.get("/api/v3/groups/-1")

    assert found.status_code == 200 and found.json()["group_id"] == 5
    assert found.json()["generation"] == 1
    assert missing.status_code == 404
    assert missing.json()["message"] == "Cannot find flow group [640]"
    assert negative.status_code == 400 and negative.json()["status"] == "BAD_REQUEST"


async def test_the_view_is_in_the_openapi_document(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]

    assert set(paths["/api/v3/groups"]) == {"get"}
    assert set(paths["/api/v3/groups/{group_id}"]) == {"get"}
