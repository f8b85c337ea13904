"""Helpers of the store contract: handles on one set of rows, and what the port shows of a
workflow table by table (to check that a failed write wrote nothing and that a deletion left
nothing behind)."""

from __future__ import annotations

from maestoso.clock import Clock
from maestoso.store import SqlStore, Store
from maestoso.store.memory import MemoryStore

EVERYTHING = 10**12


class Stores:
    """Handles on one set of rows, closed at the end of the test."""

    def __init__(self, kind: str, url: str | None) -> None:
        self.kind = kind
        self._url = url
        self._opened: list[Store] = []

    async def open(self, clock: Clock | None = None) -> Store:
        opened: Store
        if self._url is not None:
            opened = await SqlStore.open(self._url, clock=clock)
        elif self._opened:
            opened = MemoryStore(clock, shared_with=self._first_memory())
        else:
            opened = MemoryStore(clock)
        self._opened.append(opened)
        return opened

    def _first_memory(self) -> MemoryStore:
        first = self._opened[0]
        assert isinstance(first, MemoryStore)
        return first

    async def close(self) -> None:
        for opened in self._opened:
            await opened.close()


async def row_counts(store: Store, workflow_id: str) -> dict[str, int]:
    """How many rows of each kind the store returns for ``workflow_id``."""
    versions = await store.list_versions(workflow_id, cursor=None, limit=0, descending=False)
    runs = attempts = 0
    for latest in await store.list_instances(workflow_id, low=0, high=EVERYTHING):
        instance_id = latest.instance_id
        step_ids: set[str] = set()
        for run in await store.list_runs(workflow_id, instance_id):
            runs += 1
            found = await store.get_step_attempts(workflow_id, instance_id, run.run_id)
            step_ids |= {a.step_id for a in found}
        for step_id in step_ids:
            attempts += len(await store.list_step_attempts(workflow_id, instance_id, step_id))
    breakpoints = [
        *await store.list_breakpoints(workflow_id, None, system_generated=False),
        *await store.list_breakpoints(workflow_id, None, system_generated=True),
    ]
    return {
        "maestro_workflow": int(await store.get_workflow(workflow_id) is not None),
        "maestro_workflow_version": versions.total_count,
        "maestro_workflow_properties": len(await store.list_properties_changes(workflow_id)),
        "maestro_workflow_timeline": len(await store.list_timeline(workflow_id, limit=EVERYTHING)),
        "maestro_workflow_instance": runs,
        "maestro_step_instance": attempts,
        "maestro_time_trigger": len(await store.list_time_triggers(workflow_id)),
        "maestro_signal_trigger": len(await store.list_signal_triggers(workflow_id)),
        "maestro_step_breakpoint": len(breakpoints),
    }
