"""The rows the store reads and writes, as frozen values.

Documents (definitions, metadata, snapshots) are plain JSON values here: the store neither
parses nor validates them, so the schema of a definition can evolve without a migration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JsonDict = dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkflowRow:
    """One workflow: its pointers to versions and its current properties snapshot."""

    workflow_id: str
    internal_id: int
    active_version_id: int
    """0 when no version is active."""
    latest_version_id: int
    activate_time: int | None
    activated_by: Any
    properties_snapshot: JsonDict
    latest_instance_id: int
    modify_time: int


@dataclass(frozen=True, slots=True, kw_only=True)
class VersionRow:
    """One immutable version of a workflow definition."""

    workflow_id: str
    version_id: int
    metadata: JsonDict
    definition: JsonDict
    """The ``workflow`` object of the create request, in Maestro's JSON shape."""
    trigger_uuids: JsonDict | None
    create_time: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PropertiesChange:
    """One change of a workflow's properties, kept as history."""

    workflow_id: str
    create_time: int
    author: Any
    properties_changes: JsonDict
    previous_snapshot: JsonDict | None


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineEntry:
    """One event of a workflow's timeline (``{author, log, timestamp}`` plus extras)."""

    workflow_id: str
    create_time: int
    event: JsonDict


@dataclass(frozen=True, slots=True, kw_only=True)
class NewVersion:
    """Everything that creating a version writes, in one transaction."""

    workflow_id: str
    version_id: int
    """Must be the workflow's latest version id + 1 (1 for a new workflow)."""
    metadata: JsonDict
    definition: JsonDict
    trigger_uuids: JsonDict | None
    create_time: int
    activate: bool
    activated_by: Any
    properties_snapshot: JsonDict
    """The merged snapshot in force after this version."""
    properties_change: PropertiesChange | None
    """Set when the request changed the properties."""
    timeline: list[TimelineEntry] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    """A slice of rows ordered by id, with the total count."""

    rows: list[Any]
    total_count: int
