"""Database URLs and engines: which driver, and how SQLite is made safe for one process.

SQLite allows one writer at a time. Every connection runs in WAL mode (readers never block
the writer), with ``synchronous=NORMAL`` (durable at checkpoints, fast commits) and foreign
keys on. SQLAlchemy, not the ``sqlite3`` module, emits ``BEGIN``: a write transaction begins
with ``BEGIN IMMEDIATE``, so it takes the write lock before reading anything and can never
fail halfway with "database is locked" when it upgrades from reading to writing.

The store's own transactions on SQLite run on a synchronous engine of their own (``inline``);
the asyncio engine made here, on ``aiosqlite``, serves migrations and maintenance tools. Each
of its connections runs on a thread of its own, which waits for another process's lock with a
busy timeout of ``BUSY_TIMEOUT_MS``, so it never stalls the loop. A connection returned to the
pool is rolled back only if a transaction is still open (a committed one needs no reset).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.util import await_

from maestoso.store.sql import query_metrics
from maestoso.store.sql.inline import BUSY_TIMEOUT_MS

SQLITE_DRIVER = "sqlite+aiosqlite"
POSTGRES_DRIVER = "postgresql+psycopg"
EMBEDDED_FILE = "maestoso.db"
WAL_SWITCH_ATTEMPTS = 100

_WRITE_OPTION = "maestoso_write"
_DRIVERS = {
    "sqlite": SQLITE_DRIVER,
    SQLITE_DRIVER: SQLITE_DRIVER,
    "postgres": POSTGRES_DRIVER,
    "postgresql": POSTGRES_DRIVER,
    POSTGRES_DRIVER: POSTGRES_DRIVER,
}


def database_url(url: str | None, home: Path) -> URL:
    """The async-driver URL for ``url``, or for the embedded SQLite file under ``home``."""
    if url is None:
        home.mkdir(parents=True, exist_ok=True)
        return URL.create(SQLITE_DRIVER, database=str((home / EMBEDDED_FILE).resolve()))
    return normalise_url(url)


def normalise_url(url: str | URL) -> URL:
    """``url`` with the async driver of its database.

    Accepts ``sqlite:///path``, ``postgresql://…``, ``postgres://…`` and
    ``postgresql+psycopg://…`` (and the async SQLite form ``sqlite+aiosqlite:///path``).
    """
    parsed = make_url(url)
    driver = _DRIVERS.get(parsed.drivername)
    if driver is None:
        raise ValueError(
            f"unsupported database URL scheme {parsed.drivername!r}: "
            "use sqlite:///path or postgresql://user@host/database"
        )
    parsed = parsed.set(drivername=driver)
    if driver == SQLITE_DRIVER:
        _check_sqlite_file(parsed)
    return parsed


def _check_sqlite_file(url: URL) -> None:
    if not url.database or url.database == ":memory:" or "memory" in url.query.get("mode", ""):
        raise ValueError("the store needs an SQLite file, not an in-memory database")
    Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


LOCK_TIMEOUT_MS = 60_000
IDLE_IN_TRANSACTION_MS = 10_000
"""A transaction whose node stopped answering mid-way (paused, frozen) is ended by the server
after this long, releasing its locks: the claim of a paused node's flow groups waits on
them. Maestoso's transactions never sit idle on purpose, but a live node starved of CPU (a
long garbage collection, a busy host) can pause between two statements for seconds: less
than the default group lease (12 s), so a claim seldom waits on a paused node's locks, and
long enough that such a node's work is not cut off in the middle."""


def create_engine(url: URL) -> AsyncEngine:
    """An engine for ``url`` (already normalised by ``database_url``)."""
    if url.drivername != SQLITE_DRIVER:
        # A row lock left by a connection lost mid-transaction must not stall its waiters
        # for ever: they fail (and are retried) after a minute instead.
        options = (
            f"-c lock_timeout={LOCK_TIMEOUT_MS} "
            f"-c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_MS}"
        )
        engine = create_async_engine(url, connect_args={"options": options})
        event.listen(engine.sync_engine, "checkin", _on_checkin)
        event.listen(engine.sync_engine, "checkout", _ping_if_idle)
        query_metrics.instrument(engine.sync_engine)
        return engine
    engine = create_async_engine(url, pool_reset_on_return=None)
    event.listen(engine.sync_engine, "connect", _on_sqlite_connect)
    event.listen(engine.sync_engine, "begin", _on_sqlite_begin)
    event.listen(engine.sync_engine, "reset", _on_sqlite_reset)
    query_metrics.instrument(engine.sync_engine)
    return engine


PING_AFTER_IDLE_SECONDS = 1.0
"""A PostgreSQL connection idle in the pool for longer is pinged before it is handed out."""


def _on_checkin(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info["returned"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
    """A connection the server dropped (a restart, a failover) is replaced on checkout
    instead of failing the request that drew it, as ``pool_pre_ping`` does, but only after
    it sat idle: a ping is a round trip, and a busy engine hands out connections that were
    in use a moment ago. (A failure on one in use invalidates the whole pool anyway.)"""
    returned = record.info.get("returned")
    if returned is None or time.monotonic() - returned < PING_AFTER_IDLE_SECONDS:
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        dbapi_connection.rollback()  # the ping's implicit transaction
    except Exception as error:
        raise exc.DisconnectionError(f"a pooled connection is gone: {error}") from error


def writer(engine: AsyncEngine) -> AsyncEngine:
    """The same engine, marked so that its transactions begin as writes on SQLite."""
    return engine.execution_options(**{_WRITE_OPTION: True})


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take BEGIN away from sqlite3 (its legacy mode skips BEGIN before SELECT and DDL);
    # _on_sqlite_begin emits it instead. PRAGMAs run outside any transaction, as they must.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")  # on the connection's thread
        _switch_to_wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _switch_to_wal(cursor: Any) -> None:
    """``PRAGMA journal_mode=WAL``, retried while another connection is switching too.

    Two connections switching a brand-new file at once can deadlock on its locks, and SQLite
    then answers "database is locked" at once instead of calling the busy handler.
    """
    for attempt in range(WAL_SWITCH_ATTEMPTS):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == WAL_SWITCH_ATTEMPTS - 1:
                raise
        await_(asyncio.sleep(0.005 * (attempt + 1)))


def _on_sqlite_begin(connection: Connection) -> None:
    write = connection.get_execution_options().get(_WRITE_OPTION, False)
    statement = "BEGIN IMMEDIATE" if write else "BEGIN"
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(statement)
    except sqlite3.Error as error:
        raise exc.DBAPIError.instance(statement, None, error, sqlite3.Error) from error
    finally:
        cursor.close()


def _on_sqlite_reset(dbapi_connection: Any, record: ConnectionPoolEntry, _state: Any) -> None:
    # Replaces the pool's unconditional rollback on return (reset_on_return=None).
    driver = record.driver_connection
    if driver is not None and driver.in_transaction:
        dbapi_connection.rollback()
