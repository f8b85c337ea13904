"""Restarting one step (``POST …/steps/{stepId}/actions/restart``), with its request's body.

* In a live run, the step gets a new attempt in that run; the request's ``step_run_params``
  are merged over the step's params (source RESTART).
* In a finished run, a new run restarts from the step (RESTART_FROM_SPECIFIC); its
  ``run_config.restart_config`` keeps the restart path, the ``restart_policy`` given (the
  policy for what is downstream) and the step's params, which the step merges when it runs.
  The ``request_id`` becomes the new run's uuid: the same request again answers DUPLICATED.
* ``upstream_restart_mode: RESTART_FROM_INLINE_ROOT`` restarts, with ``restart_policy``, the
  closest instance that is not a loop iteration (the instance itself when it is none): from the
  beginning, or from what did not complete.

The answer is Maestro's ``StepInstanceRestartResponse`` (``workflow_id``,
``workflow_version_id``, ``workflow_instance_id``, ``workflow_run_id``, ``step_id``,
``step_attempt_id``, ``status``, ``timeline_event``), plus ``step_runtime_state``: the state of
the new attempt when it could be seen within the blocking wait (Maestoso's addition).
"""

from __future__ import annotations

from typing import Any

from maestoso.clock import Clock
from maestoso.engine.reads.steps import latest_views, runtime_state_json
from maestoso.engine.services.restarts import Restarts
from maestoso.engine.services.step_actions import BLOCKING_SECONDS, StepActions
from maestoso.errors import InvalidStatusError, NotFoundError
from maestoso.models import UserRef, user_name
from maestoso.models.naming import is_inline
from maestoso.models.restart import RestartPolicy, StepInstanceRestartRequest, UpstreamRestartMode
from maestoso.models.statuses import STEP_ACTIONS, StepAction, StepStatus, WorkflowStatus
from maestoso.models.timeline import log_event
from maestoso.store.port import Store
from maestoso.store.records import InstanceRow, StepAttemptRow

_POLL_SECONDS = 0.05


class StepRestarts:
    def __init__(
        self, store: Store, clock: Clock, actions: StepActions, restarts: Restarts
    ) -> None:
        self._store = store
        self._clock = clock
        self._actions = actions
        self._restarts = restarts

    async def restart(
        self,
        workflow_id: str,
        instance_id: int,
        step_id: str,
        request: StepInstanceRestartRequest,
        caller: UserRef,
        *,
        blocking: bool = True,
    ) -> dict[str, Any]:
        run = await self._store.get_instance(workflow_id, instance_id)
        if run is None:
            raise NotFoundError(f"Cannot find workflow instance [{workflow_id}][{instance_id}]")
        params = _params_json(request)
        inline_root = request.upstream_restart_mode is UpstreamRestartMode.RESTART_FROM_INLINE_ROOT
        if inline_root and request.restart_policy is not RestartPolicy.RESTART_FROM_SPECIFIC:
            return await self._from_inline_root(run, step_id, request, params, caller, blocking)
        if not WorkflowStatus.from_stored(run.status).is_terminal:
            extra = {"step_run_params": params, "restart_policy": request.restart_policy.value}
            answer = await self._actions.act(
                workflow_id,
                instance_id,
                step_id,
                StepAction.RESTART,
                caller,
                blocking=blocking,
                extra={k: v for k, v in extra.items() if v is not None},
            )
            return _answer(run, step_id, answer["step_attempt_id"], answer, caller, self._now())
        await self._check_restartable(run, step_id)
        config: dict[str, Any] = {
            "restart_path": [
                {"workflow_id": workflow_id, "instance_id": instance_id, "step_id": step_id}
            ],
            "restart_policy": RestartPolicy.RESTART_FROM_SPECIFIC.value,
            "downstream_policy": request.restart_policy.value,
        }
        if params:
            config["step_restart_params"] = {step_id: params}
        started = await self._restarts.restart_instance(
            workflow_id,
            instance_id,
            RestartPolicy.RESTART_FROM_SPECIFIC,
            caller,
            from_step=step_id,
            request_id=request.request_id,
            restart_config=config,
        )
        return await self._new_run_answer(started, step_id, caller, blocking)

    async def _from_inline_root(
        self,
        run: InstanceRow,
        step_id: str,
        request: StepInstanceRestartRequest,
        params: dict[str, Any] | None,
        caller: UserRef,
        blocking: bool,
    ) -> dict[str, Any]:
        """Restart the closest non-inline instance with the request's policy."""
        if not WorkflowStatus.from_stored(run.status).is_terminal:
            raise InvalidStatusError(
                f"Invalid restart from-inline-root request: instance [{run.workflow_id}]"
                f"[{run.instance_id}][{run.run_id}] is in non-terminal state "
                f"[{WorkflowStatus.from_stored(run.status).value}]"
            )
        await self._check_restartable(run, step_id)
        root_id, root_instance = _non_inline_root(run)
        root = await self._store.get_instance(root_id, root_instance)
        if root is None:
            raise NotFoundError(f"Cannot find workflow instance [{root_id}][{root_instance}]")
        config: dict[str, Any] = {
            "restart_path": [{"workflow_id": root_id, "instance_id": root_instance}],
            "restart_policy": request.restart_policy.value,
            "downstream_policy": request.restart_policy.value,
        }
        if params:
            config["step_restart_params"] = {step_id: params}
        started = await self._restarts.restart_instance(
            root_id,
            root_instance,
            request.restart_policy,
            caller,
            request_id=request.request_id,
            restart_config=config,
        )
        return await self._new_run_answer(started, step_id, caller, blocking)

    async def _check_restartable(self, run: InstanceRow, step_id: str) -> None:
        runs = await self._store.list_runs(run.workflow_id, run.instance_id)
        attempts: list[StepAttemptRow] = []
        for each in runs:
            attempts += [
                row
                for row in await self._store.get_step_attempts(
                    run.workflow_id, run.instance_id, each.run_id
                )
                if row.step_id == step_id
            ]
        views = latest_views(attempts)
        known = step_id in run.record.step_ids or views
        if not known:
            raise NotFoundError(
                f"Cannot find step [{step_id}] in workflow instance [{run.workflow_id}]"
                f"[{run.instance_id}]"
            )
        status = StepStatus(views[0].status) if views else StepStatus.NOT_CREATED
        allowed = [action.value for action in STEP_ACTIONS.get(status, ())]
        if status is not StepStatus.NOT_CREATED and StepAction.RESTART.value not in allowed:
            raise InvalidStatusError(
                f"Cannot RESTART step [{step_id}] of [{run.workflow_id}][{run.instance_id}] "
                f"as its status is [{status.value}]",
                [f"status: {status.value} allows {allowed}"],
            )

    async def _new_run_answer(
        self, started: dict[str, Any], step_id: str, caller: UserRef, blocking: bool
    ) -> dict[str, Any]:
        key = (started["workflow_id"], started["workflow_instance_id"], started["workflow_run_id"])
        attempt = await self._attempt(key, step_id) if blocking else None
        run = await self._store.get_instance(*key)
        assert run is not None
        answer: dict[str, Any] = {"status": started["status"]}
        if attempt is not None:
            answer["step_runtime_state"] = runtime_state_json(attempt)
        return _answer(
            run, step_id, attempt.attempt_id if attempt else 1, answer, caller, self._now()
        )

    async def _attempt(self, key: tuple[str, int, int], step_id: str) -> StepAttemptRow | None:
        """The step's attempt in the new run, once the run strategy admitted it (or None
        after the blocking wait)."""
        deadline = self._clock.monotonic() + BLOCKING_SECONDS
        while True:
            attempt = await self._store.get_step_attempt(*key, step_id)
            if attempt is not None or self._clock.monotonic() >= deadline:
                return attempt
            await self._clock.sleep(_POLL_SECONDS)

    def _now(self) -> int:
        return self._clock.now_ms()


def _params_json(request: StepInstanceRestartRequest) -> dict[str, Any] | None:
    if not request.step_run_params:
        return None
    return {name: param.to_json() for name, param in request.step_run_params.items()}


def _non_inline_root(run: InstanceRow) -> tuple[str, int]:
    if not is_inline(run.workflow_id):
        return run.workflow_id, run.instance_id
    for ancestor in reversed(run.initiator.get("ancestors") or []):
        if not is_inline(str(ancestor.get("workflow_id"))):
            return str(ancestor["workflow_id"]), int(ancestor["instance_id"])
    return run.workflow_id, run.instance_id


def _answer(
    run: InstanceRow,
    step_id: str,
    attempt_id: int,
    details: dict[str, Any],
    caller: UserRef,
    now: int,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "workflow_id": run.workflow_id,
        "workflow_version_id": run.version_id,
        "workflow_instance_id": run.instance_id,
        "workflow_run_id": run.run_id,
        "step_id": step_id,
        "step_attempt_id": attempt_id,
        "status": details.get("status", "CREATED"),
        "timeline_event": log_event(
            now, f"User [{user_name(caller)}] take action [RESTART] on the step"
        ),
    }
    if details.get("step_runtime_state") is not None:
        body["step_runtime_state"] = details["step_runtime_state"]
    return body
