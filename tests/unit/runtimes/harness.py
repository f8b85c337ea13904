"""An engine node and API over a real store, with a data directory of its own (step logs)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from tests.integration.engine_support import Harness

from maestoso import api
from maestoso.clock import SystemClock
from maestoso.engine.instance_reads import InstanceReader
from maestoso.engine.logs import StepLogs
from maestoso.engine.node import EngineNode
from maestoso.engine.workflows import WorkflowService
from maestoso.models.steps import StepType
from maestoso.runtimes import StepRuntime, default_runtimes
from maestoso.store import SqlStore


@asynccontextmanager
async def engine_at(
    database_url: str, home: Path, runtimes: Mapping[StepType, StepRuntime] | None = None
) -> AsyncIterator[Harness]:
    clock = SystemClock()
    store = await SqlStore.open(database_url)
    all_runtimes = {**default_runtimes(), **(runtimes or {})}
    node = EngineNode(store, clock, runtimes=all_runtimes, home=home)
    try:
        await node.start()
    except BaseException:
        await store.close()
        raise
    services = api.Services(
        workflows=WorkflowService(store, clock),
        instances=InstanceReader(store, clock),
        actions=node.instances,
        logs=StepLogs(home, store, follow_poll_seconds=0.05),
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


def workflow(workflow_id: str, *steps: dict[str, object], **fields: object) -> dict[str, object]:
    return {
        "properties": {"owner": "tester", "run_strategy": "sequential"},
        "workflow": {"id": workflow_id, "steps": list(steps), **fields},
    }


def typed_step(
    step_id: str, kind: str, params: dict[str, object], successors: dict[str, str] | None = None
) -> dict[str, object]:
    body: dict[str, object] = {"id": step_id, "type": kind, "params": params}
    body["transition"] = {"successors": successors} if successors else {}
    return {"step": body}


def string(value: str) -> dict[str, str]:
    return {"value": value, "type": "STRING"}
