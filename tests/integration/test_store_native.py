"""The PostgreSQL path of the store's transactions (``store/sql/native``), on a real server:
what it must keep of SQLAlchemy's own execution when psycopg is awaited directly."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    exc,
    exists,
    func,
    insert,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from maestoso.store.sql import native
from maestoso.store.sql.availability import is_unavailable
from maestoso.store.sql.connection import PlainRows
from maestoso.store.sql.database import normalise_url

pytestmark = pytest.mark.postgres

_meta = MetaData()
_item = Table(
    "native_item",
    _meta,
    Column("item_id", Integer, primary_key=True),
    Column("name", String(20), nullable=False),
)


@pytest.fixture
async def engine(postgres_server: object) -> AsyncIterator[AsyncEngine]:
    """An engine of one pooled connection, so that each transaction reuses what the last one
    gave back."""
    server = postgres_server
    url = server.create_database()  # type: ignore[attr-defined]
    engine = create_async_engine(normalise_url(url), pool_size=1, max_overflow=0)
    async with engine.begin() as connection:
        await connection.run_sync(_meta.create_all)
    try:
        yield engine
    finally:
        await engine.dispose()
        server.drop_database(url)  # type: ignore[attr-defined]


async def _names(engine: AsyncEngine) -> list[str]:
    async with native.transaction(engine, write=False) as connection:
        return list((await connection.execute(select(_item.c.name))).scalars())


async def test_a_write_commits_all_or_nothing(engine: AsyncEngine) -> None:
    async with native.transaction(engine, write=True) as connection:
        await connection.execute(
            insert(_item), [{"item_id": 1, "name": "a"}, {"item_id": 2, "name": "b"}]
        )
        changed = await connection.execute(update(_item).values(name=_item.c.name + "!"))
        assert changed.rowcount == 2
    with pytest.raises(exc.IntegrityError):
        async with native.transaction(engine, write=True) as connection:
            await connection.execute(insert(_item).values(item_id=3, name="c"))
            await connection.execute(insert(_item).values(item_id=1, name="again"))
    assert sorted(await _names(engine)) == ["a!", "b!"]


async def test_many_rows_returned_by_one_insert_come_back_in_order(engine: AsyncEngine) -> None:
    rows = [{"item_id": n, "name": f"n{n}"} for n in range(5, 0, -1)]
    async with native.transaction(engine, write=True) as connection:
        result = await connection.execute(insert(_item).returning(_item.c.item_id), rows)
        assert list(result.scalars()) == [5, 4, 3, 2, 1]


async def test_a_read_gives_its_connection_back_ready_for_a_transaction(
    engine: AsyncEngine,
) -> None:
    await _names(engine)  # autocommit while it reads
    async with engine.connect() as connection:  # the same pooled connection
        await connection.execute(insert(_item).values(item_id=1, name="a"))
        await connection.rollback()
    assert await _names(engine) == []


async def test_a_write_of_one_statement_commits_alone_and_gives_back_a_clean_connection(
    engine: AsyncEngine,
) -> None:
    async with native.transaction(engine, write=True, single=True) as connection:
        await connection.execute(insert(_item).values(item_id=1, name="a"))
        # Committed by the statement itself: another session sees it before the block ends.
        url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(url) as other:
            assert other.execute("SELECT name FROM native_item").fetchall() == [("a",)]
        with pytest.raises(RuntimeError, match="not be atomic"):
            await connection.execute(insert(_item).values(item_id=2, name="b"))
    async with engine.connect() as connection:  # the same pooled connection
        await connection.execute(insert(_item).values(item_id=3, name="c"))
        await connection.rollback()
    assert await _names(engine) == ["a"]


async def test_plain_statements_return_what_sqlalchemys_execution_would(
    engine: AsyncEngine,
) -> None:
    async with native.transaction(engine, write=True) as connection:
        await connection.execute(
            insert(_item), [{"item_id": n, "name": f"n{n}"} for n in (1, 2, 3)]
        )
    by_key = select(_item).where(_item.c.item_id == bindparam("id"))
    statements: list[tuple[Any, Any, bool]] = [
        (by_key, {"id": 2}, True),
        (select(func.count()).select_from(_item), None, True),
        (select(exists().where(_item.c.name == "n3")), None, True),
        (update(_item).where(_item.c.item_id > 1).values(name=_item.c.name + "%"), None, True),
        (select(_item.c.name).order_by(_item.c.item_id.desc()), None, True),
        (select(_item.c.name).where(_item.c.item_id.in_([1, 3])), None, False),  # expanding
    ]
    for statement, parameters, plain in statements:
        async with engine.connect() as connection:  # SQLAlchemy's own execution, rolled back
            theirs = await connection.execute(statement, parameters)
            # A row count is what a DML statement without RETURNING answers with.
            expected = list(theirs.mappings()) if theirs.returns_rows else theirs.rowcount
            await connection.rollback()
        async with native.transaction(engine, write=True) as connection:
            ours = await connection.execute(statement, parameters)
            assert isinstance(ours, PlainRows) is plain, statement
            got = list(ours.mappings()) if isinstance(expected, list) else ours.rowcount
            assert got == expected, statement


@pytest.mark.parametrize(
    "statement", [text("SELECT pg_sleep(30)"), select(func.pg_sleep(30))], ids=["text", "plain"]
)
async def test_a_cancelled_statement_is_cancelled_on_the_server_too(
    engine: AsyncEngine, statement: Any
) -> None:
    async def sleep() -> None:
        async with native.transaction(engine, write=False) as connection:
            await connection.execute(statement)

    task = asyncio.create_task(sleep())
    await asyncio.sleep(0.3)
    began = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await _names(engine) == []  # the one connection is back, and answers
    assert time.monotonic() - began < 5


async def test_a_lost_connection_fails_as_unavailable_and_is_replaced(
    engine: AsyncEngine, postgres_server: object
) -> None:
    async with native.transaction(engine, write=False) as connection:
        pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    admin = postgres_server.admin_url  # type: ignore[attr-defined]
    with psycopg.connect(admin, autocommit=True) as killer:
        killer.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with pytest.raises(exc.DBAPIError) as raised:
        await _names(engine)
    assert is_unavailable(raised.value)
    assert await _names(engine) == []


async def test_a_statement_without_parameters_keeps_its_percent_signs(
    engine: AsyncEngine,
) -> None:
    async with native.transaction(engine, write=True) as connection:
        await connection.execute(insert(_item).values(item_id=1, name="100%"))
    async with native.transaction(engine, write=False) as connection:
        found = select(_item.c.name).where(_item.c.name == literal_column("'100%'"))
        assert list((await connection.execute(found)).scalars()) == ["100%"]


async def test_transactions_beyond_the_pool_wait_for_a_connection(engine: AsyncEngine) -> None:
    async def add(n: int) -> None:
        async with native.transaction(engine, write=True) as connection:
            await connection.execute(insert(_item).values(item_id=n, name=f"n{n}"))
            await connection.execute(text("SELECT pg_sleep(0.01)"))

    await asyncio.gather(*(add(n) for n in range(30)), *(_names(engine) for _ in range(30)))
    assert len(await _names(engine)) == 30
