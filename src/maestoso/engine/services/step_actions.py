"""Actions on steps: stop, kill, skip and restart (Maestro's step action endpoints).

An action on a running run is a durable job event: its handler hands it to the run's flow and
waits until the step shows it, so a crash in between delivers it again to the resumed flow.
Restarting a step of a finished run makes a new run from that step (RESTART_FROM_SPECIFIC).
"""

from __future__ import annotations

from typing import Any

from maestoso.clock import Clock
from maestoso.engine.runtime.executor import FlowExecutor
from maestoso.engine.runtime.messages import ActOnStep
from maestoso.engine.services.restarts import Restarts
from maestoso.errors import InvalidStatusError, NotFoundError
from maestoso.models import ParamMap, UserRef, user_name
from maestoso.models.events import StepActionEvent
from maestoso.models.restart import RestartPolicy
from maestoso.models.statuses import STEP_ACTIONS, StepAction, StepStatus, WorkflowStatus
from maestoso.queue import RetryLater
from maestoso.store.port import Store
from maestoso.store.records import InstanceRow, JobEvent, StepAttemptRow

BLOCKING_SECONDS = 5.0


class StepActions:
    def __init__(
        self, store: Store, clock: Clock, executor: FlowExecutor, restarts: Restarts, wake: Any
    ) -> None:
        self._store = store
        self._clock = clock
        self._executor = executor
        self._restarts = restarts
        self._wake = wake

    async def act(
        self,
        workflow_id: str,
        instance_id: int,
        step_id: str,
        action: StepAction,
        caller: UserRef,
        *,
        blocking: bool = True,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        run = await self._store.get_instance(workflow_id, instance_id)
        if run is None:
            raise NotFoundError(f"Cannot find workflow instance [{workflow_id}][{instance_id}]")
        steps = set(run.record.step_ids)
        if step_id not in steps:
            raise NotFoundError(
                f"Cannot find step [{step_id}] in workflow instance [{workflow_id}]"
                f"[{instance_id}][{run.run_id}]"
            )
        attempt = await self._store.get_step_attempt(workflow_id, instance_id, run.run_id, step_id)
        status = StepStatus(attempt.status) if attempt else StepStatus.NOT_CREATED
        allowed = STEP_ACTIONS.get(status, ())
        if action not in allowed:
            raise InvalidStatusError(
                f"Cannot {action.value} step [{step_id}] of [{workflow_id}][{instance_id}]"
                f"[{run.run_id}] as its status is [{status.value}]",
                [f"status: {status.value} allows {[a.value for a in allowed]}"],
            )
        run_status = WorkflowStatus.from_stored(run.status)
        if run_status.is_terminal:
            if action is not StepAction.RESTART:
                raise InvalidStatusError(
                    f"Cannot {action.value} step [{step_id}]: its run is [{run_status.value}]"
                )
            await self._restarts.restart_instance(
                workflow_id,
                instance_id,
                RestartPolicy.RESTART_FROM_SPECIFIC,
                caller,
                from_step=step_id,
            )
            run = await self._store.get_instance(workflow_id, instance_id) or run
        else:
            event = StepActionEvent(
                workflow_id=workflow_id,
                instance_id=instance_id,
                run_id=run.run_id,
                step_id=step_id,
                attempt_id=attempt.attempt_id if attempt else 0,
                action=action.value,
                extra=extra or {},
            )
            await self._store.enqueue([JobEvent.of(event, group=run.group_id)])
            self._wake()
            if blocking:
                attempt = await self._settled(run, step_id, attempt) or attempt
        return self._response(run, step_id, action, attempt, caller)

    async def _settled(
        self, run: InstanceRow, step_id: str, before: StepAttemptRow | None
    ) -> StepAttemptRow | None:
        deadline = self._clock.monotonic() + BLOCKING_SECONDS
        while self._clock.monotonic() < deadline:
            await self._clock.sleep(0.05)
            now = await self._store.get_step_attempt(
                run.workflow_id, run.instance_id, run.run_id, step_id
            )
            if now is not None and _changed(before, now):
                return now
        return None

    async def restart_instance(
        self,
        workflow_id: str,
        instance_id: int,
        policy: RestartPolicy,
        caller: UserRef,
        run_params: ParamMap | None = None,
        request_id: str | None = None,
    ) -> dict[str, Any]:
        """Restart an instance; a child of a running parent is restarted through its parent
        (a new attempt of the parent's step), as Maestro delegates up the ancestors."""
        latest = await self._store.get_instance(workflow_id, instance_id)
        initiator = latest.initiator if latest else {}
        kind = str(initiator.get("type", "")).upper()
        parent = (initiator.get("ancestors") or [None])[-1]
        if kind in ("FOREACH", "WHILE") and parent:
            raise InvalidStatusError(
                f"[{workflow_id}][{instance_id}] is an iteration of the {kind.lower()} step "
                f"[{parent.get('step_id')}] of [{parent.get('workflow_id')}]"
                f"[{parent.get('instance_id')}]: restart that step instead",
                ["an inline instance cannot be restarted directly"],
            )
        if kind == "SUBWORKFLOW" and parent:
            parent_run = await self._store.get_instance(
                str(parent["workflow_id"]), int(parent["instance_id"])
            )
            if parent_run and not WorkflowStatus.from_stored(parent_run.status).is_terminal:
                response = await self.act(
                    parent_run.workflow_id,
                    parent_run.instance_id,
                    str(parent["step_id"]),
                    StepAction.RESTART,
                    caller,
                )
                return {**response, "status": "DELEGATED"}
        return await self._restarts.restart_instance(
            workflow_id, instance_id, policy, caller, run_params=run_params, request_id=request_id
        )

    async def on_step_action(self, event: StepActionEvent) -> None:
        key = (event.workflow_id, event.instance_id, event.run_id)
        run = await self._store.get_instance(*key)
        if run is None or WorkflowStatus.from_stored(run.status).is_terminal:
            return
        step_id = event.step_id
        before = await self._store.get_step_attempt(*key, step_id)
        if before is not None and event.attempt_id != before.attempt_id:
            return  # already acted on (a new attempt exists)
        if (
            before is not None
            and before.status != StepStatus.RUNNING.value
            and StepStatus(before.status).is_terminal
            and event.action != StepAction.RESTART.value
        ):
            return
        message = ActOnStep(step_id, StepAction(event.action), event.extra.get("step_run_params"))
        if not self._executor.deliver(key, message):
            raise RetryLater(0.5, "the run is not running on this node yet")
        for _ in range(100):
            await self._clock.sleep(0.05)
            now = await self._store.get_step_attempt(*key, step_id)
            if now is not None and _changed(before, now):
                return
        raise RetryLater(0.5, "the step action is still in progress")

    def _response(
        self,
        run: InstanceRow,
        step_id: str,
        action: StepAction,
        attempt: StepAttemptRow | None,
        caller: UserRef,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "workflow_id": run.workflow_id,
            "workflow_instance_id": run.instance_id,
            "workflow_run_id": run.run_id,
            "step_id": step_id,
            "step_attempt_id": attempt.attempt_id if attempt else 1,
        }
        if attempt is not None:
            body["step_runtime_state"] = attempt.runtime_state
        message = f"User [{user_name(caller)}] take action [{action.value}] on the step"
        body["timeline_event"] = {
            "timestamp": self._clock.now_ms(),
            "type": "LOG",
            "level": "INFO",
            "message": message,
        }
        return body


def _changed(before: StepAttemptRow | None, now: StepAttemptRow) -> bool:
    if before is None:
        return True
    return now.attempt_id != before.attempt_id or (
        now.status != before.status and StepStatus(now.status).is_terminal
    )
