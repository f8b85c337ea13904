"""Time triggers end to end on both dialects: firing Maestro's sample, exactly once across a
restart of the scheduler, catch-up after downtime, and the engine's checks of triggered starts.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.corpus import require, shared_dir

from maestoso import api
from maestoso.clock import FakeClock
from maestoso.engine.node import EngineNode
from maestoso.engine.reads.instances import InstanceReader
from maestoso.engine.services.workflows import WorkflowService
from maestoso.errors import NotFoundError, ValidationError
from maestoso.models import WorkflowCreateRequest
from maestoso.models.events import EventKind, StartTriggered
from maestoso.store import SqlStore
from maestoso.store.records import InstanceRow
from maestoso.triggers.backfill import BackfillService
from maestoso.triggers.scheduler import TimeScheduler
from maestoso.triggers.signals import SignalService

SAMPLES = shared_dir() / "maestro-samples"
HOUR = 3_600_000
START = 1_609_459_200_000  # 2021-01-01T00:00:00Z


@dataclass
class Server:
    store: SqlStore
    node: EngineNode
    http: httpx.AsyncClient
    clock: FakeClock

    async def create(self, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.http.post("/api/v3/workflows", json=body)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def instances(
        self, workflow_id: str, count: int, timeout: float = 10.0
    ) -> list[InstanceRow]:
        """The workflow's instances once there are ``count`` (or after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while True:
            rows = await self.store.list_instances(workflow_id, low=1, high=10_000)
            if len(rows) >= count or time.monotonic() > deadline:
                return sorted(rows, key=lambda r: r.instance_id)
            self.node.worker.wake()
            await asyncio.sleep(0.02)


@asynccontextmanager
async def server(database_url: str, home: Path, clock: FakeClock) -> AsyncIterator[Server]:
    store = await SqlStore.open(database_url)
    node = EngineNode(store, clock, home=home)
    await node.start()
    services = api.Services(
        workflows=WorkflowService(store, clock),
        instances=InstanceReader(store, clock),
        actions=node.instances,
        signals=SignalService(store, clock, node.worker.wake),
        bypass=node.bypass,
    )
    transport = httpx.ASGITransport(app=api.create_app(services, clock))
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://maestoso", headers={"user": "tester"}
        ) as http:
            yield Server(store, node, http, clock)
    finally:
        await node.stop()
        await store.close()


def hourly(workflow_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "properties": {"owner": "tester"},
        "workflow": {
            "id": workflow_id,
            "time_triggers": [{"type": "CRON", "cron": "0 * * * *", "timezone": "UTC"}],
            "steps": [{"step": {"id": "a", "type": "NoOp"}}],
        },
        **extra,
    }


async def create(store: SqlStore, clock: FakeClock, body: dict[str, Any]) -> None:
    request = WorkflowCreateRequest.model_validate(body)
    await WorkflowService(store, clock).create(request, "tester")


async def started_events(store: SqlStore) -> list[dict[str, Any]]:
    claimed = await store.claim_events(owner="test", now=2**62, lease_ms=1, limit=1000)
    return [e.payload for e in claimed if e.type == EventKind.START_TRIGGERED]


async def test_the_sample_fires_its_triggers_with_maestro_s_initiator_and_run_ts(
    database_url: str, tmp_path: Path
) -> None:
    clock = FakeClock(START)
    sample = json.loads((require(SAMPLES) / "sample-time-trigger-wf.json").read_text())
    async with server(database_url, tmp_path, clock) as s:
        await s.create(sample)
        response = await s.http.get(
            "/api/v3/workflows/sample-time-trigger-wf/versions/active?enriched=true"
        )
        extras = response.json()["enriched_extras"]
        times = extras["next_execution_times"]
        assert len(times) == 3 and extras["next_execution_time"] == min(times)
        # The every-2-minutes trigger (with its jitter) fires first.
        due = times[2]
        assert START + 2 * 60_000 <= due < START + 2 * 60_000 + 30_000
        clock.shift((due - START) / 1000)
        await s.node.triggered.scheduler.tick()
        await s.node.triggered.scheduler.tick()  # the same time again: nothing more
        [row] = await s.instances("sample-time-trigger-wf", 1)
        version = await s.store.get_version("sample-time-trigger-wf", 1)
        assert version is not None and version.trigger_uuids is not None
        uuid = version.trigger_uuids["time_trigger_uuid"]
        assert row.initiator["type"] == "TIME"
        assert row.initiator["trigger_uuid"] == uuid
        assert row.initiator["trigger_time"] == due
        assert row.initiator["timezone"] == "US/Pacific"
        assert row.document["params"]["RUN_TS"]["evaluated_result"] == due
        assert len(await s.instances("sample-time-trigger-wf", 2, timeout=0.3)) == 1


async def test_each_scheduled_time_fires_once_across_a_restart_and_racing_schedulers(
    database_url: str,
) -> None:
    clock = FakeClock(START)
    store = await SqlStore.open(database_url)
    try:
        await create(store, clock, hourly("hourly"))
        first = TimeScheduler(store, clock)
        clock.shift(3600)
        assert await first.tick() == 1
    finally:
        await store.close()
    store = await SqlStore.open(database_url)  # the restarted server
    try:
        schedulers = [TimeScheduler(store, clock) for _ in range(3)]
        assert await schedulers[0].tick() == 0  # the same time is not fired again
        clock.shift(3600)
        counts = await asyncio.gather(*(s.tick() for s in schedulers))
        assert sorted(counts) == [0, 0, 1]
        fired = [e["request"]["initiator"]["trigger_time"] for e in await started_events(store)]
        assert fired == [START + HOUR, START + 2 * HOUR]
    finally:
        await store.close()


async def test_the_running_scheduler_sleeps_on_the_clock_until_the_next_firing(
    database_url: str,
) -> None:
    clock = FakeClock(START, quiet_seconds=0.01)
    store = await SqlStore.open(database_url, clock=clock)
    scheduler = TimeScheduler(store, clock, poll_seconds=6 * 3600)
    try:
        await create(store, clock, hourly("by-itself"))
        scheduler.start()
        await clock.advance(3599)
        assert await started_events(store) == []
        await clock.advance(1)
        await clock.advance(3600)
        fired = [e["request"]["initiator"]["trigger_time"] for e in await started_events(store)]
        assert fired == [START + HOUR, START + 2 * HOUR]
    finally:
        await scheduler.stop()
        await store.close()


@pytest.mark.parametrize(("policy", "expected"), [("all", 3), ("last", 1), ("none", 0)])
async def test_a_server_down_over_three_scheduled_times_catches_up_per_its_policy(
    database_url: str, policy: str, expected: int
) -> None:
    clock = FakeClock(START)
    store = await SqlStore.open(database_url)
    try:
        body = hourly("down", time_trigger_catch_up={"policy": policy})
        await create(store, clock, body)
        clock.shift(3 * 3600 + 600)  # down from 00:00 to 03:10: 01:00, 02:00, 03:00 missed
        assert await TimeScheduler(store, clock).tick() == expected
        fired = [e["request"]["initiator"]["trigger_time"] for e in await started_events(store)]
        assert fired == [START + n * HOUR for n in (1, 2, 3)][3 - expected :]
        [row] = await store.list_time_triggers("down")
        assert row.watermark == START + 3 * HOUR and row.next_fire_time == START + 4 * HOUR
    finally:
        await store.close()


async def test_triggered_starts_need_the_active_version_and_its_trigger(
    database_url: str, tmp_path: Path
) -> None:
    clock = FakeClock(START)
    async with server(database_url, tmp_path, clock) as s:
        await s.create(hourly("checked"))
        scheduler = s.node.triggered.scheduler
        # Disabled time triggers: the rows go, and a start already queued is dropped.
        clock.shift(3600)
        await scheduler.tick()
        [run] = await s.instances("checked", 1)
        response = await s.http.post(
            "/api/v3/workflows/checked/properties", json={"time_trigger_disabled": True}
        )
        assert response.status_code == 200, response.text
        assert await s.store.list_time_triggers("checked") == []
        # A new version with another trigger: the old trigger uuid no longer starts runs.
        body = hourly("checked")
        body["workflow"]["time_triggers"][0]["cron"] = "30 * * * *"
        await s.create(body)
        response = await s.http.post(
            "/api/v3/workflows/checked/properties", json={"time_trigger_disabled": False}
        )
        assert response.status_code == 200, response.text
        [row] = await s.store.list_time_triggers("checked")
        assert row.definition["trigger"]["cron"] == "30 * * * *"
        clock.shift(1800)
        assert await scheduler.tick() == 1
        assert len(await s.instances("checked", 2)) == 2
        # A start of the old trigger uuid is dropped (Maestro's 409).
        stale = StartTriggered(workflow_id="checked", request=_request_of(run))
        await s.node.triggered.on_start_triggered(stale)
        assert len(await s.instances("checked", 3, timeout=0.3)) == 2
        # Deactivated: no rows; a start for it fails for good (the worker parks it).
        response = await s.http.put("/api/v3/workflows/checked/actions/deactivate")
        assert response.status_code == 200, response.text
        assert await s.store.list_time_triggers("checked") == []
        with pytest.raises(NotFoundError, match="no active version"):
            await s.node.triggered.on_start_triggered(stale)


def _request_of(run: InstanceRow) -> dict[str, Any]:
    return {"initiator": run.initiator, "request_id": "0b5d4f5c-7f3e-3c63-9e2c-3b8f7f2c9e11"}


async def test_backfill_lists_then_starts_the_runs_of_a_past_range(database_url: str) -> None:
    clock = FakeClock(START)
    store = await SqlStore.open(database_url)
    try:
        await create(store, clock, hourly("past"))
        clock.shift(3600)
        await TimeScheduler(store, clock).tick()  # 01:00 fired by the scheduler
        [fired] = await started_events(store)
        clock.shift(5 * 3600)
        service = BackfillService(store, clock)
        window = {"start_time": START + HOUR, "end_time": START + 3 * HOUR}
        listed = await service.backfill("past", {**window, "dry_run": True})
        assert [r["trigger_time"] for r in listed["runs"]] == [START + n * HOUR for n in (1, 2, 3)]
        assert await started_events(store) == []  # a dry run starts nothing
        done = await service.backfill("past", window)
        assert done["runs"] == listed["runs"] and not done["dry_run"]
        events = await started_events(store)
        assert len(events) == 3
        # The time already fired has the scheduler's request id: its start is a duplicate.
        assert events[0]["request"]["request_id"] == fired["request"]["request_id"]
        with pytest.raises(ValidationError):
            await service.backfill("past", {"start_time": 5, "end_time": 1})
        with pytest.raises(NotFoundError):
            await service.backfill("nothing", window)
    finally:
        await store.close()


async def test_backfill_over_http(client: httpx.AsyncClient) -> None:
    created = await client.post("/api/v3/workflows", json=hourly("web"))
    assert created.status_code == 200, created.text
    url = "/api/v3/workflows/web/actions/backfill"
    window = {"start_time": START, "end_time": START + 2 * HOUR, "dry_run": True}
    response = await client.post(url, json=window)
    assert response.status_code == 200, response.text
    assert len(response.json()["runs"]) == 3
    bad = await client.post(url, json={"start_time": "yesterday"})
    assert bad.status_code == 400 and bad.json()["status"] == "BAD_REQUEST"
