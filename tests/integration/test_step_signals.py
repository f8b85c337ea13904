"""Step signal dependencies and outputs on both dialects: waiting, matching, bypass."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from tests.integration.test_time_triggers import START, Server, server

from maestoso.clock import FakeClock
from maestoso.store.records import StepAttemptRow

DEPENDENCY = {
    "name": "db/${table}",
    "match_params": {"dateint": {"param": {"value": 20210101, "type": "LONG"}, "operator": ">="}},
}


def workflow(with_param: bool) -> dict[str, Any]:
    step: dict[str, Any] = {
        "id": "wait",
        "type": "NoOp",
        "signal_dependencies": [DEPENDENCY],
        "signal_outputs": [
            {"name": "done/${table}", "params": {"k": {"value": "v", "type": "STRING"}}}
        ],
    }
    if with_param:
        step["params"] = {
            "p": {"expression": "params.getFromSignalDependency('0', 'dateint')", "type": "LONG"}
        }
    return {
        "properties": {"owner": "tester"},
        "workflow": {
            "id": "deps",
            "params": {"table": {"value": "t1", "type": "STRING"}},
            "steps": [{"step": step}],
        },
    }


async def step_in(s: Server, status: str, instance_id: int = 1) -> StepAttemptRow:
    deadline = time.monotonic() + 10
    while True:
        row = await s.store.get_step_attempt("deps", instance_id, 1, "wait")
        if row is not None and row.status == status:
            return row
        assert time.monotonic() < deadline, row and row.status
        await asyncio.sleep(0.02)


async def start(s: Server) -> None:
    response = await s.http.post(
        "/api/v3/workflows/deps/versions/latest/actions/start",
        json={"initiator": {"type": "manual"}},
    )
    assert response.status_code == 200, response.text


async def announce(s: Server, name: str, **params: Any) -> None:
    response = await s.http.post("/api/v3/signals", json={"name": name, "params": params})
    assert response.status_code == 200, response.text


async def test_a_step_waits_for_its_signals_then_runs_and_announces_its_outputs(
    database_url: str, tmp_path: Path
) -> None:
    async with server(database_url, tmp_path, FakeClock(START)) as s:
        await s.create(workflow(with_param=True))
        await start(s)
        waiting = await step_in(s, "WAITING_FOR_SIGNALS")
        [dependency] = waiting.document["signal_dependencies"]["dependencies"]
        assert dependency == {
            "name": "db/t1",
            "status": "PENDING",
            "match_params": {"dateint": {"value": 20210101, "operator": ">="}},
        }
        await announce(s, "db/t1", dateint=20201231)  # too early
        await announce(s, "db/t2", dateint=20210105)  # another table
        await asyncio.sleep(0.2)
        assert (await step_in(s, "WAITING_FOR_SIGNALS")).attempt_id == 1
        await announce(s, "db/t1", dateint=20210102)
        done = await step_in(s, "SUCCEEDED")
        [matched] = done.document["signal_dependencies"]["dependencies"]
        assert matched["status"] == "MATCHED" and matched["signal_id"] == 2
        assert done.document["params"]["p"]["evaluated_result"] == 20210102
        [output] = done.document["signal_outputs"]["outputs"]
        assert output["name"] == "done/t1" and output["params"] == {"k": "v"}
        signal = await s.store.get_signal("done/t1", output["signal_id"])
        assert signal is not None and signal.payload is not None
        assert signal.payload["signal_source"]["step_id"] == "wait"
        view = await s.http.get("/api/v3/workflows/deps/instances/1/runs/1/steps/wait")
        if view.status_code == 200:
            assert view.json()["signal_dependencies"]["dependencies"][0]["status"] == "MATCHED"


async def test_bypass_lets_a_waiting_step_go_on_with_its_dependencies_skipped(
    database_url: str, tmp_path: Path
) -> None:
    async with server(database_url, tmp_path, FakeClock(START)) as s:
        await s.create(workflow(with_param=False))
        early = await s.http.put("/api/v3/workflows/deps/instances/1/steps/wait/actions/bypass")
        assert early.status_code == 404
        await start(s)
        await step_in(s, "WAITING_FOR_SIGNALS")
        response = await s.http.put("/api/v3/workflows/deps/instances/1/steps/wait/actions/bypass")
        assert response.status_code == 200, response.text
        assert response.json()["timeline_event"]["action"] == "BYPASS_STEP_DEPENDENCIES"
        done = await step_in(s, "SUCCEEDED")
        [skipped] = done.document["signal_dependencies"]["dependencies"]
        assert skipped["status"] == "SKIPPED" and "signal_id" not in skipped
        again = await s.http.put("/api/v3/workflows/deps/instances/1/steps/wait/actions/bypass")
        assert again.status_code == 400
