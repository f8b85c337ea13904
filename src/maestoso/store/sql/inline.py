"""The store's SQLite transactions, run by SQLAlchemy's synchronous Core on the loop's thread.

A local SQLite file in WAL mode answers a statement in microseconds; what a statement cost
through SQLAlchemy's asyncio layer was that layer: a greenlet spawned for every ``begin``,
``execute``, ``commit`` and ``close``, and a turn of the event loop for each (the layer insists
that every call awaits). On this path a transaction is plain calls of a synchronous
``Connection`` on the loop's thread, with one turn of the loop before it begins, so that a
burst of transactions does not starve the other tasks.

Only another process can make SQLite wait: its write lock, or the rare lock of a WAL
recovery. Connections have no busy timeout here; a ``BEGIN`` or a statement that finds the
database busy is repeated on a worker thread with a busy timeout of ``BUSY_TIMEOUT_MS``
while the loop goes on.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import URL, Connection, CursorResult, Engine
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool
from sqlalchemy.sql.base import Executable

from maestoso.store.sql import query_metrics
from maestoso.store.sql.connection import SqlConnection

T = TypeVar("T")

BUSY_TIMEOUT_MS = 30_000
"""How long a call handed to a worker thread waits for another process's lock."""
_BUSY = (sqlite3.SQLITE_BUSY, getattr(sqlite3, "SQLITE_BUSY_RECOVERY", 261))

_POOLED = 5
"""Connections kept open; more are opened when needed and closed on return, never waited for
(a wait for a pooled connection on the loop's thread would wait for ever)."""


def inline_engine(url: URL) -> Engine:
    """A synchronous engine on the SQLite file of ``url``, for ``transaction``."""
    engine = create_engine(
        url.set(drivername="sqlite+pysqlite"),
        poolclass=QueuePool,
        pool_size=_POOLED,
        max_overflow=-1,
        pool_reset_on_return=None,
        connect_args={"check_same_thread": False},
    )
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "reset", _on_reset)
    query_metrics.instrument(engine)
    return engine


def _on_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    # BEGIN is ours (``transaction``), not the sqlite3 module's. The file is already in WAL
    # mode: the store's migrations put it there, and the mode is kept in the file.
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("PRAGMA busy_timeout=0")
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")
    dbapi_connection.execute("PRAGMA foreign_keys=ON")


def _on_reset(dbapi_connection: sqlite3.Connection, _record: Any, _state: Any) -> None:
    # Replaces the pool's unconditional rollback on return (reset_on_return=None).
    if dbapi_connection.in_transaction:
        dbapi_connection.rollback()


def is_busy(error: BaseException | None) -> bool:
    """Whether ``error`` is SQLite's "database is locked" (another process holds a lock)."""
    if not isinstance(error, sqlite3.Error):
        return False
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code in _BUSY or (code & 0xFF) == sqlite3.SQLITE_BUSY
    return "locked" in str(error) or "busy" in str(error)


class InlineConnection(SqlConnection):
    """Statements called on the loop's thread, or on a worker thread while the file is busy."""

    __slots__ = ()

    async def execute(
        self, statement: Executable, parameters: Any = None, /
    ) -> CursorResult[*tuple[Any, ...]]:
        return await _patiently(self._connection, self._connection.execute, statement, parameters)


@asynccontextmanager
async def transaction(engine: Engine, *, write: bool) -> AsyncIterator[InlineConnection]:
    """A transaction on a connection of ``engine`` (an ``inline_engine``), committed when the
    block ends and rolled back if it raises. A write begins with ``BEGIN IMMEDIATE``: it holds
    the write lock before it reads anything, so it never fails halfway on a lock."""
    await asyncio.sleep(0)
    connection = engine.connect()
    try:
        dbapi_connection = connection.connection.dbapi_connection
        assert isinstance(dbapi_connection, sqlite3.Connection)
        begin = "BEGIN IMMEDIATE" if write else "BEGIN"
        await _patiently(connection, _begin, dbapi_connection, begin)
        with connection.begin():  # SQLAlchemy's bookkeeping: commits or rolls back
            yield InlineConnection(connection)
    finally:
        connection.close()


def _begin(connection: sqlite3.Connection, statement: str) -> None:
    try:
        connection.execute(statement)
    except sqlite3.Error as error:
        raise exc.DBAPIError.instance(statement, None, error, sqlite3.Error) from error


async def _patiently(connection: Connection, function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` on this thread; if the database is busy, again on a worker thread,
    waiting for the lock with the busy timeout."""
    try:
        return function(*args)
    except exc.OperationalError as error:
        if not is_busy(error.orig):
            raise
    dbapi_connection = connection.connection.dbapi_connection
    assert dbapi_connection is not None

    def waiting() -> T:
        dbapi_connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        try:
            return function(*args)
        finally:
            dbapi_connection.execute("PRAGMA busy_timeout=0")

    work = asyncio.ensure_future(asyncio.to_thread(waiting))
    try:
        return await asyncio.shield(work)
    except asyncio.CancelledError:
        # The connection is the thread's until it returns: only then may it be rolled back.
        await asyncio.wait([work])
        raise
