"""``/api/v3/signals``: announce, dedup, read back, on both dialects."""

from __future__ import annotations

import json

import httpx
from tests.corpus import require, shared_dir

SAMPLES = shared_dir() / "maestro-samples" / "fixtures"
BASE = "/api/v3/signals"


async def test_a_signal_is_announced_and_read_back_in_maestro_s_shape(
    client: httpx.AsyncClient,
) -> None:
    request = json.loads((require(SAMPLES) / "sample-signal-create-request.json").read_text())
    response = await client.post(BASE, json=request, headers={"user": ""})
    assert response.status_code == 200, response.text
    body = response.json()
    expected = json.loads((require(SAMPLES) / "sample-signal-instance.json").read_text())
    assert list(body) == list(expected)
    assert body["seq_id"] == 1 and body["instance_id"] == "test-request-id"
    assert body["params"] == expected["params"]
    assert body["payload"] == expected["payload"]
    assert body["request_time"] == 1234567
    for seq in ("1", "latest", "LATEST"):
        read = await client.get(f"{BASE}/signal_a/instances/{seq}")
        assert read.status_code == 200 and read.json() == body


async def test_a_duplicate_is_a_conflict_and_names_with_slashes_work(
    client: httpx.AsyncClient,
) -> None:
    signal = {"name": "db/test/table1", "params": {"dateint": 20210101}}
    first = await client.post(BASE, json=signal)
    assert first.status_code == 200 and first.json()["seq_id"] == 1
    again = await client.post(BASE, json=signal)  # same name and params: the same signal
    assert again.status_code == 409
    error = again.json()
    assert error["status"] == "CONFLICT" and error["retryable"] is False
    assert "already exists" in error["message"]
    other = await client.post(BASE, json={**signal, "request_id": "another"})
    assert other.json()["seq_id"] == 2
    latest = await client.get(f"{BASE}/db/test/table1/instances/latest")
    assert latest.json()["instance_id"] == "another"


async def test_unknown_signals_and_bad_requests(client: httpx.AsyncClient) -> None:
    missing = await client.get(f"{BASE}/nothing/instances/latest")
    assert missing.status_code == 404 and missing.json()["status"] == "NOT_FOUND"
    assert (await client.get(f"{BASE}/nothing/instances/7")).status_code == 404
    assert (await client.get(f"{BASE}/nothing/instances/x")).status_code == 400
    assert (await client.post(BASE, json={"params": {}})).status_code == 400
    bad = await client.post(BASE, json={"name": "a", "params": {"f": 1.5, "b": True}})
    assert bad.status_code == 400 and len(bad.json()["errors"]) == 2
