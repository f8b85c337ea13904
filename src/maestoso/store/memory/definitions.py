"""Workflows, versions, properties and timelines in memory."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

from maestoso.errors import ConflictError, NotFoundError
from maestoso.store.memory.base import MemoryBase, check_limit, copied, round_trip
from maestoso.store.records import (
    NewVersion,
    Page,
    PropertiesChange,
    TimelineEntry,
    VersionRow,
    WorkflowRow,
)


class DefinitionMethods(MemoryBase):
    """The ``DefinitionStore`` part of ``MemoryStore``."""

    async def save_version(self, new: NewVersion) -> WorkflowRow:
        if new.version_id < 1:
            raise ValueError(f"version ids start at 1, not {new.version_id}")
        await round_trip()
        tables = self._tables
        current = tables.workflows.get(new.workflow_id)
        if new.version_id == 1:
            if current is not None:
                raise ConflictError(f"workflow [{new.workflow_id}] already exists")
        elif current is None:
            raise ConflictError(f"workflow [{new.workflow_id}] does not exist (any more)")
        elif current.latest_version_id != new.version_id - 1:
            raise ConflictError(
                f"workflow [{new.workflow_id}] is at version {current.latest_version_id}: "
                f"version {new.version_id} must follow version {new.version_id - 1}"
            )
        self._check_new_change(new.properties_change)
        row = self._advanced(current, new)
        tables.workflows[new.workflow_id] = row
        tables.versions.setdefault(new.workflow_id, {})[new.version_id] = VersionRow(
            workflow_id=new.workflow_id,
            version_id=new.version_id,
            metadata=copied(new.metadata),
            definition=copied(new.definition),
            trigger_uuids=copied(new.trigger_uuids),
            create_time=new.create_time,
        )
        self._record(new.properties_change, new.timeline)
        self._enqueue(new.events)
        return copied(row)

    def _advanced(self, current: WorkflowRow | None, new: NewVersion) -> WorkflowRow:
        if current is None:
            current = WorkflowRow(
                workflow_id=new.workflow_id,
                internal_id=self._tables.next_internal_id,
                active_version_id=0,
                latest_version_id=0,
                activate_time=None,
                activated_by=None,
                properties_snapshot={},
                latest_instance_id=0,
                modify_time=new.create_time,
            )
            self._tables.next_internal_id += 1
        row = replace(
            current,
            latest_version_id=new.version_id,
            properties_snapshot=copied(new.properties_snapshot),
            modify_time=new.create_time,
        )
        if new.activate:
            row = replace(
                row,
                active_version_id=new.version_id,
                activate_time=new.create_time,
                activated_by=copied(new.activated_by),
            )
        return row

    def _check_new_change(self, change: PropertiesChange | None) -> None:
        # Changes are keyed by (workflow, time) as on SQL: a second one in the same
        # millisecond conflicts.
        if change is not None and change.create_time in self._tables.properties.get(
            change.workflow_id, {}
        ):
            raise ConflictError(
                f"workflow [{change.workflow_id}] has a properties change at {change.create_time}"
            )

    def _record(self, change: PropertiesChange | None, timeline: list[TimelineEntry]) -> None:
        tables = self._tables
        if change is not None:
            changes = tables.properties.setdefault(change.workflow_id, {})
            changes[change.create_time] = copied(change)
        for entry in timeline:
            entries = tables.timeline.setdefault(entry.workflow_id, {})
            entries.setdefault((entry.create_time, _event_hash(entry.event)), copied(entry))

    async def get_workflow(self, workflow_id: str) -> WorkflowRow | None:
        await round_trip()
        return copied(self._tables.workflows.get(workflow_id))

    async def get_version(self, workflow_id: str, version_id: int) -> VersionRow | None:
        await round_trip()
        return copied(self._tables.versions.get(workflow_id, {}).get(version_id))

    async def list_versions(
        self, workflow_id: str, *, cursor: int | None, limit: int, descending: bool
    ) -> Page:
        check_limit(limit)
        await round_trip()
        versions = self._tables.versions.get(workflow_id, {})
        ids = sorted(versions, reverse=descending)
        if cursor is not None:
            ids = [i for i in ids if (i < cursor if descending else i > cursor)]
        rows = [copied(versions[i]) for i in ids[:limit]]
        return Page(rows=rows, total_count=len(versions))

    async def update_properties(
        self,
        workflow_id: str,
        *,
        snapshot: dict[str, Any],
        change: PropertiesChange,
        expected_snapshot_time: int,
        timeline: list[TimelineEntry],
    ) -> WorkflowRow:
        await round_trip()
        current = self._tables.workflows.get(workflow_id)
        if current is None:
            raise NotFoundError(f"workflow [{workflow_id}] does not exist")
        current_time = current.properties_snapshot.get("create_time")
        if current_time != expected_snapshot_time:
            raise ConflictError(
                f"the properties of workflow [{workflow_id}] changed at {current_time} "
                f"since the snapshot of {expected_snapshot_time}"
            )
        self._check_new_change(change)
        row = replace(current, properties_snapshot=copied(snapshot), modify_time=change.create_time)
        self._tables.workflows[workflow_id] = row
        self._record(change, timeline)
        return copied(row)

    async def set_active_version(
        self,
        workflow_id: str,
        *,
        version_id: int,
        activated_by: Any,
        activate_time: int,
        timeline: list[TimelineEntry],
    ) -> WorkflowRow:
        if version_id < 0:
            raise ValueError(f"version ids are positive (0 deactivates), got {version_id}")
        await round_trip()
        current = self._tables.workflows.get(workflow_id)
        if current is None:
            raise NotFoundError(f"workflow [{workflow_id}] does not exist")
        if version_id > current.latest_version_id:
            raise NotFoundError(f"workflow [{workflow_id}] has no version {version_id}")
        row = replace(
            current,
            active_version_id=version_id,
            activate_time=activate_time,
            activated_by=copied(activated_by),
            modify_time=activate_time,
        )
        self._tables.workflows[workflow_id] = row
        self._record(None, timeline)
        return copied(row)

    async def delete_workflow(self, workflow_id: str) -> bool:
        await round_trip()
        tables = self._tables
        existed = tables.workflows.pop(workflow_id, None) is not None
        for by_workflow in (
            tables.versions,
            tables.properties,
            tables.timeline,
            tables.instances,
        ):
            by_workflow.pop(workflow_id, None)
        # Queued events, signals, permits and output data belong to no workflow: they stay.
        owned: list[dict[Any, Any]] = [
            tables.steps,
            tables.time_triggers,
            tables.signal_triggers,
            tables.breakpoints,
        ]
        for keyed in owned:
            for key in [key for key in keyed if key[0] == workflow_id]:
                del keyed[key]
        for delivery_id in [
            d for d, row in tables.deliveries.items() if row.workflow_id == workflow_id
        ]:
            del tables.deliveries[delivery_id]
        return existed

    async def list_timeline(self, workflow_id: str, *, limit: int) -> list[TimelineEntry]:
        check_limit(limit)
        await round_trip()
        entries = self._tables.timeline.get(workflow_id, {})
        keys = sorted(entries, reverse=True)[:limit]
        return [copied(entries[key]) for key in keys]

    async def list_properties_changes(self, workflow_id: str) -> list[PropertiesChange]:
        await round_trip()
        changes = self._tables.properties.get(workflow_id, {})
        return [copied(changes[time]) for time in sorted(changes)]


def _event_hash(event: Any) -> str:
    """The SQL store's key of a timeline entry, so that both order entries of one millisecond
    the same way."""
    canonical = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]
