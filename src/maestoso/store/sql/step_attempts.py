"""Step attempts on SQL: one row per attempt of a step of a run.

``save_steps`` is the engine's hot path: the fence check, one ``INSERT … ON CONFLICT DO
UPDATE`` for all the attempts (an executemany), the instance updates (an executemany per run
of updates of the same shape, see ``instance_updates``) and one insert of the events. At a
run's end the fence is checked last, in the statement that looks for queued runs.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import ColumnElement, exists, select

from maestoso.store.records import Fence, IfQueued, InstanceUpdate, JobEvent, StepAttemptRow
from maestoso.store.sql.admission import with_queued_runs
from maestoso.store.sql.base import SqlBase, upsert
from maestoso.store.sql.groups import check_fence
from maestoso.store.sql.instance_rows import attempt_of, attempt_values
from maestoso.store.sql.instance_updates import apply_updates
from maestoso.store.sql.queue import insert_events
from maestoso.store.sql.tables import maestro_step_instance

_step = maestro_step_instance

_STEP_KEY = ("workflow_id", "instance_id", "run_id", "step_id", "attempt_id")


class StepAttemptMethods(SqlBase):
    """The step attempt part of ``SqlStore``."""

    async def save_steps(
        self,
        attempts: list[StepAttemptRow],
        *,
        instance_updates: list[InstanceUpdate] | None = None,
        events: list[JobEvent] | None = None,
        fence: Fence | None = None,
        if_queued: list[IfQueued] | None = None,
    ) -> int:
        async with self._writing() as connection:
            if not if_queued:  # else checked with the look for queued runs: one statement less
                await check_fence(connection, fence)
            if attempts:
                # Last write wins for an attempt written twice in one call (a group commit):
                # PostgreSQL refuses to upsert one row twice in a statement.
                rows = {_attempt_key(a): attempt_values(a) for a in attempts}
                await connection.execute(_upsert_attempts(self._dialect), list(rows.values()))
            await apply_updates(connection, instance_updates or [])
            if if_queued:
                ids = (e.workflow_id for e in if_queued)
                queued = await with_queued_runs(connection, ids, fence)
                conditional = [e.event for e in if_queued if e.workflow_id in queued]
            else:
                conditional = []
            await insert_events(connection, [*(events or []), *conditional], self._clock.now_ms())
        return len(conditional)

    async def get_step_attempts(
        self, workflow_id: str, instance_id: int, run_id: int
    ) -> list[StepAttemptRow]:
        later = _step.alias("later")
        is_latest = ~exists().where(
            *(later.c[name] == _step.c[name] for name in _STEP_KEY[:4]),
            later.c.attempt_id > _step.c.attempt_id,
        )
        query = select(_step).where(*_run_of(workflow_id, instance_id, run_id), is_latest)
        attempts = await self._attempts(query)
        return sorted(attempts, key=_step_order)

    async def get_step_attempt(
        self,
        workflow_id: str,
        instance_id: int,
        run_id: int,
        step_id: str,
        attempt_id: int | None = None,
    ) -> StepAttemptRow | None:
        query = select(_step).where(
            *_run_of(workflow_id, instance_id, run_id), _step.c.step_id == step_id
        )
        if attempt_id is None:
            query = query.order_by(_step.c.attempt_id.desc()).limit(1)
        else:
            query = query.where(_step.c.attempt_id == attempt_id)
        found = await self._attempts(query)
        return found[0] if found else None

    async def list_step_attempts(
        self, workflow_id: str, instance_id: int, step_id: str
    ) -> list[StepAttemptRow]:
        query = (
            select(_step)
            .where(
                _step.c.workflow_id == workflow_id,
                _step.c.instance_id == instance_id,
                _step.c.step_id == step_id,
            )
            .order_by(_step.c.run_id, _step.c.attempt_id)
        )
        return await self._attempts(query)

    async def _attempts(self, query: Any) -> list[StepAttemptRow]:
        async with self._reading() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [attempt_of(row) for row in rows]


@functools.cache
def _upsert_attempts(dialect: str) -> Any:
    statement = upsert(dialect, _step)
    return statement.on_conflict_do_update(
        index_elements=list(_STEP_KEY),
        set_={c.name: statement.excluded[c.name] for c in _step.c if c.name not in _STEP_KEY},
    )


def _run_of(workflow_id: str, instance_id: int, run_id: int) -> list[ColumnElement[bool]]:
    return [
        _step.c.workflow_id == workflow_id,
        _step.c.instance_id == instance_id,
        _step.c.run_id == run_id,
    ]


def _attempt_key(attempt: StepAttemptRow) -> tuple[Any, ...]:
    return tuple(getattr(attempt, name) for name in _STEP_KEY)


def _step_order(attempt: StepAttemptRow) -> tuple[bool, Any, str]:
    ordinal = attempt.record.step_instance_id
    known = isinstance(ordinal, int)
    return (not known, ordinal if known else 0, attempt.step_id)
