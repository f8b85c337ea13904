"""What every part of ``SqlStore`` shares: the engine, its transactions and error translation.

On SQLite, writes in this process queue on one lock instead of contending for the file's
write lock (which would park a driver thread per waiter), and begin with ``BEGIN IMMEDIATE``
so that a write from another process makes them wait (busy timeout), never fail halfway.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from typing import Any

from sqlalchemy import Table, exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.base import Executable

from maestoso.clock import Clock, SystemClock, working_elsewhere
from maestoso.errors import (
    ConflictError,
    DatabaseUnavailableError,
    MaestosoError,
    PlatformError,
    ValidationError,
)
from maestoso.store.sql import native
from maestoso.store.sql.availability import is_unavailable
from maestoso.store.sql.connection import SqlConnection
from maestoso.store.sql.database import is_sqlite
from maestoso.store.sql.inline import inline_engine, transaction


class SqlBase:
    """The engine, the clock and the two kinds of transaction."""

    def __init__(self, engine: AsyncEngine, clock: Clock | None = None) -> None:
        """Wrap ``engine``, whose database must already be migrated to head. ``clock`` stamps
        the ``create_time`` of queued events (the system clock by default)."""
        self._engine = engine
        # SQLite: the store's transactions run on the loop's thread (see ``inline``);
        # PostgreSQL: on psycopg's coroutines, awaited directly (see ``native``).
        self._inline = inline_engine(engine.url) if is_sqlite(engine) else None
        self._write_lock = asyncio.Lock() if is_sqlite(engine) else None
        self._clock: Clock = clock or SystemClock()
        self._dialect = engine.dialect.name

    @property
    def engine(self) -> AsyncEngine:
        """The engine underneath, for tests and maintenance tools; the layers above use the
        port's methods."""
        return self._engine

    @property
    def is_postgres(self) -> bool:
        return self._dialect == "postgresql"

    # While a statement is out, a virtual clock (``FakeClock``) must not take the loop for
    # idle and move time on: on PostgreSQL the answer comes over a socket, later under load.

    async def read_rows(self, query: Executable) -> list[RowMapping]:
        """The rows of one query, read as the store's own reads are (for the listings)."""
        async with self._reading() as connection:
            return list((await connection.execute(query)).mappings())

    # Each returns its context manager as it is: one less generator on every transaction.

    def _reading(self) -> AbstractAsyncContextManager[SqlConnection]:
        return self._transaction(write=False)

    def _writing(self) -> AbstractAsyncContextManager[SqlConnection]:
        if self._write_lock is None:
            return self._transaction(write=True)
        return self._locked_writing(self._write_lock)

    @asynccontextmanager
    async def _locked_writing(self, lock: asyncio.Lock) -> AsyncIterator[SqlConnection]:
        async with lock, self._transaction(write=True) as connection:
            yield connection

    def _writing_one(self) -> AbstractAsyncContextManager[SqlConnection]:
        """A write of one statement. On PostgreSQL it runs in autocommit mode, a transaction of
        its own committed as it ends: one round trip instead of three (BEGIN and COMMIT)."""
        if self._inline is not None:
            return self._writing()
        return self._transaction(write=True, single=True)

    @asynccontextmanager
    async def _transaction(
        self, *, write: bool, single: bool = False
    ) -> AsyncIterator[SqlConnection]:
        with working_elsewhere(), translated():
            if self._inline is not None:
                async with transaction(self._inline, write=write) as inline:
                    yield inline
            else:
                async with native.transaction(
                    self._engine, write=write, single=single
                ) as connection:
                    yield connection


def upsert(dialect: str, table: Table) -> Any:
    """The dialect's ``INSERT`` with ``ON CONFLICT`` clauses (identical on both dialects)."""
    if dialect == "sqlite":
        return sqlite.insert(table)
    return postgresql.insert(table)


@contextmanager
def translated() -> Iterator[None]:
    """Turn driver errors into Maestoso's: callers above the store never see SQLAlchemy's."""
    try:
        yield
    except exc.IntegrityError as error:
        raise ConflictError(f"the write conflicts with stored data: {_reason(error)}") from error
    except exc.DataError as error:  # a value the database refuses: the caller's to fix
        raise ValidationError(f"the database refused a value: {_reason(error)}") from error
    except (exc.OperationalError, exc.InterfaceError, exc.TimeoutError, OSError) as error:
        if is_unavailable(error):
            raise DatabaseUnavailableError() from error
        raise PlatformError(f"the database failed: {_reason(error)}") from error
    except exc.DBAPIError as error:
        raise PlatformError(f"the database failed: {_reason(error)}") from error
    except exc.StatementError as error:  # a check of a bound value (see text_limits)
        if isinstance(error.orig, MaestosoError):
            raise error.orig from None
        raise


def _reason(error: Exception) -> str:
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0] if lines else ''}"
