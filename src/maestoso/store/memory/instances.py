"""Workflow instances (one row per run) and their step attempts in memory."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from maestoso.errors import ConflictError, NotFoundError, WorkflowChangedError
from maestoso.store.memory.base import MemoryBase, check_limit, copied, round_trip
from maestoso.store.records import (
    Fence,
    IfQueued,
    InstanceRow,
    InstanceUpdate,
    JobEvent,
    JsonDict,
    RunLimit,
    StepAttemptRow,
    WorkflowRow,
)

RESUMABLE_STATUSES = ("IN_PROGRESS", "PAUSED")
_UPDATED_FIELDS = (
    "status",
    "execution_id",
    "start_time",
    "end_time",
    "runtime_overview",
    "artifacts",
)


class InstanceMethods(MemoryBase):
    """The ``InstanceStore`` part of ``MemoryStore``."""

    async def create_instance(
        self,
        row: InstanceRow,
        events: list[JobEvent],
        *,
        admit: RunLimit | None = None,
        if_started: list[JobEvent] | None = None,
        expected: WorkflowRow | None = None,
    ) -> tuple[InstanceRow, bool]:
        await round_trip()
        tables = self._tables
        workflow = tables.workflows.get(row.workflow_id)
        if workflow is None:
            if expected is not None:
                raise WorkflowChangedError.of(row.workflow_id)
            raise NotFoundError(f"workflow [{row.workflow_id}] does not exist")
        runs = tables.instances.setdefault(row.workflow_id, {})
        for (instance_id, run_id), existing in runs.items():
            if run_id == 1 and existing.uuid == row.uuid:
                latest = self._latest_run(row.workflow_id, instance_id)
                return copied(latest or existing), False
        if expected is not None and workflow.stamp != expected.stamp:
            raise WorkflowChangedError.of(row.workflow_id)
        instance_id = workflow.latest_instance_id + 1
        tables.workflows[row.workflow_id] = replace(workflow, latest_instance_id=instance_id)
        created = replace(copied(row), instance_id=instance_id, run_id=1)
        if admit is not None and self._room(row.workflow_id, admit, queued_block=True) > 0:
            admitted_at = max(created.create_time, self._clock.now_ms())
            created, events = _started(created, admitted_at), []
        if created.status == "IN_PROGRESS":
            events = [*events, *(if_started or [])]
        runs[(instance_id, 1)] = created
        self._enqueue([_with_instance_id(event, instance_id) for event in events])
        return copied(created), True

    async def admit_queued(
        self, workflow_id: str, *, limit_of: Callable[[JsonDict], RunLimit], now: Callable[[], int]
    ) -> list[InstanceRow]:
        await round_trip()
        workflow = self._tables.workflows.get(workflow_id)
        if workflow is None:
            return []
        slots = self._room(workflow_id, limit_of(copied(workflow.properties_snapshot)))
        runs = self._tables.instances.get(workflow_id, {})
        queued = sorted(key for key, run in runs.items() if run.status == "CREATED")
        admitted = []
        for key in queued[: max(slots, 0)]:
            runs[key] = _started(runs[key], now())
            admitted.append(copied(runs[key]))
        return admitted

    def _room(self, workflow_id: str, limit: RunLimit, *, queued_block: bool = False) -> int:
        """How many more runs may start (see ``create_instance``'s ``admit``)."""
        statuses = [run.status for run in self._tables.instances.get(workflow_id, {}).values()]
        if queued_block and "CREATED" in statuses:
            return 0
        if limit.blocked_by_failure and "FAILED" in statuses:
            return 0
        active = sum(1 for status in statuses if status in RESUMABLE_STATUSES)
        return max(limit.concurrency, 0) - active

    async def create_run(self, row: InstanceRow, events: list[JobEvent]) -> InstanceRow:
        await round_trip()
        runs = self._tables.instances.setdefault(row.workflow_id, {})
        key = (row.instance_id, row.run_id)
        taken = key in runs or any(
            r.uuid == row.uuid for (_, run_id), r in runs.items() if run_id == row.run_id
        )
        if taken:
            raise ConflictError(
                f"the write conflicts with stored data: run {row.run_id} of "
                f"[{row.workflow_id}][{row.instance_id}] exists"
            )
        runs[key] = copied(row)
        self._enqueue(events)
        return copied(row)

    async def get_instance(
        self, workflow_id: str, instance_id: int, run_id: int | None = None
    ) -> InstanceRow | None:
        await round_trip()
        if run_id is None:
            return copied(self._latest_run(workflow_id, instance_id))
        return copied(self._tables.instances.get(workflow_id, {}).get((instance_id, run_id)))

    async def list_runs(self, workflow_id: str, instance_id: int) -> list[InstanceRow]:
        await round_trip()
        runs = self._tables.instances.get(workflow_id, {})
        keys = sorted(key for key in runs if key[0] == instance_id)
        return [copied(runs[key]) for key in keys]

    async def list_instances(self, workflow_id: str, *, low: int, high: int) -> list[InstanceRow]:
        await round_trip()
        latest = self._latest_runs(workflow_id)
        ids = sorted((i for i in latest if low <= i <= high), reverse=True)
        return [copied(latest[i]) for i in ids]

    async def find_instances(
        self,
        workflow_id: str,
        *,
        statuses: tuple[str, ...],
        limit: int,
        oldest_first: bool = True,
    ) -> list[InstanceRow]:
        check_limit(limit)
        await round_trip()
        runs = self._tables.instances.get(workflow_id, {})
        keys = sorted(
            (k for k, r in runs.items() if r.status in statuses), reverse=not oldest_first
        )
        return [copied(runs[key]) for key in keys[:limit]]

    async def count_instances(self, workflow_id: str) -> dict[str, int]:
        await round_trip()
        counts: dict[str, int] = {}
        for row in self._latest_runs(workflow_id).values():
            counts[row.status] = counts.get(row.status, 0) + 1
        return dict(sorted(counts.items()))

    async def update_instances(
        self,
        updates: list[InstanceUpdate],
        *,
        events: list[JobEvent] | None = None,
        fence: Fence | None = None,
    ) -> None:
        await round_trip()
        self._check_fence(fence)
        changed = self._updated_runs(updates)
        for (workflow_id, instance_id, run_id), row in changed.items():
            self._tables.instances[workflow_id][(instance_id, run_id)] = row
        self._enqueue(events or [])

    async def save_steps(
        self,
        attempts: list[StepAttemptRow],
        *,
        instance_updates: list[InstanceUpdate] | None = None,
        events: list[JobEvent] | None = None,
        fence: Fence | None = None,
        if_queued: list[IfQueued] | None = None,
    ) -> int:
        await round_trip()
        self._check_fence(fence)
        changed = self._updated_runs(instance_updates or [])
        steps = self._tables.steps
        for attempt in attempts:
            by_instance = steps.setdefault((attempt.workflow_id, attempt.instance_id), {})
            by_instance[(attempt.run_id, attempt.step_id, attempt.attempt_id)] = copied(attempt)
        for (workflow_id, instance_id, run_id), row in changed.items():
            self._tables.instances[workflow_id][(instance_id, run_id)] = row
        instances = self._tables.instances
        conditional = [
            e.event
            for e in if_queued or []
            if any(r.status == "CREATED" for r in instances.get(e.workflow_id, {}).values())
        ]
        self._enqueue([*(events or []), *conditional])
        return len(conditional)

    async def get_step_attempts(
        self, workflow_id: str, instance_id: int, run_id: int
    ) -> list[StepAttemptRow]:
        await round_trip()
        latest: dict[str, StepAttemptRow] = {}
        for (run, step_id, attempt_id), row in self._attempts(workflow_id, instance_id).items():
            if run == run_id and (step_id not in latest or latest[step_id].attempt_id < attempt_id):
                latest[step_id] = row
        return [copied(row) for row in sorted(latest.values(), key=_step_order)]

    async def get_step_attempt(
        self,
        workflow_id: str,
        instance_id: int,
        run_id: int,
        step_id: str,
        attempt_id: int | None = None,
    ) -> StepAttemptRow | None:
        await round_trip()
        attempts = self._attempts(workflow_id, instance_id)
        if attempt_id is None:
            ids = [a for (r, s, a) in attempts if r == run_id and s == step_id]
            if not ids:
                return None
            attempt_id = max(ids)
        return copied(attempts.get((run_id, step_id, attempt_id)))

    async def list_step_attempts(
        self, workflow_id: str, instance_id: int, step_id: str
    ) -> list[StepAttemptRow]:
        await round_trip()
        attempts = self._attempts(workflow_id, instance_id)
        keys = sorted((r, a) for (r, s, a) in attempts if s == step_id)
        return [copied(attempts[(r, step_id, a)]) for r, a in keys]

    async def unfinished_instances(self, group_ids: list[int]) -> list[InstanceRow]:
        await round_trip()
        groups = set(group_ids)
        found = [
            row
            for runs in self._tables.instances.values()
            for row in runs.values()
            if row.group_id in groups and row.status in RESUMABLE_STATUSES
        ]
        found.sort(key=lambda r: (r.workflow_id, r.instance_id, r.run_id))
        return copied(found)

    # -- helpers -----------------------------------------------------------------------------

    def _latest_run(self, workflow_id: str, instance_id: int) -> InstanceRow | None:
        runs = self._tables.instances.get(workflow_id, {})
        keys = [key for key in runs if key[0] == instance_id]
        return runs[max(keys)] if keys else None

    def _latest_runs(self, workflow_id: str) -> dict[int, InstanceRow]:
        latest: dict[int, InstanceRow] = {}
        for (instance_id, run_id), row in self._tables.instances.get(workflow_id, {}).items():
            if instance_id not in latest or latest[instance_id].run_id < run_id:
                latest[instance_id] = row
        return latest

    def _attempts(self, workflow_id: str, instance_id: int) -> dict[Any, StepAttemptRow]:
        return self._tables.steps.get((workflow_id, instance_id), {})

    def _updated_runs(
        self, updates: list[InstanceUpdate]
    ) -> dict[tuple[str, int, int], InstanceRow]:
        """The runs as ``updates`` leave them, applied in order, without writing them (so
        that a failure further on writes nothing)."""
        changed: dict[tuple[str, int, int], InstanceRow] = {}
        for update in updates:
            key = (update.workflow_id, update.instance_id, update.run_id)
            run = changed.get(key) or self._tables.instances.get(key[0], {}).get(key[1:])
            where = f"[{key[0]}][{key[1]}][{key[2]}]"
            if run is None:
                raise NotFoundError(f"workflow instance {where} does not exist")
            expected = update.expected_statuses
            if expected is not None and run.status not in expected:
                raise ConflictError(
                    f"workflow instance {where} is {run.status}, not one of {list(expected)}"
                )
            changed[key] = _updated(run, update)
        return changed


def _started(run: InstanceRow, now: int) -> InstanceRow:
    return replace(
        run,
        status="IN_PROGRESS",
        execution_id=str(uuid.uuid4()),
        start_time=now,
        modify_time=now,
    )


def _updated(run: InstanceRow, update: InstanceUpdate) -> InstanceRow:
    values: dict[str, Any] = {
        name: copied(getattr(update, name))
        for name in _UPDATED_FIELDS
        if getattr(update, name) is not None
    }
    if update.document_changes is not None:
        values["document"] = {**run.document, **copied(update.document_changes)}
    if update.timeline:
        values["timeline"] = [*run.timeline, *copied(update.timeline)]
    return replace(run, modify_time=update.modify_time, **values)


def _with_instance_id(event: JobEvent, instance_id: int) -> JobEvent:
    if event.payload.get("workflow_instance_id", None) != 0:
        return event
    return replace(event, payload={**event.payload, "workflow_instance_id": instance_id})


def _step_order(attempt: StepAttemptRow) -> tuple[bool, Any, str]:
    ordinal = attempt.record.step_instance_id
    known = isinstance(ordinal, int)
    return (not known, ordinal if known else 0, attempt.step_id)
