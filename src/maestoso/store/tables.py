"""The schema of the store, as SQLAlchemy Core tables.

The tables follow Maestro's (``maestro_workflow``, ``maestro_workflow_version``, ...): the same
names, keys and columns, with timestamps as epoch milliseconds (``BIGINT``) and documents in
JSON columns. This module is the target of the migrations: a database migrated to head must
equal one created from ``metadata`` (a test checks it on both dialects).

Documents use the ``json`` type on PostgreSQL, not ``jsonb``: ``jsonb`` rewrites documents
(keys sorted by length, duplicates dropped), so the same definition would come back in a
different key order on PostgreSQL than on SQLite. The store hides the dialect, so it keeps
documents verbatim on both; a column that one day needs a GIN index can move to ``jsonb`` in
a migration (``USING col::jsonb``). Nothing here is queried by its JSON content: what is
queried gets a column and an index.

Internal ids come from ``workflow_id_seq`` (a real sequence on PostgreSQL) and, on SQLite,
which has no sequences, from a row of ``maestoso_sequence`` advanced inside the writing
transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    Sequence,
    Table,
    Text,
)
from sqlalchemy.engine import Connection

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

WORKFLOW_ID_START = 10000
"""The first internal id, as in Maestro."""

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _only_on(dialect: str, table: Table) -> Table:
    """Mark ``table`` as belonging to the schema of ``dialect`` only."""
    table.info["dialect"] = dialect
    return table


def _belongs_to(table: Table, dialect: str) -> bool:
    return table.info.get("dialect", dialect) == dialect  # type: ignore[no-any-return]


Document = JSON(none_as_null=True)
"""The column type of JSON documents (``json`` on PostgreSQL; see the module docstring).

Python ``None`` is stored as SQL ``NULL``, not as the JSON text ``null``."""

workflow_id_seq = Sequence("workflow_id_seq", start=WORKFLOW_ID_START, metadata=metadata)
"""Internal ids on PostgreSQL (ignored on SQLite, which has no sequences)."""

maestoso_sequence = _only_on(
    "sqlite",
    Table(
        "maestoso_sequence",
        metadata,
        Column("name", Text, nullable=False),
        Column("last_value", BigInteger, nullable=False),
        PrimaryKeyConstraint("name"),
    ),
)
"""Named counters standing in for sequences on SQLite: one row per sequence."""

maestro_workflow = Table(
    "maestro_workflow",
    metadata,
    Column("workflow_id", Text, nullable=False),
    Column("internal_id", BigInteger, nullable=False),
    Column("active_version_id", BigInteger, nullable=False),
    Column("activate_ts", BigInteger, nullable=True),
    Column("activated_by", Document, nullable=True),
    Column("properties_snapshot", Document, nullable=False),
    Column("latest_version_id", BigInteger, nullable=False),
    Column("latest_instance_id", BigInteger, nullable=False),
    Column("modify_ts", BigInteger, nullable=False),
    PrimaryKeyConstraint("workflow_id"),
    Index(None, "internal_id", unique=True),
)
"""One row per workflow; ``active_version_id`` is 0 when no version is active."""

maestro_workflow_version = Table(
    "maestro_workflow_version",
    metadata,
    Column("workflow_id", Text, nullable=False),
    Column("version_id", BigInteger, nullable=False),
    Column("metadata", Document, nullable=False),
    Column("definition", Document, nullable=False),
    Column("trigger_uuids", Document, nullable=True),
    Column("create_ts", BigInteger, nullable=False),
    PrimaryKeyConstraint("workflow_id", "version_id"),
)
"""Immutable versions of each workflow's definition."""

maestro_workflow_properties = Table(
    "maestro_workflow_properties",
    metadata,
    Column("workflow_id", Text, nullable=False),
    Column("create_time", BigInteger, nullable=False),
    Column("author", Document, nullable=True),
    Column("properties_changes", Document, nullable=False),
    Column("previous_snapshot", Document, nullable=True),
    PrimaryKeyConstraint("workflow_id", "create_time"),
)
"""The history of changes to each workflow's properties."""

maestro_workflow_timeline = Table(
    "maestro_workflow_timeline",
    metadata,
    Column("workflow_id", Text, nullable=False),
    Column("create_ts", BigInteger, nullable=False),
    Column("hash_id", Text, nullable=False),
    Column("change_event", Document, nullable=False),
    PrimaryKeyConstraint("workflow_id", "create_ts", "hash_id"),
)
"""Events of each workflow; ``hash_id`` (a digest of the event) makes replays idempotent."""

WORKFLOW_OWNED_TABLES: tuple[Table, ...] = (
    maestro_workflow_version,
    maestro_workflow_properties,
    maestro_workflow_timeline,
)
"""Tables whose rows (keyed by ``workflow_id``) are deleted with their workflow.

A table added later that belongs to a workflow joins this tuple, so that deleting a
workflow leaves nothing behind."""


def include_object_for(dialect: str) -> Callable[..., bool]:
    """An Alembic ``include_object`` hook that skips the tables of other dialects."""

    def include_object(
        obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
    ) -> bool:
        return type_ != "table" or reflected or _belongs_to(obj, dialect)

    return include_object


def tables_for(dialect: str) -> list[Table]:
    """The tables of the schema on ``dialect``, in dependency order."""
    return [table for table in metadata.sorted_tables if _belongs_to(table, dialect)]


def create_all(connection: Connection) -> None:
    """Create the schema directly, for tests that compare it with a migrated one.

    A real database is always created by migrating (``maestoso.store.migrate``).
    """
    metadata.create_all(connection, tables=tables_for(connection.dialect.name))
