"""The store port: what the layers above may ask of the database.

Adapters: ``maestoso.store.sql.SqlStore`` over SQLAlchemy, for SQLite (the embedded default) and
PostgreSQL; ``maestoso.store.memory.MemoryStore``, a fake in dicts for tests. Every method is
one transaction. Database errors are translated here into ``maestoso.errors`` (a lost race
becomes ``ConflictError``, an unreachable database ``PlatformError``, a write under a stale
flow-group fence ``FencedError``), so callers never see a driver exception.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from maestoso.store.controls import ControlStore
from maestoso.store.coordination import FlowGroupStore, NotificationStore, QueueStore
from maestoso.store.deliveries import DeliveryStore
from maestoso.store.iterations import IterationStore
from maestoso.store.records import (
    Fence,
    IfQueued,
    InstanceRow,
    InstanceUpdate,
    JobEvent,
    JsonDict,
    NewVersion,
    Page,
    PropertiesChange,
    RunLimit,
    StepAttemptRow,
    TimelineEntry,
    VersionRow,
    WorkflowRow,
)
from maestoso.store.security import AuditStore, TokenStore
from maestoso.store.templates import JobTemplateStore
from maestoso.store.triggering import SignalStore, TriggerStore


class DefinitionStore(Protocol):
    """Workflows, their versions, properties snapshots and timelines."""

    async def save_version(self, new: NewVersion) -> WorkflowRow:
        """Insert a version; create the workflow row for version 1 (allocating ``internal_id``
        from a sequence starting at 10000, never reused), else advance ``latest_version_id``
        only if it is still ``new.version_id - 1``. Otherwise (the workflow already exists for
        version 1, or is missing or at another version for a later one) ``ConflictError``,
        with nothing written. Writes the properties snapshot and change, activates when asked
        (setting ``activate_time`` to ``new.create_time``), appends the timeline.
        ``ValueError`` for a version id below 1."""
        ...

    async def get_workflow(self, workflow_id: str) -> WorkflowRow | None:
        """The workflow, or None if there is none."""
        ...

    async def get_version(self, workflow_id: str, version_id: int) -> VersionRow | None:
        """The version, or None if there is none."""
        ...

    async def list_versions(
        self, workflow_id: str, *, cursor: int | None, limit: int, descending: bool
    ) -> Page:
        """Versions with id below (descending) or above (ascending) ``cursor`` (None: from
        the newest or the oldest), at most ``limit``, in that order, plus the workflow's total
        number of versions. An unknown workflow has no versions."""
        ...

    async def update_properties(
        self,
        workflow_id: str,
        *,
        snapshot: dict[str, Any],
        change: PropertiesChange,
        expected_snapshot_time: int,
        timeline: list[TimelineEntry],
    ) -> WorkflowRow:
        """Replace the properties snapshot if the current one still has ``create_time`` ==
        ``expected_snapshot_time`` (its ``create_time`` key; else ``ConflictError``); record
        the change and the timeline; the workflow's modify time becomes
        ``change.create_time``. ``NotFoundError`` for an unknown workflow."""
        ...

    async def set_active_version(
        self,
        workflow_id: str,
        *,
        version_id: int,
        activated_by: Any,
        activate_time: int,
        timeline: list[TimelineEntry],
    ) -> WorkflowRow:
        """Point ``active_version_id`` at ``version_id`` (0 deactivates). ``activated_by``
        and ``activate_time`` record who did it and when, deactivation included (as Maestro
        does); the modify time becomes ``activate_time``. ``NotFoundError`` for an unknown
        workflow or a version above its latest."""
        ...

    async def delete_workflow(self, workflow_id: str) -> bool:
        """Delete the workflow and every row that belongs to it; False if there was none."""
        ...

    async def list_timeline(self, workflow_id: str, *, limit: int) -> list[TimelineEntry]:
        """The most recent entries first (entries of the same millisecond in a stable but
        unspecified order). An entry written twice (same time, same event) is kept once."""
        ...

    async def list_properties_changes(self, workflow_id: str) -> list[PropertiesChange]:
        """Every change of the workflow's properties, the oldest first."""
        ...


class InstanceStore(Protocol):
    """Workflow instances (one row per run) and their step attempts."""

    async def create_instance(
        self,
        row: InstanceRow,
        events: list[JobEvent],
        *,
        admit: RunLimit | None = None,
        if_started: list[JobEvent] | None = None,
        expected: WorkflowRow | None = None,
    ) -> tuple[InstanceRow, bool]:
        """Insert a new instance (run 1) with ``instance_id`` = the workflow's
        ``latest_instance_id`` + 1 (the given ``row.instance_id`` is ignored), advancing that
        counter, and enqueue ``events`` (their payloads get ``workflow_instance_id`` set to the
        allocated id when they have that key with value 0). If an instance of the workflow
        already has ``row.uuid``, nothing is written and that instance's latest run is returned
        with False (Maestro's DUPLICATED). ``NotFoundError`` if the workflow does not exist.

        With ``admit`` (``row`` must be CREATED), the run starts at once if the limit has room
        for it, counted in the same transaction and serialised with the other creations and
        admissions of the workflow: no run of the workflow is queued (CREATED), fewer than
        ``admit.concurrency`` are active, and with ``blocked_by_failure`` none is FAILED. It is
        then stored IN_PROGRESS with ``start_time`` the time it was counted (never before
        ``row.create_time``: the count may wait for a run's end) and a new random
        ``execution_id``, and ``events`` are not enqueued (they are for a queued run).
        ``if_started`` are enqueued too when the run is stored IN_PROGRESS (given so, or
        started at once), with their ``workflow_instance_id`` filled in the same way.

        With ``expected`` (the workflow as the caller read it, from which it built ``row``),
        nothing is written and ``WorkflowChangedError`` is raised unless the workflow still has
        its ``stamp`` (one deleted since has none), checked in the creating transaction (a
        known uuid is still a duplicate)."""
        ...

    async def admit_queued(
        self,
        workflow_id: str,
        *,
        limit_of: Callable[[JsonDict], RunLimit],
        now: Callable[[], int],
    ) -> list[InstanceRow]:
        """Start the oldest queued (CREATED) runs of the workflow, by (instance_id, run_id),
        as far as ``limit_of(properties_snapshot)`` allows (as ``create_instance``'s
        ``admit`` counts, all in one transaction with the workflow row locked): each becomes
        IN_PROGRESS with ``start_time`` = ``now()`` and a new random ``execution_id``. The runs
        started, as stored; none for an unknown workflow. ``now`` is read once the locks are
        held: a run admitted because another ended never starts before that one's end."""
        ...

    async def create_run(self, row: InstanceRow, events: list[JobEvent]) -> InstanceRow:
        """Insert run ``row.run_id`` of an existing instance (with the instance's uuid) and
        enqueue ``events``; ``ConflictError`` if that run exists. The caller checks that the
        instance exists."""
        ...

    async def get_instance(
        self, workflow_id: str, instance_id: int, run_id: int | None = None
    ) -> InstanceRow | None:
        """One run, or the latest run when ``run_id`` is None."""
        ...

    async def list_runs(self, workflow_id: str, instance_id: int) -> list[InstanceRow]:
        """Every run of an instance, oldest first."""
        ...

    async def list_instances(self, workflow_id: str, *, low: int, high: int) -> list[InstanceRow]:
        """The latest run of each instance with ``low <= instance_id <= high``, newest first."""
        ...

    async def find_instances(
        self,
        workflow_id: str,
        *,
        statuses: tuple[str, ...],
        limit: int,
        oldest_first: bool = True,
    ) -> list[InstanceRow]:
        """Runs of the workflow in one of ``statuses`` (e.g. the queued CREATED ones), by
        (instance_id, run_id)."""
        ...

    async def count_instances(self, workflow_id: str) -> dict[str, int]:
        """How many instances of the workflow are in each status, by their latest runs (the
        statuses as stored: ``FAILED_1``/``FAILED_2`` are counted apart)."""
        ...

    async def update_instances(
        self,
        updates: list[InstanceUpdate],
        *,
        events: list[JobEvent] | None = None,
        fence: Fence | None = None,
    ) -> None:
        """Apply the updates, in order, and enqueue ``events`` in one transaction (see
        ``InstanceUpdate.expected_statuses``). With a fence, only while it holds (else
        ``FencedError``). ``NotFoundError`` if a run does not exist. Whatever fails, nothing
        of the transaction is written."""
        ...

    async def save_steps(
        self,
        attempts: list[StepAttemptRow],
        *,
        instance_updates: list[InstanceUpdate] | None = None,
        events: list[JobEvent] | None = None,
        fence: Fence | None = None,
        if_queued: list[IfQueued] | None = None,
    ) -> int:
        """Insert or replace step attempts (by their key; an attempt given twice: the last
        wins), apply instance updates (as ``update_instances``) and enqueue events, in one
        transaction; with a fence, only while it holds (else ``FencedError``). Whatever fails,
        nothing is written. The engine's hot path: one call may carry the writes of many steps
        (a group commit). The events of ``if_queued`` are enqueued, after the updates, only
        for the workflows that then have a queued (CREATED) run; how many were enqueued."""
        ...

    async def get_step_attempts(
        self, workflow_id: str, instance_id: int, run_id: int
    ) -> list[StepAttemptRow]:
        """The latest attempt of each step of a run, by ``document.step_instance_id``."""
        ...

    async def get_step_attempt(
        self,
        workflow_id: str,
        instance_id: int,
        run_id: int,
        step_id: str,
        attempt_id: int | None = None,
    ) -> StepAttemptRow | None:
        """One attempt, or the latest when ``attempt_id`` is None."""
        ...

    async def list_step_attempts(
        self, workflow_id: str, instance_id: int, step_id: str
    ) -> list[StepAttemptRow]:
        """Every attempt of a step across all runs, by (run_id, attempt_id)."""
        ...

    async def unfinished_instances(self, group_ids: list[int]) -> list[InstanceRow]:
        """Runs IN_PROGRESS (or PAUSED) whose group is one of ``group_ids``: the flows to resume."""
        ...


class ChildStore(Protocol):
    """What parents (loops, subworkflows) ask of the store about their children."""

    async def create_inline_instances(self, rows: list[InstanceRow]) -> list[InstanceRow]:
        """Insert the rows (inline instances, ids chosen by the caller) that do not exist
        yet, in one transaction; returns the ones inserted."""
        ...

    async def child_statuses(
        self, workflow_id: str, low: int, high: int, run_id: int = 1
    ) -> list[tuple[int, str]]:
        """``(instance_id, status)`` of run ``run_id`` of instances ``low..high``, by id."""
        ...

    async def child_overviews(
        self, workflow_id: str, low: int, high: int, run_id: int = 1
    ) -> list[dict[str, Any]]:
        """The non-empty ``runtime_overview`` of each run ``run_id`` of instances
        ``low..high`` that has one, by id."""
        ...

    async def unfinished_children(
        self, workflow_id: str, low: int, high: int
    ) -> list[tuple[int, int, str]]:
        """``(instance_id, run_id, status)`` of the unfinished runs of instances
        ``low..high``."""
        ...


class Store(
    DefinitionStore,
    InstanceStore,
    ChildStore,
    QueueStore,
    FlowGroupStore,
    NotificationStore,
    SignalStore,
    TriggerStore,
    ControlStore,
    TokenStore,
    AuditStore,
    JobTemplateStore,
    IterationStore,
    DeliveryStore,
    Protocol,
):
    """The whole store."""

    async def close(self) -> None: ...
