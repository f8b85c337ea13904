"""Breakpoints, paused attempts, tag permits and output data in memory."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from maestoso.errors import ConflictError
from maestoso.store.controls import BreakpointRow, TagPermitRow
from maestoso.store.memory.base import MemoryBase, copied, round_trip


class ControlMethods(MemoryBase):
    """The ``ControlStore`` part of ``MemoryStore``."""

    async def save_breakpoint(self, row: BreakpointRow) -> None:
        await round_trip()
        key = (
            row.workflow_id,
            row.step_id,
            row.system_generated,
            row.version,
            row.instance_id,
            row.run_id,
            row.step_attempt_id,
        )
        self._tables.breakpoints.setdefault(key, copied(row))

    async def list_breakpoints(
        self, workflow_id: str, step_id: str | None, *, system_generated: bool
    ) -> list[BreakpointRow]:
        await round_trip()
        rows = [
            row
            for row in self._tables.breakpoints.values()
            if row.workflow_id == workflow_id
            and row.system_generated == system_generated
            and (step_id is None or row.step_id == step_id)
        ]
        return copied(sorted(rows, key=lambda row: row.create_time))

    async def workflows_with_breakpoints(self) -> set[str]:
        await round_trip()
        return {
            row.workflow_id for row in self._tables.breakpoints.values() if not row.system_generated
        }

    async def delete_breakpoints(
        self, workflow_id: str, step_id: str, *, system_generated: bool, keys: Any = None
    ) -> int:
        await round_trip()
        doomed = [
            key
            for key in self._tables.breakpoints
            if key[:3] == (workflow_id, step_id, system_generated)
            and (keys is None or key[3:] == tuple(keys))
        ]
        for key in doomed:
            del self._tables.breakpoints[key]
        return len(doomed)

    async def save_tag_permit(self, row: TagPermitRow) -> None:
        await round_trip()
        current = self._tables.tag_permits.get(row.tag)
        stored = (
            copied(row)
            if current is None
            else replace(copied(row), create_time=current.create_time)
        )
        self._tables.tag_permits[row.tag] = stored

    async def get_tag_permit(self, tag: str) -> TagPermitRow | None:
        await round_trip()
        return copied(self._tables.tag_permits.get(tag))

    async def delete_tag_permit(self, tag: str) -> bool:
        await round_trip()
        return self._tables.tag_permits.pop(tag, None) is not None

    async def acquire_permits(
        self, step_uuid: str, tags: list[str], now: int, limits: Mapping[str, int] | None = None
    ) -> list[str]:
        await round_trip()
        permits = self._tables.tag_permits
        own = dict(limits or {})
        limits = {tag: permits[tag].max_allowed for tag in tags if tag in permits} | own
        if not limits:
            return []
        held = self._tables.held_permits.get(step_uuid, {})
        if set(held) >= set(limits):
            return []
        if held.keys() & limits.keys():
            # SQL would insert a permit the step holds already and fail on its key.
            raise ConflictError(f"step [{step_uuid}] already holds some of the permits {tags}")
        counts = {tag: 0 for tag in limits}
        for holder in self._tables.held_permits.values():
            for tag in holder.keys() & limits.keys():
                counts[tag] += 1
        full = sorted(tag for tag, limit in limits.items() if counts[tag] >= limit)
        if full:
            return full
        self._tables.held_permits.setdefault(step_uuid, {}).update(dict.fromkeys(limits, now))
        return []

    async def release_permits(self, step_uuid: str) -> None:
        await round_trip()
        self._tables.held_permits.pop(step_uuid, None)

    async def count_permits(self, tag: str) -> int:
        await round_trip()
        return sum(tag in held for held in self._tables.held_permits.values())

    async def save_output_data(
        self,
        job_type: str,
        job_id: str,
        workflow_id: str | None,
        payload: dict[str, Any],
        now: int,
    ) -> None:
        await round_trip()
        self._tables.output_data[(job_type, job_id)] = (workflow_id, copied(payload))

    async def get_output_data(self, job_type: str, job_id: str) -> dict[str, Any] | None:
        await round_trip()
        found = self._tables.output_data.get((job_type, job_id))
        return None if found is None else copied(found[1])
