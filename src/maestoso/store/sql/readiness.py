"""Whether the store can serve now: its database answers and its schema is current."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from maestoso.store.sql.availability import is_unavailable
from maestoso.store.sql.migrate import current_revision, head_revision

logger = logging.getLogger(__name__)


async def database_problems(store: Any) -> list[str]:
    """What keeps ``store`` (a ``SqlStore``) from serving; empty when it is ready.

    The problems name no host, port or URL: probes are often public.
    """
    engine: AsyncEngine | None = getattr(store, "_engine", None)
    if engine is None:
        return []  # a store without a database (a fake) is always ready
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        revision = await current_revision(engine)
    except Exception as error:
        logger.warning("readiness: the database failed: %s", error)
        if is_unavailable(error):
            return ["the database is unavailable"]
        return [f"the database failed: {type(error).__name__}"]
    head = head_revision()
    if revision != head:
        return [f"the database schema is at [{revision}], not at this version's [{head}]"]
    return []
