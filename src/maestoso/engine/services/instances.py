"""Starting instances, admitting them under the run strategy, stopping and killing them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

from maestoso.clock import Clock
from maestoso.engine.lru import Lru
from maestoso.engine.runtime.compiled import CompiledWorkflow, WorkflowCache
from maestoso.engine.runtime.signal_hub import SignalHub
from maestoso.engine.services.locks import WorkflowLocks
from maestoso.engine.services.new_instance import new_instance
from maestoso.engine.services.strategies import (
    BLOCKING_FAILURE,
    on_arrival,
    run_limit,
    strategy_of,
)
from maestoso.engine.services.workflow_documents import VersionSelector
from maestoso.errors import (
    ConflictError,
    InvalidStatusError,
    MaestosoError,
    NotFoundError,
    WorkflowChangedError,
)
from maestoso.models import UserRef, user_name
from maestoso.models.events import InstanceAction, LaunchFlow, StartWorkflow
from maestoso.models.start import WorkflowStartRequest
from maestoso.models.statuses import ACTION_TARGET, WorkflowStatus
from maestoso.models.timeline import log_event
from maestoso.params import off_loop, only_workflow_defaults
from maestoso.store.port import Store
from maestoso.store.records import InstanceRow, InstanceUpdate, JobEvent, WorkflowRow

_ACTIVE = (WorkflowStatus.IN_PROGRESS.value, WorkflowStatus.PAUSED.value)
_NONTERMINAL = (WorkflowStatus.CREATED.value, *_ACTIVE)
ACCEPTED = "The action is accepted and is still running. Please check it again."
COMPLETED = "The action is completed."
UNBLOCK_DONE = "The action is done."
UNBLOCK_NOOP = "The action is done without any operation."
UNBLOCKED = "FAILED_1"
UNBLOCK_BATCH = 100


WORKFLOWS_KNOWN = 1024
"""Workflows whose row a node keeps from one start to the next."""


class InstanceService:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        locks: WorkflowLocks,
        signals: SignalHub,
        workflows: WorkflowCache,
        groups: int,
        wake: Callable[[], None],
        launch: Callable[[InstanceRow], None],
        owns: Callable[[int], bool] = lambda group_id: True,
    ) -> None:
        """``owns`` tells whether this node runs a flow group's flows; a run of another
        group is handed to its owner by an event of the starting transaction."""
        self._store = store
        self._clock = clock
        self._locks = locks
        self._signals = signals
        self._workflows = workflows
        self._groups = groups
        self._wake = wake
        self._launch = launch
        self._owns = owns
        self._known: Lru[str, WorkflowRow] = Lru(WORKFLOWS_KNOWN)

    # -- start -------------------------------------------------------------------------------

    async def start(
        self, workflow_id: str, version: str, request: WorkflowStartRequest, caller: UserRef
    ) -> dict[str, Any]:
        # The workflow as last read here saves a round trip; the creating transaction checks
        # that it has not changed since (``expected``), and else it is read again.
        known = self._known.get(workflow_id)
        workflow = known or await self._read(workflow_id)
        try:
            row = await self._new_row(workflow, version, request, caller)
        except MaestosoError:
            if known is None or (workflow := await self._read(workflow_id)).stamp == known.stamp:
                raise  # not because it changed: the same again would fail the same way
            known, row = None, await self._new_row(workflow, version, request, caller)
        try:
            return await self._arrive_and_answer(workflow, row, caller, expected=known)
        except WorkflowChangedError:  # only with ``expected``
            workflow = await self._read(workflow_id)
            row = await self._new_row(workflow, version, request, caller)
            return await self._arrive_and_answer(workflow, row, caller)

    async def _read(self, workflow_id: str) -> WorkflowRow:
        workflow = await self._store.get_workflow(workflow_id)
        if workflow is None:
            raise NotFoundError(f"Cannot find workflow [{workflow_id}]")
        self._known.put(workflow_id, workflow)
        return workflow

    async def _new_row(
        self, workflow: WorkflowRow, version: str, request: WorkflowStartRequest, caller: UserRef
    ) -> InstanceRow:
        version_id = VersionSelector.parse(version).resolve(workflow)
        compiled = await self._compiled(workflow, version_id)
        make = partial(
            new_instance,
            compiled.workflow,
            dict(compiled.document),
            workflow.internal_id,
            version_id,
            workflow.properties_snapshot,
            request,
            caller,
            self._clock.now_ms(),
            signals=self._signals,
            groups=self._groups,
        )
        # A user's SEL in the new run's params runs off the event loop, bounded in time; the
        # workflow defaults alone are our own expressions, cheaper than the thread's hop.
        trusted = only_workflow_defaults(compiled.workflow.params, run_params=request.run_params)
        return make() if trusted else await off_loop(make)

    async def _arrive_and_answer(
        self,
        workflow: WorkflowRow,
        row: InstanceRow,
        caller: UserRef,
        expected: WorkflowRow | None = None,
    ) -> dict[str, Any]:
        workflow_id = workflow.workflow_id
        async with self._locks.of(workflow_id):
            stored, created, stopped = await self._arrive(workflow, row, caller, expected)
        if created and stored.status == WorkflowStatus.IN_PROGRESS.value:
            self._launch(stored)  # started in its own transaction: no admission event
        elif created:
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
                "timestamp": row.create_time,
                "type": "LOG",
                "level": "INFO",
                "message": message,
            },
        }

    async def _compiled(self, workflow: WorkflowRow, version_id: int) -> CompiledWorkflow:
        """A version's parsed definition; versions never change, so it is read once."""
        identity = (workflow.workflow_id, workflow.internal_id, version_id)
        compiled = self._workflows.cached(identity)
        if compiled is None:
            version = await self._store.get_version(workflow.workflow_id, version_id)
            if version is None:
                raise NotFoundError(
                    f"Cannot find workflow [{workflow.workflow_id}] with version [{version_id}]"
                )
            compiled = self._workflows.get(identity, version.definition)
        return compiled

    async def _arrive(
        self,
        workflow: WorkflowRow,
        row: InstanceRow,
        caller: UserRef,
        expected: WorkflowRow | None = None,
    ) -> tuple[InstanceRow, bool, bool]:
        """Store the new run under its workflow's run strategy: (stored, created, stopped)."""
        strategy = strategy_of(workflow.properties_snapshot)
        arrival = await on_arrival(self._store, strategy, row.workflow_id)
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
        event = JobEvent.of(StartWorkflow(workflow_id=row.workflow_id))
        # Started at once when the strategy has room, counted in the creating transaction;
        # else queued, with the event that admits it later.
        admit = run_limit(strategy) if queued else None
        launch = LaunchFlow(workflow_id=row.workflow_id, instance_id=0, run_id=row.run_id)
        # Run by the owner of its group: told in the same transaction, when not this node.
        elsewhere = [] if self._owns(row.group_id) else [JobEvent.of(launch, group=row.group_id)]
        stored, created = await self._store.create_instance(
            row, [event] if queued else [], admit=admit, if_started=elsewhere, expected=expected
        )
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
        target = ACTION_TARGET[action]
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
        event = InstanceAction(
            workflow_id=row.workflow_id,
            instance_id=row.instance_id,
            run_id=row.run_id,
            action=action,
            reason=reason,
        )
        await self._store.enqueue([JobEvent.of(event, group=row.group_id)])
        self._wake()
        return False, row

    async def terminate_all(self, workflow_id: str, action: str, caller: UserRef) -> dict[str, Any]:
        if await self._store.get_workflow(workflow_id) is None:
            raise NotFoundError(f"Cannot find workflow [{workflow_id}]")
        rows = await self._store.find_instances(workflow_id, statuses=_NONTERMINAL, limit=100_000)
        target = ACTION_TARGET[action]
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
        event = JobEvent.of(StartWorkflow(workflow_id=rows[0].workflow_id))
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
