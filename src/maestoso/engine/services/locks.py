"""Per-workflow locks: a node's starts and admissions of one workflow take turns, so a run
strategy counts what it admits without racing itself."""

from __future__ import annotations

import asyncio
import weakref


class WorkflowLocks:
    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def of(self, workflow_id: str) -> asyncio.Lock:
        lock = self._locks.get(workflow_id)
        if lock is None:
            lock = self._locks[workflow_id] = asyncio.Lock()
        return lock
