"""Announced signals and their indexed params on SQL.

A signal's ``seq_id`` is the latest of its name + 1, computed in the inserting transaction;
on PostgreSQL a transaction-scoped advisory lock on the name makes concurrent announcers of
one name take turns (SQLite has a single writer anyway). Dedup is ``ON CONFLICT (name,
instance_id) DO NOTHING``: a duplicate writes nothing, not even its events.

Params are indexed one row each with an order-preserving text encoding (``encode_value``), so
``=``, ``<``, ``>=``… become range scans of the primary key ``(signal_name, param_name,
encoded_val, signal_seq_id)``. Several conditions intersect their seq ids.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, intersect, select, text
from sqlalchemy.engine import RowMapping

from maestoso.store.coordination import Topic
from maestoso.store.records import JobEvent
from maestoso.store.sql.base import SqlBase, upsert
from maestoso.store.sql.connection import SqlConnection
from maestoso.store.sql.notifications import send_notification
from maestoso.store.sql.queue import insert_events
from maestoso.store.sql.tables_triggers import maestro_signal_instance, maestro_signal_param
from maestoso.store.triggering import ParamCondition, SignalInstanceRow

_si = maestro_signal_instance
_sp = maestro_signal_param

_LONG_PREFIX = "n"
_STRING_PREFIX = "s"
_OFFSET = 1 << 63
_OPERATORS = {"=", ">", ">=", "<", "<="}


def encode_value(value: str | int) -> str:
    """Text whose byte order is the value order: longs as ``n`` + 16 hex digits of the value
    shifted to unsigned, strings as ``s`` + the string. Longs sort before strings."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(f"signal params are strings or longs, not {value!r}")
    if isinstance(value, int):
        if not -_OFFSET <= value < _OFFSET:
            raise ValueError(f"{value} does not fit in a long")
        return f"{_LONG_PREFIX}{value + _OFFSET:016x}"
    return _STRING_PREFIX + value


def _upper_bound(value: str | int) -> str:
    """The first encoding past every value of ``value``'s type."""
    return chr(ord(_LONG_PREFIX if isinstance(value, int) else _STRING_PREFIX) + 1)


class SignalMethods(SqlBase):
    """The ``SignalStore`` part of ``SqlStore``."""

    async def add_signal(
        self, signal: SignalInstanceRow, events: list[JobEvent]
    ) -> SignalInstanceRow | None:
        encoded = {name: encode_value(value) for name, value in signal.params.items()}
        async with self._writing() as connection:
            if self.is_postgres:
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": signal.name}
                )
            seq_id = await _insert_instance(connection, signal)
            if seq_id is None:
                return None
            if encoded:
                rows = [
                    {
                        "signal_name": signal.name,
                        "param_name": name,
                        "encoded_val": value,
                        "signal_seq_id": seq_id,
                    }
                    for name, value in encoded.items()
                ]
                await connection.execute(_sp.insert(), rows)
            await insert_events(connection, _with_seq_id(events, seq_id), self._clock.now_ms())
            if self.is_postgres:  # steps waiting for it on other nodes look at once
                await send_notification(connection, f"{Topic.SIGNAL}:{signal.name}")
        return _replace_seq(signal, seq_id)

    async def get_signal(self, name: str, seq_id: int | None = None) -> SignalInstanceRow | None:
        query = select(_si).where(_si.c.name == name)
        if seq_id is None:
            query = query.order_by(_si.c.seq_id.desc()).limit(1)
        else:
            query = query.where(_si.c.seq_id == seq_id)
        async with self._reading() as connection:
            row = (await connection.execute(query)).mappings().one_or_none()
        return None if row is None else _signal(row)

    async def match_signal(
        self, name: str, conditions: list[ParamCondition], *, after: int = 0
    ) -> int | None:
        async with self._reading() as connection:
            return await match_signal(connection, name, conditions, after)


async def match_signal(
    connection: SqlConnection, name: str, conditions: list[ParamCondition], after: int
) -> int | None:
    """``SignalStore.match_signal`` inside the caller's transaction."""
    if not conditions:
        query: Any = select(func.min(_si.c.seq_id)).where(_si.c.name == name, _si.c.seq_id > after)
        return _optional_int(await connection.scalar(query))
    selects = [_condition_query(name, condition, after) for condition in conditions]
    matched = selects[0] if len(selects) == 1 else intersect(*selects)
    seq = matched.subquery().c.signal_seq_id
    return _optional_int(await connection.scalar(select(func.min(seq))))


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _condition_query(name: str, condition: ParamCondition, after: int) -> Select[Any]:
    if condition.operator not in _OPERATORS:
        raise ValueError(f"unknown signal operator [{condition.operator}]")
    encoded = encode_value(condition.value)
    column = _sp.c.encoded_val
    query = select(_sp.c.signal_seq_id).where(
        _sp.c.signal_name == name,
        _sp.c.param_name == condition.param,
        _sp.c.signal_seq_id > after,
    )
    op = condition.operator
    if op == "=":
        return query.where(column == encoded)
    # A range stays within the encodings of the value's type.
    if op in (">", ">="):
        low = column > encoded if op == ">" else column >= encoded
        return query.where(low, column < _upper_bound(condition.value))
    high = column < encoded if op == "<" else column <= encoded
    return query.where(high, column >= encoded[0])


async def _insert_instance(connection: SqlConnection, signal: SignalInstanceRow) -> int | None:
    latest = select(func.coalesce(func.max(_si.c.seq_id), 0) + 1).where(_si.c.name == signal.name)
    seq_id = int(await connection.scalar(latest) or 1)
    document = {
        "instance_id": signal.instance_id,
        "params": signal.params,
        "payload": signal.payload,
        "request_time": signal.request_time,
        "create_time": signal.create_time,
    }
    statement = (
        upsert(connection.dialect.name, _si)
        .values(
            name=signal.name,
            seq_id=seq_id,
            instance_id=signal.instance_id,
            instance=document,
            create_ts=signal.create_time,
        )
        .on_conflict_do_nothing(index_elements=[_si.c.name, _si.c.instance_id])
        .returning(_si.c.seq_id)
    )
    return _optional_int(await connection.scalar(statement))


def _with_seq_id(events: list[JobEvent], seq_id: int) -> list[JobEvent]:
    result = []
    for event in events:
        if event.payload.get("seq_id") == 0:
            payload = {**event.payload, "seq_id": seq_id}
            event = JobEvent(
                type=event.type,
                payload=payload,
                queue_id=event.queue_id,
                available_at=event.available_at,
            )
        result.append(event)
    return result


def _replace_seq(signal: SignalInstanceRow, seq_id: int) -> SignalInstanceRow:
    return SignalInstanceRow(
        name=signal.name,
        seq_id=seq_id,
        instance_id=signal.instance_id,
        params=signal.params,
        payload=signal.payload,
        request_time=signal.request_time,
        create_time=signal.create_time,
    )


def _signal(row: RowMapping) -> SignalInstanceRow:
    document = row["instance"]
    return SignalInstanceRow(
        name=row["name"],
        seq_id=row["seq_id"],
        instance_id=row["instance_id"],
        params=document.get("params") or {},
        payload=document.get("payload"),
        request_time=document.get("request_time", row["create_ts"]),
        create_time=row["create_ts"],
    )
