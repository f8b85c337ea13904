"""Starting instances, admitting them under the run strategy, stopping and killing them."""

from __future__ import annotations

import asyncio
import uuid
import weakref
from dataclasses import replace
from typing import Any

from maestoso.clock import Clock
from maestoso.engine.context import compile_workflow
from maestoso.engine.executor import FlowExecutor, group_of
from maestoso.engine.param_context import RunContext
from maestoso.engine.strategies import (
    BLOCKING_FAILURE,
    admission_slots,
    on_arrival,
    strategy_of,
)
from maestoso.engine.workflows import VersionSelector
from maestoso.errors import ConflictError, InvalidStatusError, NotFoundError, UserError
from maestoso.models import UserRef, user_name
from maestoso.models.start import InitiatorType, WorkflowStartRequest
from maestoso.models.statuses import WorkflowStatus
from maestoso.params import evaluate_workflow_params, off_loop
from maestoso.queue import RetryLater
from maestoso.store.port import Store
from maestoso.store.records import (
    InstanceRow,
    InstanceUpdate,
    JobEvent,
    QueuedEvent,
    WorkflowRow,
)

START_WORKFLOW = "START_WORKFLOW"
INSTANCE_ACTION = "INSTANCE_ACTION"
_ACTIVE = (WorkflowStatus.IN_PROGRESS.value, WorkflowStatus.PAUSED.value)
_NONTERMINAL = (WorkflowStatus.CREATED.value, *_ACTIVE)
_ACTION_TARGET = {"STOP": WorkflowStatus.STOPPED, "KILL": WorkflowStatus.FAILED}
ACCEPTED = "The action is accepted and is still running. Please check it again."
COMPLETED = "The action is completed."
UNBLOCK_DONE = "The action is done."
UNBLOCK_NOOP = "The action is done without any operation."
UNBLOCKED = "FAILED_1"
UNBLOCK_BATCH = 100


class InstanceService:
    def __init__(self, store: Store, clock: Clock, executor: FlowExecutor, wake: Any) -> None:
        self._store = store
        self._clock = clock
        self._executor = executor
        self._wake = wake
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    # -- start -------------------------------------------------------------------------------

    async def start(
        self, workflow_id: str, version: str, request: WorkflowStartRequest, caller: UserRef
    ) -> dict[str, Any]:
        workflow = await self._store.get_workflow(workflow_id)
        if workflow is None:
            raise NotFoundError(f"Cannot find workflow [{workflow_id}]")
        version_id = VersionSelector.parse(version).resolve(workflow)
        definition = await self._store.get_version(workflow_id, version_id)
        if definition is None:
            raise NotFoundError(f"Cannot find workflow [{workflow_id}] with version [{version_id}]")
        now = self._clock.now_ms()
        # Off the event loop: the new run's params are SEL expressions.
        row = await off_loop(
            self._new_instance,
            workflow.internal_id,
            definition.definition,
            version_id,
            workflow.properties_snapshot,
            request,
            caller,
            now,
        )
        async with self._lock(workflow_id):
            stored, created, stopped = await self._arrive(workflow, row, caller)
        if created:
            self._wake()
        status = "STOPPED" if stopped else "CREATED" if created else "DUPLICATED"
        message = (
            f"Workflow instance [{workflow_id}][{stored.instance_id}] is created"
            if created
            else f"Request [{row.uuid}] is a duplicate of instance [{stored.instance_id}]"
        )
        return {
            "workflow_id": workflow_id,
            "workflow_version_id": stored.version_id,
            "workflow_instance_id": stored.instance_id,
            "workflow_run_id": stored.run_id,
            "workflow_uuid": stored.uuid,
            "status": status,
            "timeline_event": {
                "timestamp": now,
                "type": "LOG",
                "level": "INFO",
                "message": message,
            },
        }

    async def _arrive(
        self, workflow: WorkflowRow, row: InstanceRow, caller: UserRef
    ) -> tuple[InstanceRow, bool, bool]:
        """Store the new run under its workflow's run strategy: (stored, created, stopped)."""
        arrival = await on_arrival(
            self._store, strategy_of(workflow.properties_snapshot), row.workflow_id
        )
        if arrival.stop_new and row.status == WorkflowStatus.CREATED.value:
            now = row.create_time
            message = "Stopped by the FIRST_ONLY run strategy: another run is not finished"
            row = replace(
                row,
                status=WorkflowStatus.STOPPED.value,
                end_time=now,
                timeline=[log_event(now, message)],
            )
        queued = row.status == WorkflowStatus.CREATED.value
        event = JobEvent(type=START_WORKFLOW, payload={"workflow_id": row.workflow_id})
        stored, created = await self._store.create_instance(row, [event] if queued else [])
        if created:
            for other in [*arrival.stop_queued, *arrival.stop_running]:
                try:
                    await self._terminate(
                        other,
                        WorkflowStatus.STOPPED,
                        "STOP",
                        caller,
                        reason=f"a newer run [{stored.instance_id}] arrived",
                    )
                except InvalidStatusError:
                    continue  # it finished meanwhile
        return stored, created, created and arrival.stop_new

    def _new_instance(
        self,
        internal_id: int,
        definition: dict[str, Any],
        version_id: int,
        properties: dict[str, Any],
        request: WorkflowStartRequest,
        caller: UserRef,
        now: int,
    ) -> InstanceRow:
        workflow = compile_workflow(definition).workflow
        workflow_id = workflow.id
        run_params = {k: v.to_json() for k, v in (request.run_params or {}).items()}
        instance_uuid = request.request_id or str(uuid.uuid4())
        provisional = _provisional(workflow_id, version_id, instance_uuid, properties, request)
        failure: UserError | None = None
        try:
            evaluated = evaluate_workflow_params(
                workflow.params,
                run_params=request.run_params,
                context=RunContext(provisional),
                clock=_At(now),
                workflow_id=workflow_id,
            )
        except UserError as exc:
            if not request.persist_failed_run:
                raise
            failure, evaluated = exc, {}  # kept as a FAILED run, as the caller asked
        params = {name: param.to_json() for name, param in evaluated.items()}
        initiator = request.initiator.to_json()
        if request.initiator.type is InitiatorType.MANUAL:
            initiator["user"] = caller
        steps = workflow.top_steps()
        predecessors: dict[str, list[str]] = {step.id: [] for step in steps}
        for step in steps:
            for successor in step.successors:
                predecessors[successor].append(step.id)
        document: dict[str, Any] = {
            "internal_id": internal_id,
            "run_config": {"policy": "START_FRESH_NEW_RUN"},
            "run_params": run_params or None,
            "run_properties": {
                k: v
                for k, v in properties.items()
                if k in ("create_time", "owner", "alerting", "step_concurrency", "tags")
            },
            "runtime_workflow": definition,
            "runtime_dag": {
                step.id: {
                    "predecessors": predecessors[step.id],
                    "successors": dict(step.successors),
                }
                for step in steps
            },
            "params": params,
        }
        if request.runtime_tags:
            document["run_config"]["runtime_tags"] = [
                t if isinstance(t, str) else t.to_json() for t in request.runtime_tags
            ]
        return InstanceRow(
            workflow_id=workflow_id,
            instance_id=0,
            run_id=1,
            uuid=instance_uuid,
            version_id=version_id,
            status=(WorkflowStatus.FAILED if failure else WorkflowStatus.CREATED).value,
            group_id=group_of(f"[{workflow_id}][{instance_uuid}]", self._executor.groups),
            initiator=initiator,
            depth=len(initiator.get("ancestors") or ()),
            document={k: v for k, v in document.items() if v is not None},
            runtime_overview=None,
            artifacts=request.artifacts,
            timeline=[_failure_details(failure, now)] if failure else [],
            execution_id=None,
            request_time=request.request_time or now,
            create_time=now,
            start_time=None,
            end_time=now if failure else None,
            modify_time=now,
        )

    # -- admission ---------------------------------------------------------------------------

    async def on_start_workflow(self, event: QueuedEvent) -> None:
        """Admit queued instances of a workflow as far as its run strategy allows."""
        workflow_id = str(event.payload["workflow_id"])
        async with self._lock(workflow_id):
            await self._admit(workflow_id)

    async def _admit(self, workflow_id: str) -> None:
        workflow = await self._store.get_workflow(workflow_id)
        if workflow is None:
            return
        strategy = strategy_of(workflow.properties_snapshot)
        slots = await admission_slots(self._store, strategy, workflow_id)
        if slots <= 0:
            return
        queued = await self._store.find_instances(
            workflow_id, statuses=(WorkflowStatus.CREATED.value,), limit=slots
        )
        for row in queued:
            now = self._clock.now_ms()
            update = InstanceUpdate(
                workflow_id=workflow_id,
                instance_id=row.instance_id,
                run_id=row.run_id,
                status=WorkflowStatus.IN_PROGRESS.value,
                expected_statuses=(WorkflowStatus.CREATED.value,),
                execution_id=str(uuid.uuid4()),
                start_time=now,
                modify_time=now,
            )
            try:
                await self._store.update_instances([update])
            except ConflictError:
                continue  # stopped while it waited
            admitted = await self._store.get_instance(workflow_id, row.instance_id, row.run_id)
            if admitted is not None:
                self._executor.launch(admitted)

    # -- stop and kill -----------------------------------------------------------------------

    async def terminate(
        self,
        workflow_id: str,
        instance_id: int,
        run_id: int | None,
        action: str,
        caller: UserRef,
    ) -> dict[str, Any]:
        """Stop or kill the latest run of an instance (Maestro's instance action response)."""
        row = await self._latest(workflow_id, instance_id, run_id, action)
        target = _ACTION_TARGET[action]
        completed, row = await self._terminate(row, target, action, caller)
        return self._action_response(row, action, completed, caller)

    async def _terminate(
        self,
        row: InstanceRow,
        target: WorkflowStatus,
        action: str,
        caller: UserRef,
        reason: str | None = None,
    ) -> tuple[bool, InstanceRow]:
        current = WorkflowStatus.from_stored(row.status)
        if current is target:
            return True, row
        if current.is_terminal:
            raise InvalidStatusError(
                f"Cannot {action.lower()} workflow instance [{row.workflow_id}]"
                f"[{row.instance_id}][{row.run_id}] as its status is [{current.value}]",
                [f"status: {current.value} allows no {action}"],
            )
        reason = reason or f"{action} by {user_name(caller)}"
        now = self._clock.now_ms()
        if current is WorkflowStatus.CREATED:
            update = InstanceUpdate(
                workflow_id=row.workflow_id,
                instance_id=row.instance_id,
                run_id=row.run_id,
                status=target.value,
                expected_statuses=(WorkflowStatus.CREATED.value,),
                end_time=now,
                modify_time=now,
                timeline=[log_event(now, f"Workflow instance is {target.value.lower()}: {reason}")],
            )
            try:
                await self._store.update_instances([update])
                stored = await self._store.get_instance(row.workflow_id, row.instance_id)
                return True, stored or row
            except ConflictError:
                refreshed = await self._store.get_instance(row.workflow_id, row.instance_id)
                if refreshed is None:
                    raise
                return await self._terminate(refreshed, target, action, caller, reason)
        payload = {
            "workflow_id": row.workflow_id,
            "workflow_instance_id": row.instance_id,
            "workflow_run_id": row.run_id,
            "workflow_action": action,
            "reason": reason,
        }
        await self._store.enqueue([JobEvent(type=INSTANCE_ACTION, queue_id=2, payload=payload)])
        self._wake()
        return False, row

    async def terminate_all(self, workflow_id: str, action: str, caller: UserRef) -> dict[str, Any]:
        if await self._store.get_workflow(workflow_id) is None:
            raise NotFoundError(f"Cannot find workflow [{workflow_id}]")
        rows = await self._store.find_instances(workflow_id, statuses=_NONTERMINAL, limit=100_000)
        target = _ACTION_TARGET[action]
        for row in rows:
            try:
                await self._terminate(row, target, action, caller)
            except InvalidStatusError:
                continue  # it finished meanwhile
        now = self._clock.now_ms()
        verb = "stop" if action == "STOP" else "kill"
        return {
            "timestamp": now,
            "type": "ACTION",
            "action": action,
            "author": caller,
            "message": f"Caller [{user_name(caller)}] asked to {verb} {len(rows)} "
            f"non-terminal instances of workflow [{workflow_id}]",
        }

    async def on_instance_action(self, event: QueuedEvent) -> None:
        """Deliver a stop or kill to the run's flow and wait until the run has ended, so that
        a crash in between re-delivers it to the flow resumed after the restart."""
        payload = event.payload
        key = (
            str(payload["workflow_id"]),
            int(payload["workflow_instance_id"]),
            int(payload["workflow_run_id"]),
        )
        row = await self._store.get_instance(*key)
        if row is None or WorkflowStatus.from_stored(row.status).is_terminal:
            return
        target = _ACTION_TARGET[str(payload["workflow_action"])]
        if not self._executor.terminate(key, target, str(payload.get("reason", ""))):
            raise RetryLater(0.5, "the run is not running on this node yet")
        for _ in range(200):
            await asyncio.sleep(0.05)
            row = await self._store.get_instance(*key)
            if row is None or WorkflowStatus.from_stored(row.status).is_terminal:
                return
        raise RetryLater(0.5, "the run is still stopping")

    def _action_response(
        self, row: InstanceRow, action: str, completed: bool, caller: UserRef, info: str = ""
    ) -> dict[str, Any]:
        now = self._clock.now_ms()
        message = f"[API] call by {user_name(caller)} to {action} the latest workflow instance run"
        return {
            "workflow_id": row.workflow_id,
            "workflow_instance_id": row.instance_id,
            "workflow_run_id": row.run_id,
            "workflow_instance_status": WorkflowStatus.from_stored(row.status).value,
            "completed": completed,
            "info": info or (COMPLETED if completed else ACCEPTED),
            "timeline_event": log_event(now, message),
        }

    # -- unblock -----------------------------------------------------------------------------

    async def unblock(
        self, workflow_id: str, instance_id: int, run_id: int | None, caller: UserRef
    ) -> dict[str, Any]:
        """Let a FAILED run stop blocking a STRICT_SEQUENTIAL queue (stored as FAILED_1)."""
        row = await self._latest(workflow_id, instance_id, run_id, "UNBLOCK")
        if WorkflowStatus.from_stored(row.status) is not WorkflowStatus.FAILED:
            raise InvalidStatusError(
                f"Cannot unblock workflow instance [{workflow_id}][{instance_id}]"
                f"[{row.run_id}] as its status is [{row.status}]: only a FAILED run can be",
                [f"status: {row.status} allows no UNBLOCK"],
            )
        if row.status != BLOCKING_FAILURE:
            return self._action_response(row, "UNBLOCK", True, caller, UNBLOCK_NOOP)
        await self._mark_unblocked([row], caller)
        return self._action_response(row, "UNBLOCK", True, caller, UNBLOCK_DONE)

    async def unblock_all(self, workflow_id: str, caller: UserRef) -> dict[str, Any]:
        if await self._store.get_workflow(workflow_id) is None:
            raise NotFoundError(f"Cannot find workflow [{workflow_id}]")
        count = 0
        while True:
            rows = await self._store.find_instances(
                workflow_id, statuses=(BLOCKING_FAILURE,), limit=UNBLOCK_BATCH
            )
            if not rows:
                break
            await self._mark_unblocked(rows, caller)
            count += len(rows)
        message = f"Caller [{user_name(caller)}] unblocked [{count}] failed instances"
        return {
            "timestamp": self._clock.now_ms(),
            "type": "ACTION",
            "action": "UNBLOCK",
            "author": caller,
            "message": message,
        }

    async def _mark_unblocked(self, rows: list[InstanceRow], caller: UserRef) -> None:
        now = self._clock.now_ms()
        message = f"Unblocked by {user_name(caller)}"
        updates = [
            InstanceUpdate(
                workflow_id=row.workflow_id,
                instance_id=row.instance_id,
                run_id=row.run_id,
                status=UNBLOCKED,
                expected_statuses=(BLOCKING_FAILURE,),
                modify_time=now,
                timeline=[log_event(now, message)],
            )
            for row in rows
        ]
        event = JobEvent(type=START_WORKFLOW, payload={"workflow_id": rows[0].workflow_id})
        await self._store.update_instances(updates, events=[event])
        self._wake()

    async def _latest(
        self, workflow_id: str, instance_id: int, run_id: int | None, action: str
    ) -> InstanceRow:
        row = await self._store.get_instance(workflow_id, instance_id)
        if row is None:
            raise NotFoundError(f"Cannot find workflow instance [{workflow_id}][{instance_id}]")
        if run_id is not None and run_id != row.run_id:
            raise InvalidStatusError(
                f"Cannot {action.lower()} run [{run_id}] of [{workflow_id}][{instance_id}]: "
                f"only the latest run [{row.run_id}] can be acted on"
            )
        return row

    def _lock(self, workflow_id: str) -> asyncio.Lock:
        lock = self._locks.get(workflow_id)
        if lock is None:
            lock = self._locks[workflow_id] = asyncio.Lock()
        return lock


def log_event(now: int, message: str) -> dict[str, Any]:
    """A timeline LOG event, as Maestro writes one."""
    return {"timestamp": now, "type": "LOG", "level": "INFO", "message": message}


def _failure_details(error: UserError, now: int) -> dict[str, Any]:
    return {
        "timestamp": now,
        "type": "DETAILS",
        "status": "BAD_REQUEST",
        "message": f"Failed to initiate workflow params and properties: {error.message}",
        "errors": error.errors,
        "retryable": False,
    }


class _At:
    """A clock frozen at the request's time, so every default (RUN_TS…) agrees."""

    def __init__(self, now_ms: int) -> None:
        self._now_ms = now_ms

    def now_ms(self) -> int:
        return self._now_ms


def _provisional(
    workflow_id: str,
    version_id: int,
    instance_uuid: str,
    properties: dict[str, Any],
    request: WorkflowStartRequest,
) -> InstanceRow:
    """What params may read of an instance before it is stored (its id is not known yet)."""
    return InstanceRow(
        workflow_id=workflow_id,
        instance_id=0,
        run_id=1,
        uuid=instance_uuid,
        version_id=version_id,
        status=WorkflowStatus.CREATED.value,
        group_id=0,
        initiator=request.initiator.to_json(),
        depth=0,
        document={
            "run_properties": {"owner": properties.get("owner")},
            "run_config": {"policy": "START_FRESH_NEW_RUN"},
        },
        runtime_overview=None,
        artifacts=None,
        timeline=[],
        execution_id=None,
        request_time=0,
        create_time=0,
        start_time=None,
        end_time=None,
        modify_time=0,
    )
