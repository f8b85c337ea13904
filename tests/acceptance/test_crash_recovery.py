"""A server killed with SIGKILL in the middle of runs and started again finishes every run,
loses no step, and runs no finished step again. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from tests.acceptance.server import ServerProcess

from maestoso.store import SqlStore

INSTANCES = 6
CHAIN = 4


def _definition() -> dict[str, Any]:
    steps = []
    for n in range(CHAIN):
        body: dict[str, Any] = {
            "id": f"nap{n}",
            "type": "Sleep",
            "params": {"sleep_seconds": {"type": "LONG", "value": 1}},
        }
        if n + 1 < CHAIN:
            body["transition"] = {"successors": {f"nap{n + 1}": "true"}}
        steps.append({"step": body})
    return {
        "properties": {
            "owner": "tester",
            "run_strategy": {"rule": "parallel", "workflow_concurrency": 20},
        },
        "workflow": {"id": "crashy", "steps": steps},
    }


async def _snapshot(url: str) -> dict[tuple[int, str], dict[str, Any]]:
    store = await SqlStore.open(url)
    try:
        rows = {}
        for instance in range(1, INSTANCES + 1):
            for row in await store.get_step_attempts("crashy", instance, 1):
                rows[(instance, row.step_id)] = {
                    "status": row.status,
                    "attempt": row.attempt_id,
                    **row.runtime_state,
                }
        return rows
    finally:
        await store.close()


async def _statuses(url: str) -> list[str]:
    store = await SqlStore.open(url)
    try:
        rows = [await store.get_instance("crashy", n) for n in range(1, INSTANCES + 1)]
        return [row.status if row else "MISSING" for row in rows]
    finally:
        await store.close()


def test_sigkill_mid_run_then_restart(tmp_path: Path, database_url: str) -> None:
    server = ServerProcess(tmp_path / "home", database_url).start()
    try:
        with server.client() as http:
            assert http.post("/api/v3/workflows", json=_definition()).status_code == 200
            for _ in range(INSTANCES):
                started = http.post(
                    "/api/v3/workflows/crashy/versions/latest/actions/start",
                    json={"initiator": {"type": "manual"}},
                )
                assert started.status_code == 200
        time.sleep(2.3)  # each run is half way: nap0 and nap1 done, nap2 sleeping
        server.kill()
        before = asyncio.run(_snapshot(database_url))
        done_before = {k: v for k, v in before.items() if v["status"] == "SUCCEEDED"}
        assert done_before, "nothing had finished when the server was killed"
        assert len(done_before) < INSTANCES * CHAIN, "everything finished before the kill"

        server.start()
        deadline = time.monotonic() + 60
        while any(s in ("CREATED", "IN_PROGRESS") for s in asyncio.run(_statuses(database_url))):
            assert time.monotonic() < deadline, "runs did not finish after the restart"
            time.sleep(0.2)
        assert asyncio.run(_statuses(database_url)) == ["SUCCEEDED"] * INSTANCES
        after = asyncio.run(_snapshot(database_url))
        assert len(after) == INSTANCES * CHAIN, "a step was lost"
        assert all(row["status"] == "SUCCEEDED" for row in after.values())
        for key, row in done_before.items():
            assert after[key] == row, f"finished step {key} ran again"
    finally:
        server.stop()
