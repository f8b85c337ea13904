"""The audit log: every mutating call, written to the database in batches, read newest first.

``record`` only queues an entry; a writer task commits what has queued in one transaction
(group commit), so a burst of calls costs one write, not one each, and no call waits for it.
The writer lets entries gather for ``GATHER_SECONDS`` first: calls made one after another
share a commit too. Reading (``page``) first writes what is queued, so a caller sees its own
calls. An entry is lost only if the process dies in the moment between a call's answer and
its write.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

from maestoso.clock import Clock
from maestoso.errors import MaestosoError, ValidationError
from maestoso.store.security import AuditEntry, AuditStore

logger = logging.getLogger(__name__)

PAGE_SIZE_DEFAULT = 100
PAGE_SIZE_MAX = 1000
BATCH = 500
QUEUE_LIMIT = 100_000
"""Entries waiting to be written; past it (a database down for long) new ones are dropped
with an error in the log rather than growing without end."""
_KEY_CHARS = 300
RETRY_SECONDS = 1.0
"""How long the writer waits before it tries again after the database failed it."""
GATHER_SECONDS = 0.02
"""How long the writer lets entries gather before it writes them."""


class AuditLog:
    def __init__(self, store: AuditStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._pending: list[AuditEntry] = []
        self._wake = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    def start(self) -> None:
        if self._writer is None:
            self._writer = asyncio.create_task(self._run(), name="audit-writer")

    async def stop(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            try:
                await self._writer
            except asyncio.CancelledError:
                pass
            self._writer = None
        try:
            await self.flush()
        except MaestosoError:
            logger.exception("audit entries could not be written at shutdown")

    def record(self, entry: AuditEntry) -> None:
        if len(self._pending) >= QUEUE_LIMIT:
            logger.error("audit queue full: entry dropped: %s", entry)
            return
        self._pending.append(_bounded(entry))
        self._wake.set()

    async def flush(self) -> None:
        """Write every queued entry."""
        async with self._lock:
            while self._pending:
                batch = self._pending[:BATCH]
                await self._store.add_audit(batch)
                del self._pending[: len(batch)]

    async def page(
        self,
        *,
        first: int | None = None,
        cursor: str | None = None,
        user: str | None = None,
        workflow_id: str | None = None,
    ) -> dict[str, Any]:
        """``{"elements": [...], "cursor": ...}``, newest first; ``cursor`` reads on."""
        limit = PAGE_SIZE_DEFAULT if first is None else first
        if not 1 <= limit <= PAGE_SIZE_MAX:
            raise ValidationError(
                f"first must be between 1 and {PAGE_SIZE_MAX}", [f"first: {first}"]
            )
        before = None
        if cursor:
            if not cursor.isdigit() or len(cursor) > 18:
                raise ValidationError("invalid cursor", [f"cursor: [{cursor[:40]}]"])
            before = int(cursor)
        await self.flush()
        entries = await self._store.list_audit(
            before=before, limit=limit + 1, user=user, workflow_id=workflow_id
        )
        more = len(entries) > limit
        entries = entries[:limit]
        return {
            "elements": [entry.to_json() for entry in entries],
            "cursor": str(entries[-1].audit_id) if more and entries else None,
        }

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            await self._clock.sleep(GATHER_SECONDS)
            self._wake.clear()
            try:
                await self.flush()
            except MaestosoError:
                logger.exception("audit entries could not be written; retrying")
                await self._clock.sleep(RETRY_SECONDS)
                self._wake.set()


def _bounded(entry: AuditEntry) -> AuditEntry:
    """No NUL and key columns within their limit, whatever the request held."""
    return replace(
        entry,
        user=_clean(entry.user, _KEY_CHARS),
        workflow_id=_clean(entry.workflow_id, _KEY_CHARS),
        step_id=_clean(entry.step_id, 1000),
        path=_clean(entry.path, 2000) or "",
        action=_clean(entry.action, 1000) or "",
        request_id=_clean(entry.request_id, 100) or "",
        client=_clean(entry.client, 100),
    )


def _clean(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    return text.replace("\x00", "\ufffd")[:limit]
