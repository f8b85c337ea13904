"""Opening the store and migrating it, against real SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.conftest import PostgresServer

from maestoso.errors import PlatformError
from maestoso.store import SqlStore, open_store
from maestoso.store.records import NewVersion
from maestoso.store.sql import migrate
from maestoso.store.sql.database import create_engine, normalise_url, writer
from maestoso.store.sql.database import database_url as normalised
from maestoso.store.sql.schema import create_all, include_object_for, metadata


def differences(connection: Connection) -> list[Any]:
    """What autogenerate would change to make the database match ``tables.metadata``."""
    context = MigrationContext.configure(
        connection,
        opts={
            "include_object": include_object_for(connection.dialect.name),
            "compare_type": True,
            "compare_server_default": True,
        },
    )
    return list(compare_metadata(context, metadata))


def schema(connection: Connection) -> dict[str, Any]:
    """Everything the inspector sees of the database, but Alembic's own bookkeeping."""
    inspector = inspect(connection)
    tables = {}
    for name in sorted(inspector.get_table_names()):
        if name == "alembic_version":
            continue
        tables[name] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], c.get("default"))
                for c in inspector.get_columns(name)
            ],
            "primary_key": inspector.get_pk_constraint(name),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), i["unique"], _predicate(i))
                for i in inspector.get_indexes(name)
            ),
            "unique": sorted(
                (u["name"], tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(name)
            ),
            "foreign_keys": inspector.get_foreign_keys(name),
        }
    result: dict[str, Any] = {"tables": tables}
    if connection.dialect.name == "postgresql":
        sequences = "SELECT sequencename, start_value, increment_by FROM pg_sequences"
        result["sequences"] = sorted(tuple(row) for row in connection.execute(text(sequences)))
    return result


def _predicate(index: Any) -> str | None:
    """The ``WHERE`` of a partial index, as the database has it."""
    options = index.get("dialect_options", {})
    where = options.get("postgresql_where", options.get("sqlite_where"))
    return None if where is None else str(where)


async def inspected(engine: AsyncEngine, what: Callable[[Connection], Any]) -> Any:
    async with engine.connect() as connection:
        return await connection.run_sync(what)


async def migrated(url: str) -> AsyncEngine:
    engine = create_engine(normalise_url(url))
    await migrate.upgrade(engine)
    return engine


async def test_a_migrated_database_matches_the_tables(database_url: str) -> None:
    engine = await migrated(database_url)
    try:
        assert await inspected(engine, differences) == []
        assert await migrate.current_revision(engine) == migrate.head_revision()
    finally:
        await engine.dispose()


async def test_a_migrated_database_equals_a_created_one(
    new_database: Callable[[], str],
) -> None:
    upgraded = await migrated(new_database())
    created = create_engine(normalise_url(new_database()))
    try:
        async with created.begin() as connection:
            await connection.run_sync(create_all)

        expected = await inspected(created, schema)
        assert await inspected(upgraded, schema) == expected
        assert await inspected(created, differences) == []
        assert set(expected["tables"]) >= {
            "maestro_workflow",
            "maestro_workflow_version",
            "maestro_workflow_properties",
            "maestro_workflow_timeline",
            "maestro_workflow_instance",
            "maestro_step_instance",
            "maestro_queue",
            "maestro_flow_group",
        }
        partial = {
            index[0]: index[3]
            for table in expected["tables"].values()
            for index in table["indexes"]
            if index[3] is not None
        }
        assert set(partial) >= {
            "ix_maestro_workflow_instance_active",
            "ix_maestro_workflow_instance_group",
            "ix_maestro_queue_claim",
            "ix_maestro_queue_parked",
        }
        assert "'IN_PROGRESS'" in partial["ix_maestro_workflow_instance_group"]
    finally:
        await upgraded.dispose()
        await created.dispose()


async def test_downgrading_to_base_and_back(database_url: str) -> None:
    engine = await migrated(database_url)
    try:
        before = await inspected(engine, schema)

        await _alembic(engine, command.downgrade, "base")
        assert (await inspected(engine, schema))["tables"] == {}
        await migrate.upgrade(engine)

        assert await inspected(engine, schema) == before
    finally:
        await engine.dispose()


async def test_upgrading_a_database_with_workflows(database_url: str) -> None:
    engine = create_engine(normalise_url(database_url))
    try:
        await migrate.upgrade(engine, "0001")
        await SqlStore(engine).save_version(_version())
        await migrate.upgrade(engine)

        store = SqlStore(engine)
        workflow = await store.get_workflow("wf-a")
        assert workflow is not None and workflow.latest_instance_id == 0
        assert await store.count_instances("wf-a") == {}
        assert await inspected(engine, differences) == []
    finally:
        await engine.dispose()


async def test_documents_are_compressed_with_lz4_on_postgresql(
    postgres_server: PostgresServer,
) -> None:
    url = postgres_server.create_database()
    engine = await migrated(url)
    try:
        if not await inspected(engine, _offers_lz4):
            pytest.skip("this PostgreSQL server is built without LZ4: the columns keep pglz")
        assert await inspected(engine, _json_compressions) == {"l"}
        await SqlStore(engine).save_version(_version(definition=_large()))
        assert await inspected(engine, _stored_compression) == "lz4"

        await _alembic(engine, command.downgrade, "0011")
        assert await inspected(engine, _json_compressions) == {""}  # the server's default
    finally:
        await engine.dispose()
        postgres_server.drop_database(url)


def _json_compressions(connection: Connection) -> set[str]:
    """The compression methods of the store's JSON columns ('' for the server's default)."""
    query = """
        SELECT DISTINCT a.attcompression FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
        WHERE a.atttypid = 'json'::regtype AND c.relkind = 'r' AND a.attnum > 0
    """
    return {str(row[0]) for row in connection.execute(text(query))}


def _offers_lz4(connection: Connection) -> bool:
    query = "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
    return bool(connection.execute(text(query)).scalar())


def _stored_compression(connection: Connection) -> str:
    query = "SELECT pg_column_compression(definition) FROM maestro_workflow_version"
    return str(connection.execute(text(query)).scalar_one())


def _large() -> dict[str, Any]:
    """A definition PostgreSQL compresses (well over its 2 kB threshold, and repetitive)."""
    steps = [{"step": {"id": f"step-{n}", "type": "NoOp"}} for n in range(200)]
    return {"id": "wf-a", "steps": steps}


async def _alembic(engine: AsyncEngine, action: Callable[..., None], revision: str) -> None:
    def run(connection: Connection) -> None:
        config = migrate.alembic_config()
        config.attributes["connection"] = connection
        action(config, revision)

    async with writer(engine).begin() as connection:
        await connection.run_sync(run)


async def test_opening_twice_is_idempotent(database_url: str) -> None:
    first = await SqlStore.open(database_url)
    try:
        await first.save_version(_version())
    finally:
        await first.close()

    second = await SqlStore.open(database_url)
    try:
        assert await migrate.current_revision(second.engine) == migrate.head_revision()
        assert await second.get_version("wf-a", 1) is not None
        rows = await inspected(
            second.engine,
            lambda c: c.execute(text("SELECT version_num FROM alembic_version")).all(),
        )
        assert len(rows) == 1
    finally:
        await second.close()


async def test_a_database_from_a_newer_release_is_refused(database_url: str) -> None:
    engine = await migrated(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE alembic_version SET version_num = 'future'"))
    finally:
        await engine.dispose()

    with pytest.raises(PlatformError, match="future"):
        await SqlStore.open(database_url)


async def test_stores_opened_at_once_migrate_once(database_url: str) -> None:
    stores = await asyncio.gather(*(SqlStore.open(database_url) for _ in range(4)))
    try:
        assert await inspected(stores[0].engine, differences) == []
    finally:
        for store in stores:
            await store.close()


OPEN_AND_CLOSE = """
import asyncio, sys
from maestoso.store import SqlStore

async def main():
    store = await SqlStore.open(sys.argv[1])
    await store.close()

asyncio.run(main())
"""


async def test_processes_started_at_once_migrate_once(database_url: str) -> None:
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", OPEN_AND_CLOSE, database_url, stderr=asyncio.subprocess.PIPE
        )
        for _ in range(3)
    ]
    outcomes = [await process.communicate() for process in processes]

    assert [p.returncode for p in processes] == [0, 0, 0], [err for _, err in outcomes]
    engine = create_engine(normalise_url(database_url))
    try:
        assert await inspected(engine, differences) == []
    finally:
        await engine.dispose()


# -- opening -------------------------------------------------------------------------------------


async def test_open_store_defaults_to_a_file_under_home(tmp_path: Path) -> None:
    home = tmp_path / "home" / ".maestoso"

    store = await open_store(None, home)
    try:
        await store.save_version(_version())
    finally:
        await store.close()

    assert (home / "maestoso.db").is_file()


async def test_sqlite_connections_are_set_up_for_concurrency(tmp_path: Path) -> None:
    store = await SqlStore.open(f"sqlite:///{tmp_path / 'db.sqlite'}")
    pragmas = ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
    try:
        async with store.engine.connect() as connection:  # each on a thread of its own
            on_thread = [
                (await connection.exec_driver_sql(f"PRAGMA {p}")).scalar() for p in pragmas
            ]
        columns = ", ".join(f"(SELECT * FROM pragma_{p}()) AS {p}" for p in pragmas)
        [on_loop] = await store.read_rows(text(f"SELECT {columns}"))
    finally:
        await store.close()

    # synchronous 1 is NORMAL; no busy timeout on the loop's thread (see the next test)
    assert on_thread == ["wal", 1, 30_000, 1]
    assert list(on_loop.values()) == ["wal", 1, 0, 1]


async def test_a_write_waits_off_the_loop_for_another_process_lock(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    store = await SqlStore.open(f"sqlite:///{path}")
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    try:
        other.execute("BEGIN IMMEDIATE")  # another writer holds the write lock for a while
        asyncio.get_running_loop().call_later(0.5, other.execute, "COMMIT")
        await store.save_version(_version())  # waits for the lock, then writes
        assert await store.get_workflow(_version().workflow_id) is not None
        assert ticks >= 10  # the loop ran on while the write waited
    finally:
        ticker.cancel()
        other.close()
        await store.close()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///{tmp}/a.db", "sqlite+aiosqlite:///{tmp}/a.db"),
        ("sqlite+aiosqlite:///{tmp}/a.db", "sqlite+aiosqlite:///{tmp}/a.db"),
        ("postgresql://u@h:5/d", "postgresql+psycopg://u@h:5/d"),
        ("postgres://u:p@h/d", "postgresql+psycopg://u:p@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
    ],
)
def test_urls_are_given_async_drivers(tmp_path: Path, url: str, expected: str) -> None:
    result = normalised(url.format(tmp=tmp_path), tmp_path)

    assert result.render_as_string(hide_password=False) == expected.format(tmp=tmp_path)


@pytest.mark.parametrize("url", ["mysql://h/d", "sqlite://", "sqlite:///:memory:"])
def test_unsupported_urls_are_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(ValueError):
        normalised(url, tmp_path)


async def test_an_unreachable_database_is_a_platform_error() -> None:
    with pytest.raises(PlatformError):
        await SqlStore.open("postgresql://postgres@127.0.0.1:9/maestoso?connect_timeout=2")


def _version(definition: dict[str, Any] | None = None) -> NewVersion:
    return NewVersion(
        workflow_id="wf-a",
        version_id=1,
        metadata={},
        definition=definition or {"id": "wf-a"},
        trigger_uuids=None,
        create_time=1,
        activate=False,
        activated_by=None,
        properties_snapshot={"create_time": 1},
        properties_change=None,
    )
