"""The durable job-event queue (``maestro_queue``) on SQL.

Events are inserted by the transaction of the change that causes them (``insert_events``), so
a change and its events commit together or not at all. A claim is one ``UPDATE … WHERE msg_id
IN (SELECT … LIMIT n)``: on PostgreSQL the inner select takes ``FOR UPDATE SKIP LOCKED``, so
concurrent claimers on any number of nodes split the ready events between them; on SQLite the
single writer serialises claims. A claim moves ``available_at`` past its lease, so an event
whose lease expired is simply available again, and the claim index (``available_at, msg_id``
over unparked events) serves both the claim and the next wake-up time. On PostgreSQL,
inserting events notifies every node (``Topic.QUEUE``) when the transaction commits.

Events are claimed in the order they became available (``available_at``, then enqueue order);
an event enqueued with ``available_at`` 0 is available since the epoch, so under sustained
overload events delayed by a retry wait behind those that asked for none.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import RowMapping, delete, false, func, insert, select, true, update

from maestoso.store.coordination import Topic
from maestoso.store.records import JobEvent, QueueBacklog, QueuedEvent
from maestoso.store.sql.base import SqlBase
from maestoso.store.sql.connection import SqlConnection
from maestoso.store.sql.notifications import send_notification
from maestoso.store.sql.tables import maestro_queue

_q = maestro_queue

_INSERT = insert(_q)
_RETURNED = (
    _q.c.msg_id,
    _q.c.queue_id,
    _q.c.type,
    _q.c.payload,
    _q.c.attempts,
    _q.c.owned_until,
    _q.c.create_time,
)


class QueueMethods(SqlBase):
    """The ``QueueStore`` part of ``SqlStore``."""

    async def enqueue(self, events: list[JobEvent]) -> None:
        if not events:
            return
        async with self._writing() as connection:
            await insert_events(connection, events, self._clock.now_ms())

    async def claim_events(
        self, *, owner: str, now: int, lease_ms: int, limit: int, queue_ids: list[int] | None = None
    ) -> list[QueuedEvent]:
        if limit < 0 or lease_ms < 0:
            raise ValueError(f"limit and lease must not be negative, got {limit}, {lease_ms}")
        if limit == 0 or queue_ids == []:
            return []
        ready = (
            select(_q.c.msg_id)
            .where(_q.c.parked == false(), _q.c.available_at <= now, _q.c.owned_until < now)
            .order_by(_q.c.available_at, _q.c.msg_id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        if queue_ids is not None:
            ready = ready.where(_q.c.queue_id.in_(queue_ids))
        until = now + lease_ms
        claim = (
            update(_q)
            .where(_q.c.msg_id.in_(ready))
            .values(
                owned_until=until,
                owner=owner,
                attempts=_q.c.attempts + 1,
                available_at=until + 1,
            )
            .returning(*_RETURNED)
        )
        async with self._writing_one() as connection:
            rows = (await connection.execute(claim)).mappings().all()
        return sorted((_event(row, claimed=True) for row in rows), key=lambda e: e.msg_id)

    async def complete_event(self, msg_id: int) -> None:
        async with self._writing_one() as connection:
            await connection.execute(delete(_q).where(_q.c.msg_id == msg_id))

    async def retry_event(self, msg_id: int, *, available_at: int, error: str) -> None:
        await self._release(msg_id, available_at=available_at, last_error=error)

    async def park_event(self, msg_id: int, *, error: str) -> None:
        await self._release(msg_id, parked=True, last_error=error)

    async def _release(self, msg_id: int, **values: Any) -> None:
        statement = (
            update(_q).where(_q.c.msg_id == msg_id).values(owned_until=0, owner=None, **values)
        )
        async with self._writing_one() as connection:
            await connection.execute(statement)

    async def parked_events(self, limit: int = 100) -> list[tuple[QueuedEvent, str]]:
        if limit < 0:
            raise ValueError(f"limit must not be negative, got {limit}")
        query = (
            select(*_RETURNED, _q.c.last_error)
            .where(_q.c.parked == true())
            .order_by(_q.c.msg_id)
            .limit(limit)
        )
        async with self._reading() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [(_event(row, claimed=False), row["last_error"] or "") for row in rows]

    async def next_available_time(self, queue_ids: list[int] | None = None) -> int | None:
        query = select(func.min(_q.c.available_at)).where(_q.c.parked == false())
        if queue_ids is not None:
            query = query.where(_q.c.queue_id.in_(queue_ids))
        async with self._reading() as connection:
            earliest = await connection.scalar(query)
        return None if earliest is None else int(earliest)

    async def queue_backlog(self, now: int) -> QueueBacklog:
        ready = select(func.count(), func.min(_q.c.create_time)).where(
            _q.c.parked == false(), _q.c.available_at <= now
        )
        parked = select(func.count()).select_from(_q).where(_q.c.parked == true())
        async with self._reading() as connection:
            count, oldest = (await connection.execute(ready)).one()
            parked_count = await connection.scalar(parked)
        return QueueBacklog(
            ready=int(count),
            oldest_create_time=None if oldest is None else int(oldest),
            parked=int(parked_count or 0),
        )


async def insert_events(connection: SqlConnection, events: list[JobEvent], now: int) -> None:
    """Enqueue ``events`` inside the caller's transaction (one statement, in their order)."""
    if not events:
        return
    rows = [
        {
            "queue_id": event.queue_id,
            "type": event.type,
            "payload": event.payload,
            "available_at": event.available_at,
            "owned_until": 0,
            "owner": None,
            "attempts": 0,
            "parked": False,
            "last_error": None,
            "create_time": now,
        }
        for event in events
    ]
    await connection.execute(_INSERT, rows)
    if connection.dialect.name == "postgresql":
        await send_notification(connection, Topic.QUEUE)


def _event(row: RowMapping, *, claimed: bool) -> QueuedEvent:
    return QueuedEvent(
        msg_id=row["msg_id"],
        queue_id=row["queue_id"],
        type=row["type"],
        payload=row["payload"],
        attempts=row["attempts"] - 1 if claimed else row["attempts"],
        owned_until=row["owned_until"],
        create_time=row["create_time"],
    )
