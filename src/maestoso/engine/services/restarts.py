"""Restarts: a new run of a finished instance, never a change to an old one.

* RESTART_FROM_INCOMPLETE: the steps that did not complete (failed, stopped, timed out or
  never started) run again with everything downstream of them; completed steps keep their
  results from earlier runs. With nothing incomplete it is a restart from the beginning.
* RESTART_FROM_BEGINNING: the whole DAG runs again.
* RESTART_FROM_SPECIFIC (a step restart of a finished run): that step and its downstream.

A new run is queued under the workflow's run strategy like any start. A FAILED run that is
restarted is stored as FAILED_2, so it stops blocking a STRICT_SEQUENTIAL queue.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from maestoso.clock import Clock
from maestoso.dsl.dag import Dag
from maestoso.engine.runtime.compiled import WorkflowCache
from maestoso.engine.runtime.param_context import RunContext
from maestoso.engine.runtime.signal_hub import SignalHub
from maestoso.engine.services.strategies import BLOCKING_FAILURE
from maestoso.errors import InvalidStatusError, NotFoundError
from maestoso.models import ParamMap, UserRef, user_name
from maestoso.models.events import StartWorkflow
from maestoso.models.restart import RestartPolicy
from maestoso.models.statuses import StepStatus, WorkflowStatus
from maestoso.models.timeline import log_event
from maestoso.params import evaluate_workflow_params, off_loop
from maestoso.store.port import Store
from maestoso.store.records import InstanceRow, InstanceUpdate, JobEvent

RESTARTED_FAILURE = "FAILED_2"


class Restarts:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        signals: SignalHub,
        workflows: WorkflowCache,
        wake: Callable[[], None],
    ) -> None:
        self._store = store
        self._clock = clock
        self._signals = signals
        self._workflows = workflows
        self._wake = wake

    async def restart_instance(
        self,
        workflow_id: str,
        instance_id: int,
        policy: RestartPolicy,
        caller: UserRef,
        run_params: ParamMap | None = None,
        from_step: str | None = None,
        *,
        request_id: str | None = None,
        restart_config: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A new run of a finished instance. ``request_id`` becomes the run's uuid and
        makes the restart idempotent: a second request with it answers DUPLICATED with the
        run the first made. ``restart_config`` (a step restart's) is kept in the run's
        ``run_config``."""
        latest = await self._store.get_instance(workflow_id, instance_id)
        if latest is None:
            raise NotFoundError(f"Cannot find workflow instance [{workflow_id}][{instance_id}]")
        if request_id is not None:
            for run in await self._store.list_runs(workflow_id, instance_id):
                if run.uuid == request_id:
                    return _duplicated(run, caller)
        status = WorkflowStatus.from_stored(latest.status)
        if not status.is_terminal:
            raise InvalidStatusError(
                f"Cannot restart workflow instance [{workflow_id}][{instance_id}] as its latest "
                f"run [{latest.run_id}] is [{status.value}]: only a finished run can be restarted",
                [f"status: {status.value} allows no RESTART"],
            )
        steps_to_run = await self._steps_to_run(latest, policy, from_step)
        # Off the event loop: the restart evaluates the workflow params again.
        row = await off_loop(
            self._next_run,
            latest,
            steps_to_run,
            policy,
            caller,
            run_params,
            request_id or str(uuid.uuid4()),
            restart_config,
        )
        event = JobEvent.of(StartWorkflow(workflow_id=workflow_id))
        stored = await self._store.create_run(row, [event])
        if latest.status == BLOCKING_FAILURE:
            now = self._clock.now_ms()
            await self._store.update_instances(
                [
                    InstanceUpdate(
                        workflow_id=workflow_id,
                        instance_id=instance_id,
                        run_id=latest.run_id,
                        status=RESTARTED_FAILURE,
                        expected_statuses=(BLOCKING_FAILURE,),
                        modify_time=now,
                    )
                ]
            )
        self._wake()
        return {
            "workflow_id": workflow_id,
            "workflow_version_id": stored.version_id,
            "workflow_instance_id": instance_id,
            "workflow_run_id": stored.run_id,
            "workflow_uuid": stored.uuid,
            "status": "CREATED",
            "timeline_event": log_event(
                stored.create_time,
                f"User [{user_name(caller)}] restarted the instance with policy [{policy.value}]",
            ),
        }

    async def _steps_to_run(
        self, latest: InstanceRow, policy: RestartPolicy, from_step: str | None
    ) -> set[str]:
        compiled = self._workflows.get(
            (latest.workflow_id, latest.record.internal_id, latest.version_id),
            latest.record.runtime_workflow,
        )
        all_steps = list(compiled.steps)
        dag = Dag.build({s.id: list(s.successors) for s in compiled.steps.values()})
        if policy is RestartPolicy.RESTART_FROM_BEGINNING:
            return set(all_steps)
        if policy is RestartPolicy.RESTART_FROM_SPECIFIC:
            if from_step is None or from_step not in compiled.steps:
                raise NotFoundError(f"Cannot find step [{from_step}] in [{latest.workflow_id}]")
            return _downstream(dag, [from_step]) | await self._incomplete(latest, all_steps)
        incomplete = await self._incomplete(latest, all_steps)
        return _downstream(dag, incomplete) if incomplete else set(all_steps)

    async def _incomplete(self, latest: InstanceRow, step_ids: list[str]) -> set[str]:
        """Steps whose latest status over all runs is not complete (or that never ran)."""
        status: dict[str, StepStatus] = {}
        for run_id in range(1, latest.run_id + 1):
            rows = await self._store.get_step_attempts(
                latest.workflow_id, latest.instance_id, run_id
            )
            status.update({row.step_id: StepStatus(row.status) for row in rows})
        return {s for s in step_ids if s not in status or not status[s].is_complete}

    def _next_run(
        self,
        latest: InstanceRow,
        steps_to_run: set[str],
        policy: RestartPolicy,
        caller: UserRef,
        run_params: ParamMap | None,
        run_uuid: str,
        restart_config: dict[str, Any] | None,
    ) -> InstanceRow:
        now = self._clock.now_ms()
        compiled = self._workflows.get(
            (latest.workflow_id, latest.record.internal_id, latest.version_id),
            latest.record.runtime_workflow,
        )
        full_dag = latest.record.runtime_dag or {}
        runtime_dag = {
            step_id: full_dag.get(step_id, {})
            for step_id in compiled.steps
            if step_id in steps_to_run
        }
        restart = replace(latest, run_id=latest.run_id + 1)
        evaluated = evaluate_workflow_params(
            compiled.workflow.params,
            previous=latest.record.params,
            restart_params=run_params,
            context=RunContext(restart, signals=self._signals),
            clock=self._clock,
            workflow_id=latest.workflow_id,
        )
        record = replace(
            latest.record,
            run_config=replace(
                latest.record.run_config, policy=policy.value, restart_config=restart_config or None
            ),
            runtime_dag=runtime_dag,
            params_json={name: param.to_json() for name, param in evaluated.items()},
        )
        if run_params:
            record = replace(record, run_params={k: v.to_json() for k, v in run_params.items()})
        message = f"Restarted by {user_name(caller)} with [{policy.value}]"
        return replace(
            latest,
            run_id=latest.run_id + 1,
            uuid=run_uuid,
            status=WorkflowStatus.CREATED.value,
            document=record.to_json(),
            runtime_overview=None,
            timeline=[log_event(now, message)],
            execution_id=None,
            request_time=now,
            create_time=now,
            start_time=None,
            end_time=None,
            modify_time=now,
        )


def _downstream(dag: Dag, starts: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    stack = list(starts)
    while stack:
        step = stack.pop()
        if step not in seen:
            seen.add(step)
            stack.extend(dag.successors.get(step, ()))
    return seen


def _duplicated(run: InstanceRow, caller: UserRef) -> dict[str, Any]:
    """The answer to a restart whose request id made ``run`` already."""
    return {
        "workflow_id": run.workflow_id,
        "workflow_version_id": run.version_id,
        "workflow_instance_id": run.instance_id,
        "workflow_run_id": run.run_id,
        "workflow_uuid": run.uuid,
        "status": "DUPLICATED",
        "timeline_event": log_event(
            run.create_time,
            f"User [{user_name(caller)}]'s restart request [{run.uuid}] is a duplicate of "
            f"run [{run.run_id}]",
        ),
    }
