"""Wake-ups between nodes: PostgreSQL's ``NOTIFY`` and a dedicated ``LISTEN`` connection.

A notification is a short text on one channel, ``maestoso``; what it means is the engine's
business (``maestoso.engine.runtime.wakeups``). Sent inside a transaction it is delivered
when, and only if, that transaction commits, so a node woken by it finds the rows it is
about. Delivery is best effort (a listener that was away misses what was sent meanwhile),
so every consumer keeps a slower poll; a listener that reconnects delivers ``Topic.EVERYTHING``
first, for its consumers to look again at once. On SQLite there is one node, whose wake-ups
stay in-process: nothing is sent and nobody listens.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import psycopg
from sqlalchemy import func, select

from maestoso.clock import Clock
from maestoso.store.coordination import Topic
from maestoso.store.sql.base import SqlBase
from maestoso.store.sql.connection import SqlConnection

logger = logging.getLogger(__name__)

CHANNEL = "maestoso"
RECONNECT_MAX_SECONDS = 5.0
_KEEPALIVE = {
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 2,
}
"""A peer that vanished without closing (a network cut) is noticed within about 10 s."""


class NotifyMethods(SqlBase):
    """The notification part of ``SqlStore``."""

    @property
    def shared(self) -> bool:
        return self.is_postgres

    async def notify(self, message: str) -> None:
        if not self.is_postgres:
            return
        async with self._reading() as connection:  # autocommit: sent at once
            await send_notification(connection, message)

    def listen(self, deliver: Callable[[str], None]) -> Listener | None:
        if not self.is_postgres:
            return None
        url = self._engine.url.set(drivername="postgresql")
        conninfo = psycopg.conninfo.make_conninfo(
            url.render_as_string(hide_password=False), connect_timeout=5, **_KEEPALIVE
        )
        return Listener(conninfo, deliver, self._clock)


async def send_notification(connection: SqlConnection, message: str) -> None:
    """Notify every listener (on commit, inside a transaction); PostgreSQL only."""
    await connection.execute(select(func.pg_notify(CHANNEL, message)))


class Listener:
    """One connection that listens on ``CHANNEL`` and hands each notification to ``deliver``,
    reconnecting with capped backoff for as long as it is open."""

    def __init__(self, conninfo: str, deliver: Callable[[str], None], clock: Clock) -> None:
        self._conninfo = conninfo
        self._deliver = deliver
        self._clock = clock
        self.listening = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="notification-listener")

    async def close(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                connection = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)
                async with connection:
                    await connection.execute(f"LISTEN {CHANNEL}")
                    if failures:
                        logger.info("listening for notifications again")
                    failures = 0
                    self.listening.set()
                    self._deliver(Topic.EVERYTHING)
                    async for notification in connection.notifies():
                        self._deliver(notification.payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log = logger.warning if failures == 0 else logger.debug
                log("notification listener lost its connection: %s", exc)
            self.listening.clear()
            delay = min(0.2 * 2**failures, RECONNECT_MAX_SECONDS)
            failures = min(failures + 1, 16)
            await self._clock.sleep(delay)
