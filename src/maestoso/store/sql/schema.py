"""The whole schema: every table of the store, the target of the migrations.

A database migrated to head must equal one created from ``metadata`` (a test checks it on
both dialects).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection

from maestoso.store.sql import tables
from maestoso.store.sql.tables import belongs_to, metadata
from maestoso.store.sql.tables_deliveries import maestoso_delivery
from maestoso.store.sql.tables_security import maestoso_audit, maestoso_token
from maestoso.store.sql.tables_templates import maestro_job_template
from maestoso.store.sql.tables_triggers import (
    maestro_signal_subscription,
    maestro_signal_trigger,
    maestro_step_breakpoint,
    maestro_time_trigger,
)
from maestoso.store.sql.text_limits import check_text_columns

__all__ = [
    "WORKFLOW_OWNED_TABLES",
    "create_all",
    "include_object_for",
    "maestoso_delivery",
    "maestro_job_template",
    "metadata",
    "tables_for",
]

WORKFLOW_OWNED_TABLES: tuple[Table, ...] = (
    *tables.WORKFLOW_OWNED_TABLES,
    # Deleting a workflow deletes its triggers (signal instances belong to no workflow).
    maestro_signal_trigger,
    maestro_signal_subscription,
    maestro_time_trigger,
    maestro_step_breakpoint,
    maestoso_delivery,
)
"""The tables whose rows go with a deleted workflow."""

SECURITY_TABLES = (maestoso_token, maestoso_audit)
"""Tokens and the audit log: they outlive any workflow."""

# The same text rules on both databases (no NUL, bounded keys): see text_limits.
check_text_columns(metadata)


def include_object_for(dialect: str) -> Callable[..., bool]:
    """An Alembic ``include_object`` hook that skips the tables of other dialects."""

    def include_object(
        obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
    ) -> bool:
        return type_ != "table" or reflected or belongs_to(obj, dialect)

    return include_object


def tables_for(dialect: str) -> list[Table]:
    """The tables of the schema on ``dialect``, in dependency order."""
    return [table for table in metadata.sorted_tables if belongs_to(table, dialect)]


def create_all(connection: Connection) -> None:
    """Create the schema directly, for tests that compare it with a migrated one.

    A real database is always created by migrating (``maestoso.store.sql.migrate``).
    """
    metadata.create_all(connection, tables=tables_for(connection.dialect.name))
