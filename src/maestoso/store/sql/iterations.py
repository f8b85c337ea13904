"""A step's latest attempts across a range of instances (flattened foreach views)."""

from __future__ import annotations

from sqlalchemy import select

from maestoso.store.iterations import IterationStep
from maestoso.store.sql.base import SqlBase
from maestoso.store.sql.tables import maestro_step_instance

_step = maestro_step_instance


class IterationMethods(SqlBase):
    """The ``IterationStore`` part of ``SqlStore``."""

    async def iteration_steps(
        self, workflow_id: str, step_id: str, low: int, high: int
    ) -> list[IterationStep]:
        if high < low:
            return []
        query = (
            select(
                _step.c.instance_id,
                _step.c.run_id,
                _step.c.attempt_id,
                _step.c.status,
                _step.c.runtime_state,
            )
            .where(
                _step.c.workflow_id == workflow_id,
                _step.c.instance_id >= low,
                _step.c.instance_id <= high,
                _step.c.step_id == step_id,
            )
            .order_by(_step.c.instance_id, _step.c.run_id, _step.c.attempt_id)
        )
        latest: dict[int, IterationStep] = {}
        async with self._reading() as connection:
            for row in await connection.execute(query):
                latest[int(row[0])] = IterationStep(
                    instance_id=int(row[0]),
                    run_id=int(row[1]),
                    attempt_id=int(row[2]),
                    status=str(row[3]),
                    runtime_state=dict(row[4] or {}),
                )
        return list(latest.values())
