"""SQLAlchemy's aiosqlite adapter, with SQLite called on the event loop's own thread.

``aiosqlite`` runs every call on its connection's own thread, each a round trip through the
event loop: a queue put, a thread wake-up, the GIL handed over and back, a
``call_soon_threadsafe`` to wake the loop. SQLAlchemy's adapter makes three or four per
statement (open a cursor, execute, fetch, close), and the store's transactions are short, so
those trips, not SQLite, were most of what a statement cost. Here a statement, ``BEGIN``,
``COMMIT`` and ``ROLLBACK`` are plain calls of the ``sqlite3`` connection on the loop's thread:
a local SQLite file in WAL mode answers in microseconds, and in this process the writes
already take turns (``SqlBase``'s write lock), so nothing here waits for another writer of
this process.

Only another process can make SQLite wait (its write lock, the rare lock of a WAL recovery).
The connection's busy timeout is therefore 0 on the loop's thread: a call that finds the
database busy is not retried there but handed to the connection's ``aiosqlite`` thread,
which waits for the lock with the full busy timeout (``BUSY_TIMEOUT_MS``) as before, while
the loop goes on. Connecting and closing stay on that thread too.

SQLAlchemy's asyncio layer insists that every execution awaits something: each call yields to
the loop once (``asyncio.sleep(0)``, no thread involved), as a call of a database would.
"""

from __future__ import annotations

import asyncio
import collections
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import await_

BUSY_TIMEOUT_MS = 30_000
"""How long a call handed to the driver's thread waits for another process's lock."""

T = TypeVar("T")
_Outcome = tuple[Any, list[Any], int, int]
"""``(description, rows, rowcount, lastrowid)`` of one execution."""
_BUSY = (sqlite3.SQLITE_BUSY, getattr(sqlite3, "SQLITE_BUSY_RECOVERY", 261))


def _execute(connection: sqlite3.Connection, operation: str, parameters: Any) -> _Outcome:
    cursor = connection.cursor()
    try:
        if parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid or 0
    finally:
        cursor.close()


def _executemany(connection: sqlite3.Connection, operation: str, parameters: Any) -> _Outcome:
    cursor = connection.cursor()
    try:
        cursor.executemany(operation, parameters)
        return cursor.description, [], cursor.rowcount, cursor.lastrowid or 0
    finally:
        cursor.close()


def is_busy(error: BaseException | None) -> bool:
    """Whether ``error`` is SQLite's "database is locked" (another process holds a lock)."""
    if not isinstance(error, sqlite3.Error):
        return False
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code in _BUSY or (code & 0xFF) == sqlite3.SQLITE_BUSY
    return "locked" in str(error) or "busy" in str(error)


def _waiting(function: Callable[..., T], connection: sqlite3.Connection, *args: Any) -> T:
    """``function`` on the driver's thread, waiting for locks with the full busy timeout."""
    connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    try:
        return function(connection, *args)
    finally:
        connection.execute("PRAGMA busy_timeout=0")


async def _yield() -> None:
    """Awaited by every call: SQLAlchemy's asyncio layer requires an await, and the loop gets
    its turn, as at any database call (a burst of statements must not starve other tasks, and
    a cancellation or a timeout due lands at the next statement)."""
    await asyncio.sleep(0)


def run(adapted: AsyncAdapt_aiosqlite_connection, function: Callable[..., T], *args: Any) -> T:
    """``function(sqlite3_connection, *args)`` on this thread; on the driver's thread,
    waiting, if the database is busy. Driver errors are raised as the adapter raises them."""
    driver = adapted._connection
    await_(_yield())
    try:
        try:
            return function(driver._conn, *args)
        except sqlite3.OperationalError as error:
            if not is_busy(error):
                raise
        return await_(driver._execute(_waiting, function, driver._conn, *args))  # type: ignore[no-any-return]
    except Exception as error:
        adapted._handle_exception(error)


class InlineCursor:
    """A DB-API cursor whose ``execute`` is one call of SQLite (see ``run``); the rows are
    fetched at once and kept."""

    server_side = False
    __slots__ = ("_adapt_connection", "_rows", "arraysize", "description", "lastrowid", "rowcount")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        self._adapt_connection = adapt_connection
        self._rows: collections.deque[Any] = collections.deque()
        self.arraysize = 1
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid = 0

    def _run(self, function: Callable[..., _Outcome], operation: str, parameters: Any) -> None:
        outcome = run(self._adapt_connection, function, operation, parameters)
        self.description, rows, self.rowcount, self.lastrowid = outcome
        self._rows = collections.deque(rows)

    def execute(self, operation: str, parameters: Any = None) -> None:
        self._run(_execute, operation, parameters)

    def executemany(self, operation: str, seq_of_parameters: Sequence[Any]) -> None:
        self._run(_executemany, operation, seq_of_parameters)

    async def _async_soft_close(self) -> None:
        """Nothing stays open in the driver after ``execute``."""

    def close(self) -> None:
        self._rows.clear()

    def setinputsizes(self, *inputsizes: Any) -> None:
        pass

    def nextset(self) -> None:
        self._rows.clear()

    def __enter__(self) -> InlineCursor:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[Any]:
        while self._rows:
            yield self._rows.popleft()

    def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    def fetchmany(self, size: int | None = None) -> list[Any]:
        rows = self._rows
        return [rows.popleft() for _ in range(min(size or self.arraysize, len(rows)))]

    def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows


def _commit(connection: sqlite3.Connection) -> None:
    connection.commit()


def _rollback(connection: sqlite3.Connection) -> None:
    connection.rollback()


class _Connection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = InlineCursor  # type: ignore[assignment]

    def commit(self) -> None:
        if self._connection._connection:
            run(self, _commit)

    def rollback(self) -> None:
        if self._connection._connection:
            run(self, _rollback)


class InlineDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The aiosqlite DB-API module of SQLAlchemy, making connections whose ``sqlite3``
    connection may be called from the loop's thread (and whose cursors do)."""

    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        creator = kw.pop("async_creator_fn", None)
        if creator is not None:
            connection = creator(*arg, **kw)
        else:
            kw["check_same_thread"] = False  # used from the loop's thread and its own
            connection = self.aiosqlite.connect(*arg, **kw)
            connection._thread.daemon = True  # as SQLAlchemy's: never holds the process up
        return _Connection(self, await_(connection))


def inline_dbapi() -> InlineDBAPI:
    import aiosqlite

    return InlineDBAPI(aiosqlite, sqlite3)


def begin(adapted: AsyncAdapt_aiosqlite_connection, statement: str) -> None:
    """``BEGIN`` or ``BEGIN IMMEDIATE`` (the latter may wait for another process's write)."""
    run(adapted, _begin, statement)


def _begin(connection: sqlite3.Connection, statement: str) -> None:
    if connection.in_transaction:
        # A transaction left open (a caller cancelled mid-way): nothing of it was used.
        connection.rollback()
    connection.execute(statement)
