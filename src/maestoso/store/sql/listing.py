"""Listings across workflows: the workflows page by page, recent runs of all of them, recent
signals, and a workflow's triggers with their next fire times.

Reads only, one statement each, with keyset pagination (no ``OFFSET``): workflows by id,
runs newest first by ``(create_ts, workflow_id, instance_id)``, signals newest first by
``(create_ts, name, seq_id)``. Only the latest run of an instance is listed. Owner and tags
live in JSON documents, which nothing here queries by content (see ``tables``), so callers
filter them from the rows a page reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal_column, select, tuple_
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import aliased

from maestoso.store.sql.base import SqlBase
from maestoso.store.sql.tables import (
    maestro_workflow,
    maestro_workflow_instance,
    maestro_workflow_version,
)
from maestoso.store.sql.tables_triggers import (
    maestro_signal_instance,
    maestro_signal_trigger,
    maestro_time_trigger,
)

_wf = maestro_workflow
_ver = maestro_workflow_version
_inst = maestro_workflow_instance
_sig = maestro_signal_instance
_tt = maestro_time_trigger
_st = maestro_signal_trigger


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkflowListRow:
    workflow_id: str
    active_version_id: int
    latest_version_id: int
    latest_instance_id: int
    modify_ts: int
    properties: dict[str, Any]
    definition: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class RunListRow:
    workflow_id: str
    instance_id: int
    run_id: int
    version_id: int
    status: str
    initiator: dict[str, Any]
    create_ts: int
    start_ts: int | None
    end_ts: int | None


RunKey = tuple[int, str, int]
"""Where a page of runs ended: ``(create_ts, workflow_id, instance_id)`` of its last row."""

SignalKey = tuple[int, str, int]
"""Where a page of signals ended: ``(create_ts, name, seq_id)`` of its last row."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TriggerListRow:
    kind: str
    """``time`` or ``signal``."""
    trigger_uuid: str
    definition: dict[str, Any]
    next_fire_ts: int | None


class SqlListing:
    """The listing queries, read through the store's own transactions."""

    def __init__(self, store: SqlBase) -> None:
        self._store = store

    @classmethod
    def of(cls, store: object) -> SqlListing | None:
        """The listings of a SQL store; None for another store."""
        return cls(store) if isinstance(store, SqlBase) else None

    async def workflows(
        self, *, contains: str | None, after: str | None, limit: int
    ) -> list[WorkflowListRow]:
        """Up to ``limit`` workflows by id, after ``after``, whose id contains ``contains`` (in
        any case)."""
        query = (
            select(
                _wf.c.workflow_id,
                _wf.c.active_version_id,
                _wf.c.latest_version_id,
                _wf.c.latest_instance_id,
                _wf.c.modify_ts,
                _wf.c.properties_snapshot,
                _ver.c.definition,
            )
            .join(
                _ver,
                and_(
                    _ver.c.workflow_id == _wf.c.workflow_id,
                    _ver.c.version_id == _wf.c.latest_version_id,
                ),
            )
            .order_by(_wf.c.workflow_id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(_wf.c.workflow_id > after)
        if contains:
            # lower() on both sides: SQLite's LIKE ignores case, PostgreSQL's does not
            text = contains.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(func.lower(_wf.c.workflow_id).like(f"%{text}%", escape="\\"))
        rows = await self._all(query)
        return [_workflow_row(row) for row in rows]

    async def runs(
        self,
        *,
        workflow_id: str | None,
        statuses: tuple[str, ...],
        before: RunKey | None,
        limit: int,
    ) -> list[RunListRow]:
        """Up to ``limit`` instances (their latest runs), newest first, before ``before``."""
        newer = aliased(_inst)
        later_run = (
            select(literal_column("1"))
            .where(
                newer.c.workflow_id == _inst.c.workflow_id,
                newer.c.instance_id == _inst.c.instance_id,
                newer.c.run_id > _inst.c.run_id,
            )
            .exists()
        )
        key = tuple_(_inst.c.create_ts, _inst.c.workflow_id, _inst.c.instance_id)
        conditions: list[ColumnElement[bool]] = [~later_run]
        if workflow_id is not None:
            conditions.append(_inst.c.workflow_id == workflow_id)
        if statuses:
            conditions.append(_inst.c.status.in_(statuses))
        if before is not None:
            conditions.append(key < tuple_(*before))
        query = (
            select(_inst)
            .where(*conditions)
            .order_by(
                _inst.c.create_ts.desc(), _inst.c.workflow_id.desc(), _inst.c.instance_id.desc()
            )
            .limit(limit)
        )
        return [_run_row(row) for row in await self._all(query)]

    async def signals(self, *, before: SignalKey | None, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` signals, newest first, before ``before``: Maestro's signal instance
        JSON of each."""
        found = []
        for row in await self._all(signals_query(before, limit)):
            signal = {"name": row["name"], "seq_id": row["seq_id"], **row["instance"]}
            found.append({key: value for key, value in signal.items() if value is not None})
        return found

    async def triggers(self, workflow_id: str) -> list[TriggerListRow]:
        """The time triggers (in definition order), then the signal triggers, of a workflow's
        active version."""
        times = await self._all(
            select(_tt).where(_tt.c.workflow_id == workflow_id).order_by(_tt.c.trigger_index)
        )
        signals = await self._all(
            select(_st).where(_st.c.workflow_id == workflow_id).order_by(_st.c.create_ts)
        )
        return [
            *(
                TriggerListRow(
                    kind="time",
                    trigger_uuid=row["trigger_uuid"],
                    definition=(row["definition"] or {}).get("trigger") or {},
                    next_fire_ts=row["next_fire_ts"],
                )
                for row in times
            ),
            *(
                TriggerListRow(
                    kind="signal",
                    trigger_uuid=row["trigger_uuid"],
                    definition=row["definition"] or {},
                    next_fire_ts=None,
                )
                for row in signals
            ),
        ]

    async def next_fires(self, workflow_ids: list[str]) -> dict[str, int]:
        """The earliest next fire time of each workflow's time triggers (those that have one)."""
        if not workflow_ids:
            return {}
        query = (
            select(_tt.c.workflow_id, func.min(_tt.c.next_fire_ts).label("next_fire_ts"))
            .where(_tt.c.workflow_id.in_(workflow_ids), _tt.c.next_fire_ts.is_not(None))
            .group_by(_tt.c.workflow_id)
        )
        return {row["workflow_id"]: row["next_fire_ts"] for row in await self._all(query)}

    async def _all(self, query: Any) -> list[RowMapping]:
        return await self._store.read_rows(query)


def signals_query(before: SignalKey | None, limit: int) -> Select[Any]:
    """The page of signals before ``before``, read backwards along their index."""
    key = tuple_(_sig.c.create_ts, _sig.c.name, _sig.c.seq_id)
    query = (
        select(_sig.c.name, _sig.c.seq_id, _sig.c.instance)
        .order_by(_sig.c.create_ts.desc(), _sig.c.name.desc(), _sig.c.seq_id.desc())
        .limit(limit)
    )
    return query if before is None else query.where(key < tuple_(*before))


def _workflow_row(row: RowMapping) -> WorkflowListRow:
    return WorkflowListRow(
        workflow_id=row["workflow_id"],
        active_version_id=row["active_version_id"],
        latest_version_id=row["latest_version_id"],
        latest_instance_id=row["latest_instance_id"],
        modify_ts=row["modify_ts"],
        properties=row["properties_snapshot"] or {},
        definition=row["definition"] or {},
    )


def _run_row(row: RowMapping) -> RunListRow:
    return RunListRow(
        workflow_id=row["workflow_id"],
        instance_id=row["instance_id"],
        run_id=row["run_id"],
        version_id=row["version_id"],
        status=row["status"],
        initiator=row["initiator"] or {},
        create_ts=row["create_ts"],
        start_ts=row["start_ts"],
        end_ts=row["end_ts"],
    )
