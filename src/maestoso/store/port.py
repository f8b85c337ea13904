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
        from a sequence starting at 10000), else advance ``latest_version_id`` only if it is
        still ``new.version_id - 1`` (otherwise ``ConflictError``, nothing written). Writes
        the properties snapshot and change, activates when asked, appends the timeline."""
        ...

    async def get_workflow(self, workflow_id: str) -> WorkflowRow | None: ...

    async def get_version(self, workflow_id: str, version_id: int) -> VersionRow | None: ...

    async def list_versions(
        self, workflow_id: str, *, cursor: int | None, limit: int, descending: bool
    ) -> Page:
        """Versions with id below (descending) or above (ascending) ``cursor``, at most
        ``limit``, plus the workflow's total number of versions."""
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
        ``expected_snapshot_time`` (else ``ConflictError``); record the change."""
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
        """Point ``active_version_id`` at ``version_id`` (0 deactivates)."""
        ...

    async def delete_workflow(self, workflow_id: str) -> bool:
        """Delete the workflow and every row that belongs to it; False if there was none."""
        ...

    async def list_timeline(self, workflow_id: str, *, limit: int) -> list[TimelineEntry]:
        """The most recent entries first."""
        ...

    async def list_properties_changes(self, workflow_id: str) -> list[PropertiesChange]: ...


class Store(DefinitionStore, Protocol):
    """The whole store. Later ports (instances, queue, signals) join it here."""

    async def close(self) -> None: ...
