"""Persistence: the store port, its SQL adapter for SQLite and PostgreSQL, and migrations.

``open_store`` is the way in: it picks the database (the embedded SQLite file under the
data directory, or the URL given), migrates it to head and returns the ``Store``.
"""

from __future__ import annotations

from pathlib import Path

from maestoso.clock import Clock
from maestoso.store.coordination import FlowGroupStore, QueueStore
from maestoso.store.port import DefinitionStore, InstanceStore, Store
from maestoso.store.sql.availability import is_unavailable
from maestoso.store.sql.database import database_url
from maestoso.store.sql.readiness import database_problems
from maestoso.store.sql.store import SqlStore

__all__ = [
    "DefinitionStore",
    "FlowGroupStore",
    "InstanceStore",
    "QueueStore",
    "SqlStore",
    "Store",
    "database_problems",
    "is_unavailable",
    "open_store",
]


async def open_store(url: str | None, home: Path, *, clock: Clock | None = None) -> Store:
    """Open the store at ``url``, or at ``<home>/maestoso.db`` when ``url`` is None.

    ``url`` may be ``sqlite:///path``, ``postgresql://…``, ``postgres://…`` or
    ``postgresql+psycopg://…``. The database is migrated to head before this returns; doing
    so again (another process, a restart) is a no-op. Raises ``ValueError`` for a URL of
    another kind and ``PlatformError`` when the database cannot be reached. ``clock`` stamps
    queued events (the system clock by default).
    """
    return await SqlStore.open(database_url(url, home), clock=clock)
