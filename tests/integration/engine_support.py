"""A running engine node and API over a real store, for engine tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from maestoso import api
from maestoso.alerting import AlertSettings, Notifier
from maestoso.clock import Clock, FakeClock, SystemClock
from maestoso.engine.node import EngineNode
from maestoso.engine.reads.instances import InstanceReader
from maestoso.engine.reads.logs import StepLogs
from maestoso.engine.services.workflows import WorkflowService
from maestoso.models.statuses import WorkflowStatus
from maestoso.models.steps import StepType
from maestoso.runtimes import StepRuntime, default_runtimes
from maestoso.store import SqlStore
from maestoso.store.records import InstanceRow, StepAttemptRow


@dataclass
class Harness:
    store: SqlStore
    node: EngineNode
    http: httpx.AsyncClient

    async def create(self, body: Mapping[str, Any]) -> None:
        response = await self.http.post("/api/v3/workflows", json=dict(body))
        assert response.status_code == 200, response.text

    async def start(self, workflow_id: str, **request: Any) -> dict[str, Any]:
        body = {"initiator": {"type": "manual"}, **request}
        response = await self.http.post(
            f"/api/v3/workflows/{workflow_id}/versions/latest/actions/start", json=body
        )
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def wait(
        self, workflow_id: str, instance_id: int, *, timeout: float = 20.0, run_id: int = 1
    ) -> InstanceRow:
        deadline = time.monotonic() + timeout
        while True:
            row = await self.store.get_instance(workflow_id, instance_id, run_id)
            assert row is not None
            if WorkflowStatus.from_stored(row.status).is_terminal:
                return row
            if time.monotonic() > deadline:
                raise AssertionError(f"{workflow_id}/{instance_id} still {row.status}")
            await asyncio.sleep(0.02)

    async def wait_status(
        self, workflow_id: str, instance_id: int, status: str, timeout: float = 20.0
    ) -> None:
        deadline = time.monotonic() + timeout
        while True:
            row = await self.store.get_instance(workflow_id, instance_id)
            assert row is not None
            if row.status == status:
                return
            assert time.monotonic() < deadline, f"still {row.status}, not {status}"
            await asyncio.sleep(0.02)

    async def steps(
        self, workflow_id: str, instance_id: int, run_id: int = 1
    ) -> dict[str, StepAttemptRow]:
        rows = await self.store.get_step_attempts(workflow_id, instance_id, run_id)
        return {row.step_id: row for row in rows}


def _poll_hourly(node: EngineNode) -> None:
    node.worker._poll_seconds = 3600
    node.alerting.worker._poll_seconds = 3600
    node.triggered.scheduler._poll_seconds = 3600
    node.triggered.scheduler._reconcile_seconds = 86_400
    node.executor._heartbeat_seconds = 3600
    node.executor._lease_ms = 3 * 3_600_000


@asynccontextmanager
async def harness(
    database_url: str,
    runtimes: Mapping[StepType, StepRuntime] | None = None,
    owner: str | None = None,
    home: Path | None = None,
    clock: Clock | None = None,
    notifiers: Sequence[Notifier] = (),
    alert_settings: AlertSettings | None = None,
) -> AsyncIterator[Harness]:
    """A node and its API on ``database_url``; with ``home``, step logs are kept and served.

    With a ``FakeClock`` the node's safety-net polls are made hourly: on virtual time each
    poll is a real query, and a test that skips hours would otherwise spend its time on them
    (events and flows wake the node anyway)."""
    clock = clock or SystemClock()
    store = await SqlStore.open(database_url, clock=clock)
    runtimes = {**default_runtimes(), **(runtimes or {})}
    node = EngineNode(
        store,
        clock,
        runtimes=runtimes,
        owner=owner,
        home=home,
        notifiers=notifiers,
        alert_settings=alert_settings,
    )
    if isinstance(clock, FakeClock):
        _poll_hourly(node)
    try:
        await node.start()
    except BaseException:
        await store.close()
        raise
    services = api.Services(
        workflows=WorkflowService(store, clock, facts=node.alerting.facts),
        instances=InstanceReader(store, clock, node.alerting.reads),
        actions=node.instances,
        node=node,
        logs=StepLogs(home, store, follow_poll_seconds=0.05) if home else None,
    )
    app = api.create_app(services, clock)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://maestoso", headers={"user": "tester"}
        ) as http:
            yield Harness(store, node, http)
    finally:
        await node.stop()
        await store.close()
