"""A node starts runs from the workflow row it read last time; what changed since is seen."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from tests.integration.engine_support import Harness, harness

BASE = "/api/v3/workflows"


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[Harness]:
    async with harness(database_url, {}) as running:
        yield running


def definition(*step_ids: str) -> dict[str, Any]:
    steps = [{"step": {"id": step_id, "type": "NoOp"}} for step_id in step_ids]
    return {
        "properties": {"owner": "tester", "run_strategy": "parallel"},
        "workflow": {"id": "known", "steps": steps},
    }


async def start(engine: Harness, version: str) -> dict[str, Any]:
    response = await engine.http.post(
        f"{BASE}/known/versions/{version}/actions/start", json={"initiator": {"type": "manual"}}
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_a_start_sees_what_changed_since_the_last_one(engine: Harness) -> None:
    await engine.create(definition("a"))
    assert (await start(engine, "latest"))["workflow_version_id"] == 1
    # A start that fails for what it asks, not for what changed, fails as it would have.
    bad = {
        "initiator": {"type": "manual"},
        "run_params": {"x": {"type": "LONG", "expression": "1 +"}},
    }
    refused = await engine.http.post(f"{BASE}/known/versions/latest/actions/start", json=bad)
    assert refused.status_code == 400, refused.text

    await engine.create(definition("a", "b"))  # version 2, now the active one
    second = await start(engine, "active")
    assert second["workflow_version_id"] == 2
    row = await engine.wait("known", second["workflow_instance_id"])
    assert sorted(await engine.steps("known", row.instance_id)) == ["a", "b"]

    response = await engine.http.put(f"{BASE}/known/actions/deactivate")
    assert response.status_code == 200, response.text
    refused = await engine.http.post(
        f"{BASE}/known/versions/active/actions/start", json={"initiator": {"type": "manual"}}
    )
    assert refused.status_code == 404, refused.text

    await engine.http.delete(f"{BASE}/known")
    await engine.create(definition("c"))
    third = await start(engine, "latest")
    assert (third["workflow_version_id"], third["workflow_instance_id"]) == (1, 1)
    gone = await engine.http.delete(f"{BASE}/known")
    assert gone.status_code == 200
    missing = await engine.http.post(
        f"{BASE}/known/versions/latest/actions/start", json={"initiator": {"type": "manual"}}
    )
    assert missing.status_code == 404, missing.text
    assert missing.json()["message"] == "Cannot find workflow [known]"
