"""Stored history for the benchmarks: a workflow with many finished runs already in its tables.

``preload`` runs one instance of the definition through the engine in-process, so that its
rows are what the engine writes, then copies that run's instance and step rows ``count - 1``
times, straight into the tables in large batches (a few seconds for 100,000 runs), each copy
with its own instance id, uuid and times (a second apart, older first). One run in 50 is
stored FAILED, the rest SUCCEEDED: failed runs sit in the partial index of active statuses,
as they do in a real history. The workflow's instance counter is moved past the copies, so
the next start gets the next id.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update

from maestoso.clock import SystemClock
from maestoso.dsl.requests import parse_model
from maestoso.engine import EngineNode, WorkflowService
from maestoso.models import WorkflowCreateRequest
from maestoso.models.start import WorkflowStartRequest
from maestoso.models.statuses import WorkflowStatus
from maestoso.store import SqlStore, open_store
from maestoso.store.sql.tables import (
    maestro_step_instance,
    maestro_workflow,
    maestro_workflow_instance,
)

BATCH = 2_000
FAILED_EVERY = 50
_instances = maestro_workflow_instance
_steps = maestro_step_instance


async def preload(url: str | None, home: Path, definition: Mapping[str, Any], count: int) -> None:
    """Store ``count`` finished runs of ``definition`` (creating the workflow)."""
    if count <= 0:
        return
    workflow_id = str(definition["workflow"]["id"])
    await _one_real_run(url, home, definition)
    store = await open_store(url, home)
    try:
        assert isinstance(store, SqlStore)
        await _copy_run(store, workflow_id, count)
    finally:
        await store.close()


async def _one_real_run(url: str | None, home: Path, definition: Mapping[str, Any]) -> None:
    clock = SystemClock()
    store = await open_store(url, home)
    node = EngineNode(store, clock, home=home, owner="bench-preload")
    try:
        await node.start()
        request = parse_model(WorkflowCreateRequest, dict(definition))
        await WorkflowService(store, clock).create(request, "bench")
        start = WorkflowStartRequest.model_validate({"initiator": {"type": "manual"}})
        workflow_id = request.workflow.id
        started = await node.instances.start(workflow_id, "latest", start, "bench")
        instance_id = int(started["workflow_instance_id"])
        while True:
            row = await store.get_instance(workflow_id, instance_id)
            if row is not None and WorkflowStatus.from_stored(row.status).is_terminal:
                break
            await asyncio.sleep(0.05)
    finally:
        await node.stop()
        await store.close()


async def _copy_run(store: SqlStore, workflow_id: str, count: int) -> None:
    async with store.engine.begin() as connection:
        runs = await connection.execute(
            select(_instances).where(_instances.c.workflow_id == workflow_id)
        )
        template = dict(runs.mappings().one())
        attempts = await connection.execute(
            select(_steps).where(_steps.c.workflow_id == workflow_id)
        )
        steps = [dict(step) for step in attempts.mappings()]
    first = int(template["instance_id"]) + 1
    last = first + count - 2
    for low in range(first, last + 1, BATCH):
        high = min(low + BATCH - 1, last)
        ids = range(low, high + 1)
        shift = [(n - last - 1) * 1000 for n in ids]  # older first, a second apart
        async with store.engine.begin() as connection:
            await connection.execute(
                insert(_instances),
                [_instance_copy(template, n, ms) for n, ms in zip(ids, shift, strict=True)],
            )
            if steps:
                await connection.execute(
                    insert(_steps),
                    [
                        _step_copy(step, n, ms)
                        for n, ms in zip(ids, shift, strict=True)
                        for step in steps
                    ],
                )
    async with store.engine.begin() as connection:
        await connection.execute(
            update(maestro_workflow)
            .where(maestro_workflow.c.workflow_id == workflow_id)
            .values(latest_instance_id=last)
        )


def _shifted(row: Mapping[str, Any], ms: int, *columns: str) -> dict[str, Any]:
    copy = dict(row)
    for column in columns:
        if copy.get(column) is not None:
            copy[column] = int(copy[column]) + ms
    return copy


def _instance_copy(template: Mapping[str, Any], instance_id: int, ms: int) -> dict[str, Any]:
    row = _shifted(template, ms, "request_ts", "create_ts", "start_ts", "end_ts", "modify_ts")
    failed = instance_id % FAILED_EVERY == 0
    row.update(
        instance_id=instance_id,
        uuid=str(uuid.uuid4()),
        status=WorkflowStatus.FAILED.value if failed else row["status"],
        document={**row["document"], "workflow_instance_id": instance_id},
    )
    return row


def _step_copy(template: Mapping[str, Any], instance_id: int, ms: int) -> dict[str, Any]:
    row = _shifted(template, ms, "create_ts", "modify_ts")
    row.update(instance_id=instance_id, step_uuid=str(uuid.uuid4()))
    return row
