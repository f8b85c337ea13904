"""Child instances in memory: the inline instances of foreach and while steps, and the reads
their parents make over windows of instance ids."""

from __future__ import annotations

from typing import Any

from maestoso.store.memory.base import MemoryBase, copied, round_trip
from maestoso.store.records import InstanceRow

_UNFINISHED = ("CREATED", "IN_PROGRESS", "PAUSED")


class ChildMethods(MemoryBase):
    """The ``ChildStore`` part of ``MemoryStore``."""

    async def create_inline_instances(self, rows: list[InstanceRow]) -> list[InstanceRow]:
        await round_trip()
        if not rows:
            return []
        runs = self._tables.instances.setdefault(rows[0].workflow_id, {})
        run_id = rows[0].run_id
        new = [row for row in rows if (row.instance_id, run_id) not in runs]
        for row in new:
            runs.setdefault((row.instance_id, row.run_id), copied(row))
        return copied(new)

    async def child_statuses(
        self, workflow_id: str, low: int, high: int, run_id: int = 1
    ) -> list[tuple[int, str]]:
        await round_trip()
        return [
            (row.instance_id, row.status) for row in self._window(workflow_id, low, high, run_id)
        ]

    async def child_overviews(
        self, workflow_id: str, low: int, high: int, run_id: int = 1
    ) -> list[dict[str, Any]]:
        await round_trip()
        rows = self._window(workflow_id, low, high, run_id)
        return [copied(row.runtime_overview) for row in rows if row.runtime_overview]

    async def unfinished_children(
        self, workflow_id: str, low: int, high: int
    ) -> list[tuple[int, int, str]]:
        await round_trip()
        runs = self._tables.instances.get(workflow_id, {})
        keys = sorted(k for k, r in runs.items() if low <= k[0] <= high and r.status in _UNFINISHED)
        return [(i, r, runs[(i, r)].status) for i, r in keys]

    def _window(self, workflow_id: str, low: int, high: int, run_id: int) -> list[InstanceRow]:
        runs = self._tables.instances.get(workflow_id, {})
        if high - low < len(runs):
            # A loop reads a small window of many iterations: look its ids up.
            return [runs[(i, run_id)] for i in range(low, high + 1) if (i, run_id) in runs]
        ids = sorted(i for i, r in runs if r == run_id and low <= i <= high)
        return [runs[(i, run_id)] for i in ids]
