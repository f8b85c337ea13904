"""Time and signal triggers of active workflow versions on SQL.

Exactly-once firing rests on compare-and-set: a time trigger's watermark moves only from the
value the scheduler read (``advance_time_trigger``), and a signal trigger's checkpoints only
under its row lock (``fire_signal_trigger``); the start events go in the same transaction. So
of two schedulers (two nodes, or one restarted) one fires a scheduled time and the other
writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, func, select, tuple_, union, update
from sqlalchemy.engine import RowMapping

from maestoso.store.records import JobEvent
from maestoso.store.sql.base import SqlBase, upsert
from maestoso.store.sql.connection import SqlConnection
from maestoso.store.sql.queue import insert_events
from maestoso.store.sql.signals import match_signal
from maestoso.store.sql.tables import maestro_workflow, maestro_workflow_version
from maestoso.store.sql.tables_triggers import (
    maestro_signal_instance,
    maestro_signal_subscription,
    maestro_signal_trigger,
    maestro_time_trigger,
)
from maestoso.store.triggering import ParamCondition, SignalTriggerRow, TimeTriggerRow

_tt = maestro_time_trigger
_st = maestro_signal_trigger
_sub = maestro_signal_subscription
_si = maestro_signal_instance


class TriggerMethods(SqlBase):
    """The ``TriggerStore`` part of ``SqlStore``."""

    async def replace_triggers(
        self,
        workflow_id: str,
        *,
        time_triggers: list[TimeTriggerRow],
        signal_triggers: list[SignalTriggerRow],
    ) -> None:
        now = self._clock.now_ms()
        async with self._writing() as connection:
            await _replace_time_triggers(connection, workflow_id, time_triggers, now)
            await _replace_signal_triggers(connection, workflow_id, signal_triggers, now)

    async def list_time_triggers(self, workflow_id: str) -> list[TimeTriggerRow]:
        query = (
            select(_tt)
            .where(_tt.c.workflow_id == workflow_id)
            .order_by(_tt.c.trigger_uuid, _tt.c.trigger_index)
        )
        async with self._reading() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_time_trigger(row) for row in rows]

    async def list_signal_triggers(self, workflow_id: str) -> list[SignalTriggerRow]:
        query = select(_st).where(_st.c.workflow_id == workflow_id).order_by(_st.c.trigger_uuid)
        async with self._reading() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_signal_trigger(row) for row in rows]

    async def triggered_workflows(self) -> list[str]:
        wf, ver = maestro_workflow, maestro_workflow_version
        active = (
            select(wf.c.workflow_id)
            .join(
                ver,
                (ver.c.workflow_id == wf.c.workflow_id)
                & (ver.c.version_id == wf.c.active_version_id),
            )
            .where(wf.c.active_version_id > 0, ver.c.trigger_uuids.is_not(None))
        )
        query = union(active, select(_tt.c.workflow_id), select(_st.c.workflow_id)).subquery()
        async with self._reading() as connection:
            ids = (await connection.execute(select(query.c.workflow_id))).scalars().all()
        return sorted(ids)

    async def due_time_triggers(self, now: int, *, limit: int) -> list[TimeTriggerRow]:
        query = (
            select(_tt).where(_tt.c.next_fire_ts <= now).order_by(_tt.c.next_fire_ts).limit(limit)
        )
        async with self._reading() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_time_trigger(row) for row in rows]

    async def next_time_trigger_fire(self) -> int | None:
        async with self._reading() as connection:
            earliest = await connection.scalar(select(func.min(_tt.c.next_fire_ts)))
        return None if earliest is None else int(earliest)

    async def advance_time_trigger(
        self,
        row: TimeTriggerRow,
        *,
        watermark: int,
        next_fire_time: int | None,
        events: list[JobEvent],
    ) -> bool:
        statement = (
            update(_tt)
            .where(
                _tt.c.workflow_id == row.workflow_id,
                _tt.c.trigger_uuid == row.trigger_uuid,
                _tt.c.trigger_index == row.trigger_index,
                _tt.c.watermark == row.watermark,
            )
            .values(watermark=watermark, next_fire_ts=next_fire_time)
        )
        async with self._writing() as connection:
            if (await connection.execute(statement)).rowcount != 1:
                return False
            await insert_events(connection, events, self._clock.now_ms())
        return True

    async def subscribed_triggers(self, signal_name: str) -> list[tuple[str, str]]:
        query = (
            select(_sub.c.workflow_id, _sub.c.trigger_uuid)
            .where(_sub.c.signal_name == signal_name)
            .order_by(_sub.c.workflow_id, _sub.c.trigger_uuid)
        )
        async with self._reading() as connection:
            rows = (await connection.execute(query)).all()
        return [(row[0], row[1]) for row in rows]

    async def fire_signal_trigger(
        self,
        workflow_id: str,
        trigger_uuid: str,
        *,
        base: tuple[str, int],
        lookups: dict[str, list[ParamCondition]],
        events: Callable[[dict[str, int]], list[JobEvent]],
    ) -> dict[str, int] | None:
        async with self._writing() as connection:
            row = await _locked_trigger(connection, workflow_id, trigger_uuid)
            if row is None:
                return None
            matched = await _match_all(connection, row, base, lookups)
            if matched is None:
                return None
            checkpoints = [matched.get(name, mark) for name, mark in _marks(row)]
            await connection.execute(
                update(_st)
                .where(_st.c.workflow_id == workflow_id, _st.c.trigger_uuid == trigger_uuid)
                .values(checkpoints=checkpoints)
            )
            await insert_events(connection, events(matched), self._clock.now_ms())
        return matched


# -- statements ------------------------------------------------------------------------------


async def _replace_time_triggers(
    connection: SqlConnection, workflow_id: str, rows: list[TimeTriggerRow], now: int
) -> None:
    keys = [(row.trigger_uuid, row.trigger_index) for row in rows]
    stale = delete(_tt).where(_tt.c.workflow_id == workflow_id)
    if keys:
        stale = stale.where(tuple_(_tt.c.trigger_uuid, _tt.c.trigger_index).not_in(keys))
    await connection.execute(stale)
    if not rows:
        return
    values = [
        {
            "workflow_id": workflow_id,
            "trigger_uuid": row.trigger_uuid,
            "trigger_index": row.trigger_index,
            "definition": row.definition,
            "watermark": row.watermark,
            "next_fire_ts": row.next_fire_time,
            "create_ts": now,
        }
        for row in rows
    ]
    statement = upsert(connection.dialect.name, _tt)
    # A trigger already there keeps its watermark; what rides along (the catch-up policy of
    # the version now active) is refreshed.
    statement = statement.on_conflict_do_update(
        index_elements=[_tt.c.workflow_id, _tt.c.trigger_uuid, _tt.c.trigger_index],
        set_={"definition": statement.excluded.definition},
    )
    await connection.execute(statement, values)


async def _replace_signal_triggers(
    connection: SqlConnection, workflow_id: str, rows: list[SignalTriggerRow], now: int
) -> None:
    uuids = [row.trigger_uuid for row in rows]
    for table in (_st, _sub):
        stale = delete(table).where(table.c.workflow_id == workflow_id)
        if uuids:
            stale = stale.where(table.c.trigger_uuid.not_in(uuids))
        await connection.execute(stale)
    for row in rows:
        signals = sorted(set(row.signals))
        checkpoints = [await _latest_seq(connection, name) for name in signals]
        dialect = connection.dialect.name
        await connection.execute(
            upsert(dialect, _st)
            .values(
                workflow_id=workflow_id,
                trigger_uuid=row.trigger_uuid,
                definition=row.definition,
                signals=signals,
                checkpoints=checkpoints,
                create_ts=now,
            )
            .on_conflict_do_nothing()
        )
        subscriptions = [
            {"signal_name": name, "workflow_id": workflow_id, "trigger_uuid": row.trigger_uuid}
            for name in signals
        ]
        await connection.execute(upsert(dialect, _sub).on_conflict_do_nothing(), subscriptions)


async def _latest_seq(connection: SqlConnection, name: str) -> int:
    latest = await connection.scalar(select(func.max(_si.c.seq_id)).where(_si.c.name == name))
    return int(latest or 0)


async def _locked_trigger(
    connection: SqlConnection, workflow_id: str, trigger_uuid: str
) -> RowMapping | None:
    query = (
        select(_st)
        .where(_st.c.workflow_id == workflow_id, _st.c.trigger_uuid == trigger_uuid)
        .with_for_update()
    )
    return (await connection.execute(query)).mappings().one_or_none()


def _marks(row: RowMapping) -> list[tuple[str, int]]:
    return list(zip(row["signals"], (int(c) for c in row["checkpoints"]), strict=True))


async def _match_all(
    connection: SqlConnection,
    row: RowMapping,
    base: tuple[str, int],
    lookups: dict[str, list[ParamCondition]],
) -> dict[str, int] | None:
    marks = dict(_marks(row))
    name, seq_id = base
    if name not in marks or marks[name] >= seq_id:
        return None  # consumed already, or no longer part of the trigger
    matched = {name: seq_id}
    for other, conditions in lookups.items():
        if other not in marks:
            return None
        found = await match_signal(connection, other, conditions, marks[other])
        if found is None:
            return None
        matched[other] = found
    return matched


# -- rows --------------------------------------------------------------------------------------


def _time_trigger(row: RowMapping) -> TimeTriggerRow:
    return TimeTriggerRow(
        workflow_id=row["workflow_id"],
        trigger_uuid=row["trigger_uuid"],
        trigger_index=row["trigger_index"],
        definition=row["definition"],
        watermark=row["watermark"],
        next_fire_time=row["next_fire_ts"],
    )


def _signal_trigger(row: RowMapping) -> SignalTriggerRow:
    signals: list[Any] = row["signals"]
    return SignalTriggerRow(
        workflow_id=row["workflow_id"],
        trigger_uuid=row["trigger_uuid"],
        definition=row["definition"],
        signals=[str(name) for name in signals],
        checkpoints=[int(c) for c in row["checkpoints"]],
    )
