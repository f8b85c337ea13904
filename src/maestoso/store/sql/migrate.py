"""Running the Alembic migrations of the store, programmatically (no ``alembic.ini``).

The whole upgrade runs in one transaction. Two processes may start at once against the same
database: on PostgreSQL the upgrade holds a transaction-scoped advisory lock, so the second
waits and then finds the schema at head; on SQLite the transaction begins with
``BEGIN IMMEDIATE``, which serialises them the same way. The database lock is taken before
Alembic starts, which also matters within one process: Alembic keeps the running migration
in module globals, so two upgrades must never interleave.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from maestoso.errors import PlatformError
from maestoso.store.sql.database import writer

SCRIPT_LOCATION = Path(__file__).parent / "migrations"

MIGRATION_LOCK_KEY = 0x6D61_6573_746F_736F
"""The PostgreSQL advisory lock key held while migrating ("maestoso" in ASCII)."""


def alembic_config(url: str | None = None) -> Config:
    """A configuration pointing at the packaged migrations (and at ``url`` if given)."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.set_main_option("file_template", "v%%(rev)s_%%(slug)s")
    if url is not None:
        # ConfigParser interpolates '%': a URL-encoded password must survive it.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    """The newest revision shipped with this version of Maestoso."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Migrate the database of ``engine`` to ``revision``; a no-op when already there.

    Raises ``PlatformError`` when the database is at a revision this code does not know
    (a newer Maestoso migrated it).
    """
    try:
        async with writer(engine).begin() as connection:
            await connection.run_sync(_upgrade, revision)
    except CommandError as error:
        raise PlatformError(f"cannot migrate the database: {error}") from error


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at (None before the first migration)."""
    async with engine.connect() as connection:
        return await connection.run_sync(_current_revision)


def _upgrade(connection: Connection, revision: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()
