"""Admission on SQL: how many runs a workflow's run strategy lets start, counted in the
transaction that starts them.

What makes the count exact is what it is serialised with. Creations and admissions of one
workflow take the workflow row's lock first (``create_instance``'s ``UPDATE`` of
``latest_instance_id``, ``admit_queued``'s ``SELECT … FOR UPDATE``), so they take turns. A
run that ends concurrently is ordered by its own row: on PostgreSQL the count share-locks the
active runs it counts (``FOR SHARE``), so a run's final ``UPDATE`` either committed before
the count (which then does not see it as active) or waits until the counting transaction
commits (and then its ``if_queued`` check sees the run that transaction queued). On SQLite
the single writer serialises all of them.

Every lookup goes through the partial status index (``ix_maestro_workflow_instance_active``,
which holds the queued, active and FAILED runs), never through a workflow's history.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from sqlalchemy import bindparam, case, exists, func, literal_column, select, true, update

from maestoso.store.records import Fence, InstanceRow, JsonDict, RunLimit
from maestoso.store.sql.connection import SqlConnection
from maestoso.store.sql.groups import check_fence, fence_query, verify_fence
from maestoso.store.sql.instance_rows import instance_of
from maestoso.store.sql.tables import (
    RESUMABLE_STATUSES,
    active_status_predicate,
    maestro_workflow,
    maestro_workflow_instance,
)

_wf = maestro_workflow
_inst = maestro_workflow_instance

CREATED = "CREATED"
IN_PROGRESS = "IN_PROGRESS"
FAILED = "FAILED"


def _indexed(*statuses: str) -> list[Any]:
    """Runs of the workflow (``w_id``) in one of ``statuses``, through the partial status
    index (its predicate repeated, so that the planners use it)."""
    return [
        _inst.c.workflow_id == bindparam("w_id"),
        _inst.c.status.in_([literal_column(f"'{status}'") for status in statuses]),
        active_status_predicate(),
    ]


def _of_workflow(status: str) -> Any:
    return exists().where(*_indexed(status))


# The active runs of a workflow, at most as many as the limit.
_ACTIVE = select(_inst.c.instance_id).where(*_indexed(*RESUMABLE_STATUSES)).limit(bindparam("n"))
_ACTIVE_LOCKED = _ACTIVE.with_for_update(read=True)
_COUNT_ACTIVE = select(func.count()).select_from(_ACTIVE.subquery())


def _room_query(strict: bool, locked: bool) -> Any:
    """``(active, queued, failed)``: the active runs counted up to the limit (share-locked
    where ``locked``, as on PostgreSQL), and, only while that leaves room, whether a run is
    queued or FAILED. One statement: the count's locks are taken as it runs."""
    runs = (_ACTIVE_LOCKED if locked else _ACTIVE).subquery()
    counted = select(func.count().label("active")).select_from(runs).subquery()
    has_room = counted.c.active < bindparam("n")
    queued = case((has_room, _of_workflow(CREATED)), else_=true())
    failed = case((has_room, _of_workflow(FAILED)), else_=true()) if strict else true()
    return select(
        counted.c.active.label("active"), queued.label("queued"), failed.label("failed")
    ).select_from(counted)


_ROOM = {
    (strict, locked): _room_query(strict, locked)
    for strict in (False, True)
    for locked in (False, True)
}


async def room(connection: SqlConnection, workflow_id: str, limit: RunLimit) -> int:
    """How many more runs of the workflow may start now, counted inside the caller's
    transaction (which must hold the workflow row's lock on PostgreSQL)."""
    concurrency = max(limit.concurrency, 0)
    if concurrency == 0:
        return 0
    params: dict[str, Any] = {"w_id": workflow_id, "n": concurrency}
    query = _ROOM[(limit.blocked_by_failure, connection.dialect.name == "postgresql")]
    active, queued, failed = (await connection.execute(query, params)).one()
    if queued or (limit.blocked_by_failure and failed):
        return 0
    return max(concurrency - int(active), 0)


def started(row: InstanceRow, now: int) -> InstanceRow:
    """``row`` as admission leaves it."""
    return replace(
        row,
        status=IN_PROGRESS,
        execution_id=str(uuid.uuid4()),
        start_time=now,
        modify_time=now,
    )


_LOCK_WORKFLOW = (
    select(_wf.c.properties_snapshot)
    .where(_wf.c.workflow_id == bindparam("w_id"))
    .with_for_update()
)
_QUEUED = (
    select(_inst)
    .where(*_indexed(CREATED))
    .order_by(_inst.c.instance_id, _inst.c.run_id)
    .limit(bindparam("n"))
)
_QUEUED_LOCKED = _QUEUED.with_for_update()
_START = (
    update(_inst)
    .where(
        _inst.c.workflow_id == bindparam("k_workflow_id"),
        _inst.c.instance_id == bindparam("k_instance_id"),
        _inst.c.run_id == bindparam("k_run_id"),
        _inst.c.status == CREATED,
    )
    .values(
        status=IN_PROGRESS,
        execution_id=bindparam("v_execution_id"),
        start_ts=bindparam("v_start_ts"),
        modify_ts=bindparam("v_start_ts"),
    )
)


async def admit_queued(
    connection: SqlConnection,
    workflow_id: str,
    limit_of: Callable[[JsonDict], RunLimit],
    now: Callable[[], int],
) -> list[InstanceRow]:
    """Start the oldest queued runs as far as the limit allows, in the caller's (writing)
    transaction; the runs started, as stored."""
    workflow = (await connection.execute(_LOCK_WORKFLOW, {"w_id": workflow_id})).first()
    if workflow is None:
        return []
    slots = await room_for_queued(connection, workflow_id, limit_of(workflow[0] or {}))
    if slots <= 0:
        return []
    postgres = connection.dialect.name == "postgresql"
    query = _QUEUED_LOCKED if postgres else _QUEUED
    rows = (await connection.execute(query, {"w_id": workflow_id, "n": slots})).mappings()
    # Read the time only now: waiting for the locks above may have outlasted the end of the
    # run that made room, and a run must not seem to start before that one ended.
    start = now()
    admitted = [started(instance_of(row), start) for row in rows]
    if admitted:
        await connection.execute(_START, [_start_params(row) for row in admitted])
    return admitted


async def room_for_queued(connection: SqlConnection, workflow_id: str, limit: RunLimit) -> int:
    """Like ``room``, but for the runs already queued: they are what may start."""
    concurrency = max(limit.concurrency, 0)
    if concurrency == 0:
        return 0
    params: dict[str, Any] = {"w_id": workflow_id, "n": concurrency}
    if connection.dialect.name == "postgresql":
        active = len((await connection.execute(_ACTIVE_LOCKED, params)).all())
    else:
        active = int((await connection.execute(_COUNT_ACTIVE, params)).scalar() or 0)
    if active >= concurrency:
        return 0
    if limit.blocked_by_failure:
        failed = await connection.execute(select(_of_workflow(FAILED)), params)
        if failed.scalar():
            return 0
    return concurrency - active


def _start_params(row: InstanceRow) -> dict[str, Any]:
    return {
        "k_workflow_id": row.workflow_id,
        "k_instance_id": row.instance_id,
        "k_run_id": row.run_id,
        "v_execution_id": row.execution_id,
        "v_start_ts": row.start_time,
    }


_HAS_QUEUED = select(_of_workflow(CREATED))


@functools.cache
def _fenced_lookup(fence: Any) -> Any:
    return select(
        fence.scalar_subquery().label("generation"), _of_workflow(CREATED).label("queued")
    )


async def with_queued_runs(
    connection: SqlConnection, workflow_ids: Iterable[str], fence: Fence | None = None
) -> set[str]:
    """Which of the workflows have a queued (CREATED) run, in the caller's transaction. With
    ``fence``, checked as ``check_fence`` does, in the statement of the first lookup."""
    found = set()
    ids = sorted(set(workflow_ids))
    if fence is not None and not ids:
        await check_fence(connection, fence)
    for n, workflow_id in enumerate(ids):
        params: dict[str, Any] = {"w_id": workflow_id}
        if n == 0 and fence is not None:
            params["group_id"] = fence.group_id
            fenced = _fenced_lookup(fence_query(connection))
            generation, queued = (await connection.execute(fenced, params)).one()
            verify_fence(fence, generation)
        else:
            queued = (await connection.execute(_HAS_QUEUED, params)).scalar()
        if queued:
            found.add(workflow_id)
    return found
