"""The listing extensions (``GET /api/v3/workflows``, ``GET /api/v3/instances``) on both
dialects: filters, newest-first order, latest runs only, and cursors that page to the end."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx

from maestoso.clock import FakeClock

BASE = "/api/v3"


def definition(workflow_id: str, owner: str, tags: list[str]) -> dict[str, Any]:
    return {
        "properties": {"owner": owner},
        "workflow": {
            "id": workflow_id,
            "tags": [{"name": tag} for tag in tags],
            "steps": [{"step": {"id": "s", "type": "NoOp"}}],
        },
    }


async def push(http: httpx.AsyncClient, workflow_id: str, owner: str, *tags: str) -> None:
    answer = await http.post(f"{BASE}/workflows", json=definition(workflow_id, owner, list(tags)))
    assert answer.status_code == 200, answer.text


async def start(http: httpx.AsyncClient, workflow_id: str) -> int:
    body = {"initiator": {"type": "MANUAL"}}
    path = f"{BASE}/workflows/{workflow_id}/versions/latest/actions/start"
    answer = await http.post(path, json=body)
    assert answer.status_code == 200, answer.text
    return int(answer.json()["workflow_instance_id"])


async def test_workflows_filter_by_text_owner_and_tag(client: httpx.AsyncClient) -> None:
    await push(client, "sales-daily", "ann", "daily")
    await push(client, "sales_hourly", "bob", "hourly")
    await push(client, "stock-daily", "ann", "daily")

    by_text = (await client.get(f"{BASE}/workflows", params={"q": "SALES"})).json()
    underscore = (await client.get(f"{BASE}/workflows", params={"q": "s_h"})).json()
    by_owner = (await client.get(f"{BASE}/workflows", params={"owner": "ann"})).json()
    by_tag = (await client.get(f"{BASE}/workflows", params={"tag": "hourly"})).json()

    assert [w["workflow_id"] for w in by_text["elements"]] == ["sales-daily", "sales_hourly"]
    assert [w["workflow_id"] for w in underscore["elements"]] == ["sales_hourly"]  # no wildcard
    assert [w["workflow_id"] for w in by_owner["elements"]] == ["sales-daily", "stock-daily"]
    assert [w["workflow_id"] for w in by_tag["elements"]] == ["sales_hourly"]
    assert by_tag["elements"][0]["owner"] == "bob"
    assert by_tag["elements"][0]["tags"] == ["hourly"]


async def test_workflows_page_with_a_cursor(client: httpx.AsyncClient) -> None:
    for index in range(5):
        await push(client, f"wf-{index}", "ann", "even" if index % 2 == 0 else "odd")

    seen, cursor = [], None
    while True:
        params: dict[str, Any] = {"first": 2, "tag": "even"}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get(f"{BASE}/workflows", params=params)).json()
        seen.extend(w["workflow_id"] for w in page["elements"])
        cursor = page["cursor"]
        if cursor is None:
            break

    assert seen == ["wf-0", "wf-2", "wf-4"]
    bad = await client.get(f"{BASE}/workflows", params={"cursor": "nonsense"})
    assert bad.status_code == 400 and "nonsense" in bad.json()["message"]
    nul = await client.get(f"{BASE}/workflows", params={"q": "a\x00b"})
    assert nul.status_code == 400 and "[q]" in nul.json()["message"]


async def test_instances_newest_first_across_workflows(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    await push(client, "one", "ann")
    await push(client, "two", "ann")
    for workflow_id in ("one", "two", "one"):
        await start(client, workflow_id)
        clock.shift(1)

    everything = (await client.get(f"{BASE}/instances")).json()
    first = (await client.get(f"{BASE}/instances", params={"first": 2})).json()
    rest = (await client.get(f"{BASE}/instances", params={"cursor": first["cursor"]})).json()
    only_one = (await client.get(f"{BASE}/instances", params={"workflow_id": "one"})).json()
    failed = (await client.get(f"{BASE}/instances", params={"status": "failed"})).json()
    unknown = await client.get(f"{BASE}/instances", params={"status": "Bogus"})
    forged = base64.urlsafe_b64encode(json.dumps([{}, 1, "x"]).encode()).decode()
    bad_cursor = await client.get(f"{BASE}/instances", params={"cursor": forged})

    keys = [(r["workflow_id"], r["workflow_instance_id"]) for r in everything["elements"]]
    assert keys == [("one", 2), ("two", 1), ("one", 1)]
    assert [(r["workflow_id"], r["workflow_instance_id"]) for r in rest["elements"]] == [("one", 1)]
    assert len(first["elements"]) == 2 and rest["cursor"] is None
    assert [r["workflow_instance_id"] for r in only_one["elements"]] == [2, 1]
    assert failed["elements"] == []
    assert unknown.status_code == 400 and "[Bogus]" in unknown.json()["message"]
    assert bad_cursor.status_code == 400


async def test_signals_newest_first_across_names(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    for name, value in (("a", 1), ("b", 2), ("a", 3)):
        answer = await client.post(f"{BASE}/signals", json={"name": name, "params": {"v": value}})
        assert answer.status_code == 200, answer.text
        clock.shift(1)

    everything = (await client.get(f"{BASE}/signals")).json()
    first = (await client.get(f"{BASE}/signals", params={"first": 2})).json()
    rest = (await client.get(f"{BASE}/signals", params={"cursor": first["cursor"]})).json()
    bad = await client.get(f"{BASE}/signals", params={"cursor": "nonsense"})

    keys = [(s["name"], s["seq_id"], s["params"]["v"]) for s in everything["elements"]]
    assert keys == [("a", 2, 3), ("b", 1, 2), ("a", 1, 1)]
    assert everything["cursor"] is None
    assert [s["seq_id"] for s in first["elements"]] == [2, 1]
    assert [(s["name"], s["seq_id"]) for s in rest["elements"]] == [("a", 1)]
    assert rest["cursor"] is None
    assert bad.status_code == 400 and "nonsense" in bad.json()["message"]


async def test_triggers_with_their_next_fire_times(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    request = definition("nightly", "ann", [])
    request["workflow"]["time_triggers"] = [
        {"type": "CRON", "cron": "0 0 * * *", "timezone": "UTC"}
    ]
    request["workflow"]["signal_triggers"] = [{"definitions": {"ready": {}}}]
    answer = await client.post(f"{BASE}/workflows", json=request)
    assert answer.status_code == 200, answer.text
    await push(client, "untriggered", "ann")

    triggers = (await client.get(f"{BASE}/workflows/nightly/triggers")).json()["elements"]
    none = (await client.get(f"{BASE}/workflows/untriggered/triggers")).json()["elements"]
    listed = (await client.get(f"{BASE}/workflows")).json()["elements"]

    assert [t["kind"] for t in triggers] == ["time", "signal"]
    assert triggers[0]["definition"]["cron"] == "0 0 * * *"
    day = 24 * 3600 * 1000
    next_fire = triggers[0]["next_fire_time"]
    assert next_fire % day == 0 and clock.now_ms() < next_fire <= clock.now_ms() + day
    assert none == []
    fires = {w["workflow_id"]: w["next_trigger_time"] for w in listed}
    assert fires == {"nightly": next_fire, "untriggered": None}
