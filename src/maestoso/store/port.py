"""The store port: what the layers above may ask of the database.

Adapters: ``maestoso.store.sql.SqlStore`` over SQLAlchemy, for SQLite (the embedded default) and
PostgreSQL. Every method is one transaction. Database errors are translated here into
``maestoso.errors`` (a lost race becomes ``ConflictError``, an unreachable database
``PlatformError``), so callers never see a driver exception.
"""

from __future__ import annotations

from typing import Any, Protocol

from maestoso.store.records import (
    NewVersion,
    Page,
    PropertiesChange,
    TimelineEntry,
    VersionRow,
    WorkflowRow,
)


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


class Store(DefinitionStore, Protocol):
    """The whole store. Later ports (instances, queue, signals) join it here."""

    async def close(self) -> None: ...
