"""The step-control part of the store port: breakpoints, tag permits and output data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from maestoso.store.records import JsonDict


@dataclass(frozen=True, slots=True, kw_only=True)
class BreakpointRow:
    """A breakpoint (``system_generated`` False) or an attempt paused at one (True).

    ``version``, ``instance_id``, ``run_id`` and ``step_attempt_id`` are 0 in a breakpoint:
    it stops every attempt of the step."""

    workflow_id: str
    step_id: str
    system_generated: bool
    version: int
    instance_id: int
    run_id: int
    step_attempt_id: int
    created_by: Any
    create_time: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TagPermitRow:
    tag: str
    max_allowed: int
    extra_info: JsonDict | None
    timeline: list[JsonDict]
    create_time: int
    modify_time: int


class ControlStore(Protocol):
    """Breakpoints and paused attempts (``maestro_step_breakpoint``) and tag permits."""

    async def save_breakpoint(self, row: BreakpointRow) -> None: ...

    async def list_breakpoints(
        self, workflow_id: str, step_id: str | None, *, system_generated: bool
    ) -> list[BreakpointRow]: ...

    async def workflows_with_breakpoints(self) -> set[str]: ...

    async def delete_breakpoints(
        self, workflow_id: str, step_id: str, *, system_generated: bool, keys: Any = None
    ) -> int: ...

    async def save_tag_permit(self, row: TagPermitRow) -> None: ...

    async def get_tag_permit(self, tag: str) -> TagPermitRow | None: ...

    async def delete_tag_permit(self, tag: str) -> bool: ...

    async def acquire_permits(
        self, step_uuid: str, tags: list[str], now: int, limits: Mapping[str, int] | None = None
    ) -> list[str]:
        """Take a permit of every limited tag, or none; the tags that are full. ``limits``
        adds limits of the caller's own (a workflow's step concurrency), held and released
        like tag permits, under names that no tag can have."""
        ...

    async def release_permits(self, step_uuid: str) -> None: ...

    async def count_permits(self, tag: str) -> int: ...

    async def save_output_data(
        self,
        job_type: str,
        job_id: str,
        workflow_id: str | None,
        payload: dict[str, Any],
        now: int,
    ) -> None:
        """Insert or replace the output data an external job published."""
        ...

    async def get_output_data(self, job_type: str, job_id: str) -> dict[str, Any] | None: ...
