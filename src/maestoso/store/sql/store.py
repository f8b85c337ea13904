"""``SqlStore``: the store on SQLAlchemy's asyncio engine, for SQLite and PostgreSQL.

Every method is one transaction. Races are settled by the database, not by reading first:
a new version advances ``latest_version_id`` with a conditional ``UPDATE`` (or creates the
workflow with ``INSERT … ON CONFLICT DO NOTHING``), so of two concurrent writers of the same
version exactly one changes a row and the other gets ``ConflictError`` with nothing written.

This module holds the definitions; their history (``history``), instances (``instances``),
steps (``step_attempts``), the queue (``queue``) and flow groups (``groups``) are mixed in
from their own modules, and the
transactions they share come from ``base``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import URL, RowMapping

from maestoso.clock import Clock
from maestoso.errors import ConflictError, NotFoundError
from maestoso.store.records import (
    NewVersion,
    Page,
    PropertiesChange,
    TimelineEntry,
    VersionRow,
    WorkflowRow,
)
from maestoso.store.sql import migrate
from maestoso.store.sql.audit import AuditMethods
from maestoso.store.sql.base import translated, upsert
from maestoso.store.sql.children import ChildMethods
from maestoso.store.sql.connection import SqlConnection
from maestoso.store.sql.database import create_engine, normalise_url
from maestoso.store.sql.deliveries import DeliveryMethods
from maestoso.store.sql.groups import GroupMethods
from maestoso.store.sql.history import HistoryMethods, append_timeline, insert_change
from maestoso.store.sql.instances import InstanceMethods
from maestoso.store.sql.iterations import IterationMethods
from maestoso.store.sql.nodes import NodeMethods
from maestoso.store.sql.notifications import NotifyMethods
from maestoso.store.sql.queue import QueueMethods, insert_events
from maestoso.store.sql.schema import WORKFLOW_OWNED_TABLES
from maestoso.store.sql.signals import SignalMethods
from maestoso.store.sql.step_attempts import StepAttemptMethods
from maestoso.store.sql.step_controls import ControlMethods
from maestoso.store.sql.tables import (
    WORKFLOW_ID_START,
    maestoso_sequence,
    maestro_workflow,
    maestro_workflow_version,
    workflow_id_seq,
)
from maestoso.store.sql.templates import TemplateMethods
from maestoso.store.sql.tokens import TokenMethods
from maestoso.store.sql.triggers import TriggerMethods

_wf = maestro_workflow
_ver = maestro_workflow_version


class SqlStore(
    InstanceMethods,
    StepAttemptMethods,
    QueueMethods,
    GroupMethods,
    NodeMethods,
    NotifyMethods,
    SignalMethods,
    TriggerMethods,
    ChildMethods,
    ControlMethods,
    TokenMethods,
    AuditMethods,
    TemplateMethods,
    IterationMethods,
    HistoryMethods,
    DeliveryMethods,
):
    """The store over one database. Open it with ``SqlStore.open`` (or ``open_store``)."""

    @classmethod
    async def open(cls, url: str | URL, *, clock: Clock | None = None) -> SqlStore:
        """Connect to ``url``, migrate its database to head and return the store."""
        engine = create_engine(normalise_url(url))
        try:
            with translated():
                await migrate.upgrade(engine)
        except BaseException:
            await engine.dispose()
            raise
        return cls(engine, clock)

    async def close(self) -> None:
        if self._inline is not None:
            self._inline.dispose()
        await self._engine.dispose()

    # -- definitions --------------------------------------------------------------------------

    async def save_version(self, new: NewVersion) -> WorkflowRow:
        if new.version_id < 1:
            raise ValueError(f"version ids start at 1, not {new.version_id}")
        async with self._writing() as connection:
            if new.version_id == 1:
                row = await _create_workflow(connection, new)
            else:
                row = await _advance_workflow(connection, new)
            await connection.execute(
                _ver.insert().values(
                    workflow_id=new.workflow_id,
                    version_id=new.version_id,
                    metadata=new.metadata,
                    definition=new.definition,
                    trigger_uuids=new.trigger_uuids,
                    create_ts=new.create_time,
                )
            )
            if new.properties_change is not None:
                await insert_change(connection, new.properties_change)
            await append_timeline(connection, new.timeline)
            await insert_events(connection, new.events, self._clock.now_ms())
        return row

    async def get_workflow(self, workflow_id: str) -> WorkflowRow | None:
        async with self._reading() as connection:
            row = await _fetch_workflow(connection, workflow_id)
        return None if row is None else _workflow(row)

    async def get_version(self, workflow_id: str, version_id: int) -> VersionRow | None:
        params = {"workflow_id": workflow_id, "version_id": version_id}
        async with self._reading() as connection:
            row = (await connection.execute(_VERSION, params)).mappings().one_or_none()
        return None if row is None else _version(row)

    async def list_versions(
        self, workflow_id: str, *, cursor: int | None, limit: int, descending: bool
    ) -> Page:
        if limit < 0:
            raise ValueError(f"limit must not be negative, got {limit}")
        ids = _ver.c.version_id
        query = select(_ver).where(_ver.c.workflow_id == workflow_id)
        if cursor is not None:
            query = query.where(ids < cursor if descending else ids > cursor)
        query = query.order_by(ids.desc() if descending else ids.asc()).limit(limit)
        count = select(func.count()).select_from(_ver).where(_ver.c.workflow_id == workflow_id)
        async with self._reading() as connection:
            rows = (await connection.execute(query)).mappings().all()
            total = await connection.scalar(count)
        return Page(rows=[_version(row) for row in rows], total_count=total or 0)

    async def update_properties(
        self,
        workflow_id: str,
        *,
        snapshot: dict[str, Any],
        change: PropertiesChange,
        expected_snapshot_time: int,
        timeline: list[TimelineEntry],
    ) -> WorkflowRow:
        async with self._writing() as connection:
            current = await _fetch_workflow(connection, workflow_id, for_update=True)
            if current is None:
                raise NotFoundError(f"workflow [{workflow_id}] does not exist")
            current_time = current["properties_snapshot"].get("create_time")
            if current_time != expected_snapshot_time:
                raise ConflictError(
                    f"the properties of workflow [{workflow_id}] changed at {current_time} "
                    f"since the snapshot of {expected_snapshot_time}"
                )
            row = await _update_workflow(
                connection,
                workflow_id,
                properties_snapshot=snapshot,
                modify_ts=change.create_time,
            )
            await insert_change(connection, change)
            await append_timeline(connection, timeline)
        return row

    async def set_active_version(
        self,
        workflow_id: str,
        *,
        version_id: int,
        activated_by: Any,
        activate_time: int,
        timeline: list[TimelineEntry],
    ) -> WorkflowRow:
        if version_id < 0:
            raise ValueError(f"version ids are positive (0 deactivates), got {version_id}")
        async with self._writing() as connection:
            current = await _fetch_workflow(connection, workflow_id, for_update=True)
            if current is None:
                raise NotFoundError(f"workflow [{workflow_id}] does not exist")
            if version_id > current["latest_version_id"]:
                raise NotFoundError(f"workflow [{workflow_id}] has no version {version_id}")
            row = await _update_workflow(
                connection,
                workflow_id,
                active_version_id=version_id,
                activate_ts=activate_time,
                activated_by=activated_by,
                modify_ts=activate_time,
            )
            await append_timeline(connection, timeline)
        return row

    async def delete_workflow(self, workflow_id: str) -> bool:
        async with self._writing() as connection:
            result = await connection.execute(delete(_wf).where(_wf.c.workflow_id == workflow_id))
            for table in WORKFLOW_OWNED_TABLES:
                await connection.execute(delete(table).where(table.c.workflow_id == workflow_id))
        return result.rowcount > 0


# -- statements ------------------------------------------------------------------------------


async def _next_internal_id(connection: SqlConnection) -> int:
    if connection.dialect.name == "sqlite":
        statement = (
            sqlite.insert(maestoso_sequence)
            .values(name=workflow_id_seq.name, last_value=WORKFLOW_ID_START)
            .on_conflict_do_update(
                index_elements=[maestoso_sequence.c.name],
                set_={"last_value": maestoso_sequence.c.last_value + 1},
            )
            .returning(maestoso_sequence.c.last_value)
        )
        return int((await connection.execute(statement)).scalar_one())
    return int((await connection.execute(select(workflow_id_seq.next_value()))).scalar_one())


async def _create_workflow(connection: SqlConnection, new: NewVersion) -> WorkflowRow:
    internal_id = await _next_internal_id(connection)
    statement = (
        upsert(connection.dialect.name, _wf)
        .values(
            workflow_id=new.workflow_id,
            internal_id=internal_id,
            active_version_id=1 if new.activate else 0,
            activate_ts=new.create_time if new.activate else None,
            activated_by=new.activated_by if new.activate else None,
            properties_snapshot=new.properties_snapshot,
            latest_version_id=1,
            latest_instance_id=0,
            modify_ts=new.create_time,
        )
        .on_conflict_do_nothing(index_elements=[_wf.c.workflow_id])
        .returning(*_wf.c)
    )
    row = (await connection.execute(statement)).mappings().one_or_none()
    if row is None:
        raise ConflictError(f"workflow [{new.workflow_id}] already exists")
    return _workflow(row)


async def _advance_workflow(connection: SqlConnection, new: NewVersion) -> WorkflowRow:
    values: dict[str, Any] = {
        "latest_version_id": new.version_id,
        "properties_snapshot": new.properties_snapshot,
        "modify_ts": new.create_time,
    }
    if new.activate:
        values |= {
            "active_version_id": new.version_id,
            "activate_ts": new.create_time,
            "activated_by": new.activated_by,
        }
    statement = (
        update(_wf)
        .where(_wf.c.workflow_id == new.workflow_id)
        .where(_wf.c.latest_version_id == new.version_id - 1)
        .values(values)
        .returning(*_wf.c)
    )
    row = (await connection.execute(statement)).mappings().one_or_none()
    if row is not None:
        return _workflow(row)
    latest = await connection.scalar(
        select(_wf.c.latest_version_id).where(_wf.c.workflow_id == new.workflow_id)
    )
    if latest is None:
        raise ConflictError(f"workflow [{new.workflow_id}] does not exist (any more)")
    raise ConflictError(
        f"workflow [{new.workflow_id}] is at version {latest}: "
        f"version {new.version_id} must follow version {new.version_id - 1}"
    )


_VERSION = select(_ver).where(
    _ver.c.workflow_id == bindparam("workflow_id"), _ver.c.version_id == bindparam("version_id")
)
_WORKFLOW = select(_wf).where(_wf.c.workflow_id == bindparam("workflow_id"))
_WORKFLOW_LOCKED = _WORKFLOW.with_for_update()


async def _fetch_workflow(
    connection: SqlConnection, workflow_id: str, *, for_update: bool = False
) -> RowMapping | None:
    query = _WORKFLOW_LOCKED if for_update else _WORKFLOW
    return (await connection.execute(query, {"workflow_id": workflow_id})).mappings().one_or_none()


async def _update_workflow(
    connection: SqlConnection, workflow_id: str, **values: Any
) -> WorkflowRow:
    statement = update(_wf).where(_wf.c.workflow_id == workflow_id).values(values).returning(*_wf.c)
    return _workflow((await connection.execute(statement)).mappings().one())


# -- rows --------------------------------------------------------------------------------------


def _workflow(row: RowMapping) -> WorkflowRow:
    return WorkflowRow(
        workflow_id=row["workflow_id"],
        internal_id=row["internal_id"],
        active_version_id=row["active_version_id"],
        latest_version_id=row["latest_version_id"],
        activate_time=row["activate_ts"],
        activated_by=row["activated_by"],
        properties_snapshot=row["properties_snapshot"],
        latest_instance_id=row["latest_instance_id"],
        modify_time=row["modify_ts"],
    )


def _version(row: RowMapping) -> VersionRow:
    return VersionRow(
        workflow_id=row["workflow_id"],
        version_id=row["version_id"],
        metadata=row["metadata"],
        definition=row["definition"],
        trigger_uuids=row["trigger_uuids"],
        create_time=row["create_ts"],
    )
