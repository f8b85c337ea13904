"""SQLite on the loop's thread: a call that finds the file busy is repeated on a worker thread
with the busy timeout."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from sqlalchemy import exc
from sqlalchemy.engine import make_url

from maestoso.store.sql.inline import _patiently, inline_engine


def _busy() -> exc.OperationalError:
    return exc.OperationalError("SELECT 1", None, sqlite3.OperationalError("database is locked"))


async def test_a_busy_call_is_repeated_on_a_worker_thread_with_the_busy_timeout(
    tmp_path: Path,
) -> None:
    engine = inline_engine(make_url(f"sqlite:///{tmp_path / 'db.sqlite'}"))
    seen: list[tuple[str, int]] = []

    def call(dbapi: sqlite3.Connection) -> str:
        timeout = dbapi.execute("PRAGMA busy_timeout").fetchone()[0]
        seen.append((threading.current_thread().name, timeout))
        if threading.current_thread() is threading.main_thread():
            raise _busy()
        return "read"

    try:
        with engine.connect() as connection:
            dbapi = connection.connection.dbapi_connection
            assert isinstance(dbapi, sqlite3.Connection)

            assert await _patiently(connection, call, dbapi) == "read"

            assert dbapi.execute("PRAGMA busy_timeout").fetchone()[0] == 0
    finally:
        engine.dispose()
    (first, no_wait), (second, waits) = seen
    assert first == threading.main_thread().name and no_wait == 0
    assert second != first and waits > 0
