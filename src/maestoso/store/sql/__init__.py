"""The store on SQL: ``SqlStore`` over SQLAlchemy's asyncio engine, for SQLite and PostgreSQL.

One module per resource (definitions, instances, the queue, flow groups, signals, triggers,
step controls), the tables they share, and the Alembic migrations that create them.
"""

from __future__ import annotations

from maestoso.store.sql.store import SqlStore

__all__ = ["SqlStore"]
