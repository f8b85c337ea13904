"""Breakpoints: a step with one stops in PAUSED at every attempt until someone resumes it."""

from __future__ import annotations

from typing import Any

from maestoso.clock import Clock
from maestoso.engine.runtime.gates import AttemptKey, Controls
from maestoso.errors import NotFoundError, ValidationError
from maestoso.models import UserRef, user_name
from maestoso.store.controls import BreakpointRow
from maestoso.store.port import Store

_EXACT_FIELDS = ("workflow_version", "workflow_instance_id", "workflow_run", "step_attempt_id")


class Breakpoints:
    def __init__(self, store: Store, clock: Clock, controls: Controls) -> None:
        self._store = store
        self._clock = clock
        self._controls = controls

    async def create(self, body: dict[str, Any], caller: UserRef) -> dict[str, Any]:
        given = sorted(k for k in _EXACT_FIELDS if body.get(k) is not None)
        if given:
            raise ValidationError(
                f"a breakpoint applies to every version, instance, run and attempt: {given} "
                "must be absent",
                [f"{k}: must be absent" for k in given],
            )
        workflow_id, step_id = _required(body, "workflow_id"), _required(body, "step_id")
        await self._require_step(workflow_id, step_id)
        unknown = sorted(set(body) - {"workflow_id", "step_id", *_EXACT_FIELDS})
        if unknown:
            raise ValidationError(
                f"unknown fields {unknown}", [f"{k}: unknown field" for k in unknown]
            )
        row = BreakpointRow(
            workflow_id=workflow_id,
            step_id=step_id,
            system_generated=False,
            version=0,
            instance_id=0,
            run_id=0,
            step_attempt_id=0,
            created_by=caller,
            create_time=self._clock.now_ms(),
        )
        await self._store.save_breakpoint(row)
        await self._controls.changed()
        return breakpoint_body(row)

    async def list_breakpoints(self, workflow_id: str, step_id: str | None) -> list[dict[str, Any]]:
        rows = await self._store.list_breakpoints(workflow_id, step_id, system_generated=False)
        return [breakpoint_body(row) for row in rows]

    async def paused(self, workflow_id: str, step_id: str | None) -> list[dict[str, Any]]:
        rows = await self._store.list_breakpoints(workflow_id, step_id, system_generated=True)
        return [_paused_body(row) for row in rows]

    async def delete(
        self, workflow_id: str, step_id: str, caller: UserRef, *, resume: bool = True
    ) -> dict[str, Any]:
        removed = await self._store.delete_breakpoints(workflow_id, step_id, system_generated=False)
        if not removed:
            raise NotFoundError(f"Cannot find a breakpoint on step [{workflow_id}][{step_id}]")
        resumed = 0
        if resume:
            paused = await self._store.list_breakpoints(workflow_id, step_id, system_generated=True)
            resumed = await self._store.delete_breakpoints(
                workflow_id, step_id, system_generated=True
            )
            self._controls.resumed(_key(row) for row in paused)
        await self._controls.changed()
        message = (
            f"StepBreakpoint has been removed by the user [{user_name(caller)}]. "
            f"Total of [{resumed}] steps have been resumed"
        )
        return {
            "workflow_id": workflow_id,
            "step_id": step_id,
            "timeline_event": self._log(message),
        }

    async def resume(
        self,
        workflow_id: str,
        instance_id: int,
        run_id: int,
        step_id: str,
        attempt_id: int,
        caller: UserRef,
    ) -> dict[str, Any]:
        paused = [
            row
            for row in await self._store.list_breakpoints(
                workflow_id, step_id, system_generated=True
            )
            if (row.instance_id, row.run_id, row.step_attempt_id)
            == (instance_id, run_id, attempt_id)
        ]
        if not paused:
            raise NotFoundError(
                f"Cannot find a paused attempt [{attempt_id}] of step [{step_id}] in "
                f"[{workflow_id}][{instance_id}][{run_id}]"
            )
        row = paused[0]
        await self._store.delete_breakpoints(
            workflow_id, step_id, system_generated=True, keys=_key(row).keys()
        )
        self._controls.resumed([_key(row)])
        await self._controls.changed()
        message = f"User [{user_name(caller)}] take action [RESUME] on the step"
        return {
            "workflow_id": workflow_id,
            "workflow_instance_id": instance_id,
            "workflow_run_id": run_id,
            "step_id": step_id,
            "step_attempt_id": attempt_id,
            "timeline_event": self._log(message),
        }

    async def _require_step(self, workflow_id: str, step_id: str) -> None:
        workflow = await self._store.get_workflow(workflow_id)
        if workflow is None:
            raise NotFoundError(f"Cannot find workflow [{workflow_id}]")
        version = await self._store.get_version(workflow_id, workflow.latest_version_id)
        ids = _step_ids((version.definition if version else {}).get("steps") or [])
        if step_id not in ids:
            raise NotFoundError(f"Cannot find step [{step_id}] in workflow [{workflow_id}]")

    def _log(self, message: str) -> dict[str, Any]:
        return {
            "timestamp": self._clock.now_ms(),
            "type": "LOG",
            "level": "INFO",
            "message": message,
        }


def _step_ids(boxes: list[dict[str, Any]]) -> set[str]:
    ids: set[str] = set()
    for box in boxes:
        for body in box.values():
            ids.add(body.get("id"))
            ids |= _step_ids(body.get("steps") or [])
    return ids


def _required(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise ValidationError(f"{name} is required", [f"{name}: is required"])
    return value


def _key(row: BreakpointRow) -> AttemptKey:
    return AttemptKey(
        row.workflow_id, row.step_id, row.version, row.instance_id, row.run_id, row.step_attempt_id
    )


def breakpoint_body(row: BreakpointRow) -> dict[str, Any]:
    body: dict[str, Any] = {"workflow_id": row.workflow_id}
    for name, value in (
        ("workflow_version_id", row.version),
        ("workflow_instance_id", row.instance_id),
        ("workflow_run_id", row.run_id),
    ):
        if value:
            body[name] = value
    body["step_id"] = row.step_id
    if row.step_attempt_id:
        body["step_attempt_id"] = row.step_attempt_id
    body["create_time"] = row.create_time
    if row.created_by is not None:
        body["created_by"] = row.created_by
    return body


def _paused_body(row: BreakpointRow) -> dict[str, Any]:
    return {
        "workflow_id": row.workflow_id,
        "workflow_version_id": row.version,
        "workflow_instance_id": row.instance_id,
        "workflow_run_id": row.run_id,
        "step_id": row.step_id,
        "step_attempt_id": row.step_attempt_id,
        "create_time": row.create_time,
    }
