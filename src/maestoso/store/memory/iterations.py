"""A step's latest attempts across a range of instances, in memory."""

from __future__ import annotations

from maestoso.store.iterations import IterationStep
from maestoso.store.memory.base import MemoryBase, copied, round_trip


class IterationMethods(MemoryBase):
    """The ``IterationStore`` part of ``MemoryStore``."""

    async def iteration_steps(
        self, workflow_id: str, step_id: str, low: int, high: int
    ) -> list[IterationStep]:
        await round_trip()
        latest: dict[int, IterationStep] = {}
        for (owner, instance_id), attempts in self._tables.steps.items():
            if owner != workflow_id or not low <= instance_id <= high:
                continue
            for (run_id, step, attempt_id), row in sorted(attempts.items()):
                if step == step_id:
                    latest[instance_id] = IterationStep(
                        instance_id=instance_id,
                        run_id=run_id,
                        attempt_id=attempt_id,
                        status=row.status,
                        runtime_state=copied(dict(row.runtime_state)),
                    )
        return [latest[key] for key in sorted(latest)]
