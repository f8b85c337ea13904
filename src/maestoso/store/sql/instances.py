"""Workflow instances on SQL: one row per run.

``create_instance`` allocates the instance id by advancing ``maestro_workflow.
latest_instance_id`` with an ``UPDATE … RETURNING``: that row lock serialises the creations of
one workflow (on PostgreSQL; the single writer does it on SQLite), so ids are dense and the
uuid dedup that follows (an ``INSERT … ON CONFLICT DO NOTHING`` on the unique
``(workflow_id, uuid, run_id)``) sees every instance committed before it. On PostgreSQL the
whole creation is one statement (``creation``); the same ``UPDATE`` takes the lock there.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    bindparam,
    exists,
    func,
    literal_column,
    select,
    update,
)

from maestoso.errors import ConflictError, NotFoundError, WorkflowChangedError
from maestoso.store.records import (
    Fence,
    InstanceRow,
    InstanceUpdate,
    JobEvent,
    JsonDict,
    RunLimit,
    WorkflowRow,
)
from maestoso.store.sql.admission import admit_queued, room, started
from maestoso.store.sql.base import SqlBase, upsert
from maestoso.store.sql.connection import SqlConnection
from maestoso.store.sql.creation import (
    STAMP_PARAMS,
    create_in_one_statement,
    needs_instance_id,
    stamp_matches,
)
from maestoso.store.sql.groups import check_fence
from maestoso.store.sql.instance_rows import (
    instance_of,
    instance_values,
)
from maestoso.store.sql.instance_updates import apply_updates
from maestoso.store.sql.queue import insert_events
from maestoso.store.sql.tables import (
    ACTIVE_STATUSES,
    active_status_predicate,
    maestro_workflow,
    maestro_workflow_instance,
    resumable_status_predicate,
)

_wf = maestro_workflow
_inst = maestro_workflow_instance

_INSTANCE_KEY = (_inst.c.workflow_id, _inst.c.instance_id, _inst.c.run_id)

_ALLOCATE = (
    update(_wf)
    .where(_wf.c.workflow_id == bindparam("w_id"))
    .values(latest_instance_id=_wf.c.latest_instance_id + 1)
    .returning(_wf.c.latest_instance_id)
)
_ALLOCATE_EXPECTED = _ALLOCATE.where(*stamp_matches())


def _active_of_status(oldest_first: bool) -> Any:
    """Runs of a workflow in one active status, in (instance_id, run_id) order.

    The predicate repeats the partial index's, so that both planners may use it; ``run_id + 0``
    keeps SQLite from ordering by the primary key instead (which reads every run of the
    workflow, finished ones included): the index gives the order of ``instance_id``, and the
    runs of one instance are sorted apart.
    """
    keys = (_inst.c.instance_id, _inst.c.run_id + literal_column("0"))
    return (
        select(_inst)
        .where(
            _inst.c.workflow_id == bindparam("workflow_id"),
            _inst.c.status == bindparam("status"),
            active_status_predicate(),
        )
        .order_by(*(key.asc() if oldest_first else key.desc() for key in keys))
        .limit(bindparam("limit"))
    )


_ACTIVE_OF_STATUS_OLDEST = _active_of_status(oldest_first=True)
_ACTIVE_OF_STATUS_NEWEST = _active_of_status(oldest_first=False)


_OF_INSTANCE = select(_inst).where(
    _inst.c.workflow_id == bindparam("workflow_id"),
    _inst.c.instance_id == bindparam("instance_id"),
)
_RUN = _OF_INSTANCE.where(_inst.c.run_id == bindparam("run_id"))
_LATEST_RUN = _OF_INSTANCE.order_by(_inst.c.run_id.desc()).limit(1)


class _Duplicate(Exception):
    """Raised inside ``create_instance`` to roll back when the uuid is taken."""

    def __init__(self, existing: InstanceRow) -> None:
        super().__init__(existing.uuid)
        self.existing = existing


class InstanceMethods(SqlBase):
    """The ``InstanceStore`` part of ``SqlStore``."""

    async def create_instance(
        self,
        row: InstanceRow,
        events: list[JobEvent],
        *,
        admit: RunLimit | None = None,
        if_started: list[JobEvent] | None = None,
        expected: WorkflowRow | None = None,
    ) -> tuple[InstanceRow, bool]:
        if self.is_postgres:
            return await self._create_at_once(row, events, admit, if_started or [], expected)
        try:
            async with self._writing() as connection:
                allocated = await connection.execute(
                    _allocate(expected is not None), _allocation_params(row, expected)
                )
                instance_id = allocated.scalar_one_or_none()
                if instance_id is None:
                    raise _Duplicate(await _not_created(connection, row, expected))
                created = replace(row, instance_id=instance_id, run_id=1)
                if admit is not None and await room(connection, row.workflow_id, admit) > 0:
                    # Admitted now: the count may have waited for a run's end, and must not seem to
                    # start before it.
                    admitted_at = max(created.create_time, self._clock.now_ms())
                    created, events = started(created, admitted_at), []
                if created.status == "IN_PROGRESS":
                    events = [*events, *(if_started or [])]
                inserted = await connection.execute(
                    _insert_new_instance(self._dialect), instance_values(created)
                )
                if inserted.first() is None:
                    raise _Duplicate(await _not_created(connection, row, None))
                filled = [_with_instance_id(event, instance_id) for event in events]
                await insert_events(connection, filled, self._clock.now_ms())
        except _Duplicate as duplicate:
            return duplicate.existing, False
        return created, True

    async def _create_at_once(
        self,
        row: InstanceRow,
        events: list[JobEvent],
        admit: RunLimit | None,
        if_started: list[JobEvent],
        expected: WorkflowRow | None,
    ) -> tuple[InstanceRow, bool]:
        """``create_instance`` on PostgreSQL: one statement (see ``creation``)."""
        limit = None if admit is None else (admit.concurrency, admit.blocked_by_failure)
        try:
            async with self._writing_one() as connection:
                created = await create_in_one_statement(
                    connection,
                    row,
                    events,
                    if_started,
                    admit=limit,
                    now=self._clock.now_ms(),
                    expected=None if expected is None else expected.stamp,
                )
        except ConflictError:  # an instance of the same uuid, committed meanwhile
            created, expected = None, None
        if created is not None:
            return created, True
        async with self._reading() as connection:
            return await _not_created(connection, row, expected), False

    async def admit_queued(
        self, workflow_id: str, *, limit_of: Callable[[JsonDict], RunLimit], now: Callable[[], int]
    ) -> list[InstanceRow]:
        async with self._writing() as connection:
            return await admit_queued(connection, workflow_id, limit_of, now)

    async def create_run(self, row: InstanceRow, events: list[JobEvent]) -> InstanceRow:
        async with self._writing() as connection:
            await connection.execute(_inst.insert(), instance_values(row))
            await insert_events(connection, events, self._clock.now_ms())
        return row

    async def get_instance(
        self, workflow_id: str, instance_id: int, run_id: int | None = None
    ) -> InstanceRow | None:
        query = _LATEST_RUN if run_id is None else _RUN
        params = {"workflow_id": workflow_id, "instance_id": instance_id, "run_id": run_id}
        async with self._reading() as connection:
            found = (await connection.execute(query, params)).mappings().first()
        return None if found is None else instance_of(found)

    async def list_runs(self, workflow_id: str, instance_id: int) -> list[InstanceRow]:
        query = (
            select(_inst)
            .where(_inst.c.workflow_id == workflow_id, _inst.c.instance_id == instance_id)
            .order_by(_inst.c.run_id)
        )
        return await self._instances(query)

    async def list_instances(self, workflow_id: str, *, low: int, high: int) -> list[InstanceRow]:
        query = (
            select(_inst)
            .where(
                _inst.c.workflow_id == workflow_id,
                _inst.c.instance_id.between(low, high),
                _is_latest_run(),
            )
            .order_by(_inst.c.instance_id.desc())
        )
        return await self._instances(query)

    async def find_instances(
        self,
        workflow_id: str,
        *,
        statuses: tuple[str, ...],
        limit: int,
        oldest_first: bool = True,
    ) -> list[InstanceRow]:
        if limit < 0:
            raise ValueError(f"limit must not be negative, got {limit}")
        if not statuses:
            return []
        if not set(statuses) <= set(ACTIVE_STATUSES):
            query = select(_inst).where(
                _inst.c.workflow_id == workflow_id, _inst.c.status.in_(statuses)
            )
            keys = (_inst.c.instance_id, _inst.c.run_id)
            order = [key.asc() if oldest_first else key.desc() for key in keys]
            return await self._instances(query.order_by(*order).limit(limit))
        # The partial index of active statuses serves one status at a time in instance order,
        # whatever the number of finished runs; the statuses' rows are merged here.
        async with self._reading() as connection:
            rows = [
                instance_of(row)
                for status in dict.fromkeys(statuses)
                for row in (
                    await connection.execute(
                        _ACTIVE_OF_STATUS_OLDEST if oldest_first else _ACTIVE_OF_STATUS_NEWEST,
                        {"workflow_id": workflow_id, "status": status, "limit": limit},
                    )
                ).mappings()
            ]
        rows.sort(key=lambda r: (r.instance_id, r.run_id), reverse=not oldest_first)
        return rows[:limit]

    async def count_instances(self, workflow_id: str) -> dict[str, int]:
        query = (
            select(_inst.c.status, func.count())
            .where(_inst.c.workflow_id == workflow_id, _is_latest_run())
            .group_by(_inst.c.status)
            .order_by(_inst.c.status)
        )
        async with self._reading() as connection:
            rows = (await connection.execute(query)).all()
        return {status: count for status, count in rows}

    async def update_instances(
        self,
        updates: list[InstanceUpdate],
        *,
        events: list[JobEvent] | None = None,
        fence: Fence | None = None,
    ) -> None:
        async with self._writing() as connection:
            await check_fence(connection, fence)
            await apply_updates(connection, updates)
            await insert_events(connection, events or [], self._clock.now_ms())

    async def unfinished_instances(self, group_ids: list[int]) -> list[InstanceRow]:
        if not group_ids:
            return []
        query = (
            select(_inst)
            .where(_inst.c.group_id.in_(group_ids), resumable_status_predicate())
            .order_by(*_INSTANCE_KEY)
        )
        return await self._instances(query)

    async def _instances(self, query: Any) -> list[InstanceRow]:
        async with self._reading() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [instance_of(row) for row in rows]


# -- instance statements -----------------------------------------------------------------------


@functools.cache
def _insert_new_instance(dialect: str) -> Any:
    return (
        upsert(dialect, _inst)
        .on_conflict_do_nothing(index_elements=[_inst.c.workflow_id, _inst.c.uuid, _inst.c.run_id])
        .returning(_inst.c.instance_id)
    )


def _allocate(expected: bool) -> Any:
    """Advance the workflow's instance counter (taking its row's lock); with ``expected``,
    only if the workflow still has the stamp the caller read."""
    return _ALLOCATE_EXPECTED if expected else _ALLOCATE


def _allocation_params(row: InstanceRow, expected: WorkflowRow | None) -> dict[str, Any]:
    params: dict[str, Any] = {"w_id": row.workflow_id}
    if expected is not None:
        params.update(zip(STAMP_PARAMS, expected.stamp, strict=True))
    return params


async def _not_created(
    connection: SqlConnection, row: InstanceRow, expected: WorkflowRow | None
) -> InstanceRow:
    """Why nothing was written: the instance that has ``row.uuid`` already (returned), or
    else the workflow is gone or changed since ``expected`` (raised)."""
    existing = await _latest_run_of_uuid(connection, row)
    if existing is not None:
        return existing
    if expected is not None:  # deleted, or changed
        raise WorkflowChangedError.of(row.workflow_id)
    raise NotFoundError(f"workflow [{row.workflow_id}] does not exist")


async def _latest_run_of_uuid(connection: SqlConnection, row: InstanceRow) -> InstanceRow | None:
    owner = (
        select(_inst.c.instance_id)
        .where(_inst.c.workflow_id == row.workflow_id, _inst.c.uuid == row.uuid)
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(_inst)
        .where(_inst.c.workflow_id == row.workflow_id, _inst.c.instance_id == owner)
        .order_by(_inst.c.run_id.desc())
        .limit(1)
    )
    found = (await connection.execute(query)).mappings().first()
    return None if found is None else instance_of(found)


def _is_latest_run() -> ColumnElement[bool]:
    later = _inst.alias("later")
    return ~exists().where(
        later.c.workflow_id == _inst.c.workflow_id,
        later.c.instance_id == _inst.c.instance_id,
        later.c.run_id > _inst.c.run_id,
    )


def _with_instance_id(event: JobEvent, instance_id: int) -> JobEvent:
    if not needs_instance_id(event):
        return event
    return replace(event, payload={**event.payload, "workflow_instance_id": instance_id})
