"""Child instances on SQL: the inline instances of foreach and while steps, and the reads
their parents make.

An inline workflow has no workflow row: its instance ids are chosen by the parent step (the
iteration number), so inserting them allocates nothing, and inserting one twice (a parent
resumed after a crash launches its batch again) is a no-op (``ON CONFLICT DO NOTHING`` on
the primary key). The parents' reads are range scans of that primary key, ``(workflow_id,
instance_id, run_id)``: a loop reads only the window of iterations it has not folded into
its counters yet, never all of them.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import select

from maestoso.store.port import ChildStore
from maestoso.store.records import InstanceRow
from maestoso.store.sql.base import SqlBase, upsert
from maestoso.store.sql.instances import _instance_values
from maestoso.store.sql.tables import maestro_workflow_instance

_inst = maestro_workflow_instance
_UNFINISHED = ("CREATED", "IN_PROGRESS", "PAUSED")

# ``ChildStore`` is the port's; re-exported for the modules that import it from here.
__all__ = ["ChildMethods", "ChildStore"]


class ChildMethods(SqlBase):
    """The ``ChildStore`` part of ``SqlStore``."""

    async def create_inline_instances(self, rows: list[InstanceRow]) -> list[InstanceRow]:
        if not rows:
            return []
        workflow_id = rows[0].workflow_id
        ids = [row.instance_id for row in rows]
        existing = select(_inst.c.instance_id).where(
            _inst.c.workflow_id == workflow_id,
            _inst.c.instance_id.between(min(ids), max(ids)),
            _inst.c.run_id == rows[0].run_id,
        )
        async with self._writing() as connection:
            taken = set((await connection.execute(existing)).scalars().all())
            new = [row for row in rows if row.instance_id not in taken]
            if new:
                await connection.execute(
                    _insert_ignoring(self._dialect), [_instance_values(row) for row in new]
                )
        return new

    async def child_statuses(
        self, workflow_id: str, low: int, high: int, run_id: int = 1
    ) -> list[tuple[int, str]]:
        query = (
            select(_inst.c.instance_id, _inst.c.status)
            .where(*_window(workflow_id, low, high), _inst.c.run_id == run_id)
            .order_by(_inst.c.instance_id)
        )
        async with self._reading() as connection:
            rows = (await connection.execute(query)).all()
        return [(int(instance_id), str(status)) for instance_id, status in rows]

    async def child_overviews(
        self, workflow_id: str, low: int, high: int, run_id: int = 1
    ) -> list[dict[str, Any]]:
        query = (
            select(_inst.c.runtime_overview)
            .where(
                *_window(workflow_id, low, high),
                _inst.c.run_id == run_id,
                _inst.c.runtime_overview.is_not(None),
            )
            .order_by(_inst.c.instance_id)
        )
        async with self._reading() as connection:
            rows = (await connection.execute(query)).scalars().all()
        return [row for row in rows if row]

    async def unfinished_children(
        self, workflow_id: str, low: int, high: int
    ) -> list[tuple[int, int, str]]:
        query = (
            select(_inst.c.instance_id, _inst.c.run_id, _inst.c.status)
            .where(*_window(workflow_id, low, high), _inst.c.status.in_(_UNFINISHED))
            .order_by(_inst.c.instance_id, _inst.c.run_id)
        )
        async with self._reading() as connection:
            rows = (await connection.execute(query)).all()
        return [(int(i), int(r), str(s)) for i, r, s in rows]


def _window(workflow_id: str, low: int, high: int) -> list[Any]:
    return [_inst.c.workflow_id == workflow_id, _inst.c.instance_id.between(low, high)]


@functools.cache
def _insert_ignoring(dialect: str) -> Any:
    return upsert(dialect, _inst).on_conflict_do_nothing(
        index_elements=[_inst.c.workflow_id, _inst.c.instance_id, _inst.c.run_id]
    )
