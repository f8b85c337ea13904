"""Child instances: the engine's side of the ``Children`` a loop or subworkflow step gets.

Inline instances (foreach and while iterations) are created here with the ids their parent
chose, directly IN_PROGRESS (no run strategy), in the parent's flow group so that this node
runs them, and handed to the flow executor. A subworkflow instance is started through the
instance service like any other, so its workflow's run strategy admits it.

When a child run ends, its flow calls ``ChildrenHub.concluded``, which wakes the parent
step's ``wait`` if that step runs on this node; a parent elsewhere polls (its ``wait`` has a
timeout), which is also the safety net after a crash.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
import weakref
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from maestoso.engine.runtime.context import EngineContext
from maestoso.errors import ConflictError, UserError
from maestoso.models import UserRef
from maestoso.models.events import InstanceAction
from maestoso.models.naming import hash_key, is_inline, name_uuid, range_key
from maestoso.models.start import WorkflowStartRequest
from maestoso.models.statuses import WorkflowStatus
from maestoso.models.timeline import log_event
from maestoso.runtimes.base import ChildRun, Iteration
from maestoso.runtimes.loops import DEPTH_LIMIT
from maestoso.store.records import InstanceRow, InstanceUpdate, JobEvent
from maestoso.store.run_records import FRESH_RUN, RunConfig, RunRecord

_ParentKey = tuple[str, int, int, str]


class Flows(Protocol):
    """The flow executor, as the children of a step see it."""

    def launch(self, instance: InstanceRow) -> bool: ...

    def terminate(self, key: tuple[str, int, int], status: WorkflowStatus, reason: str) -> bool: ...


class SubworkflowStarter(Protocol):
    """The instance service, as subworkflow steps see it: a start like any other."""

    async def start(
        self, workflow_id: str, version: str, request: WorkflowStartRequest, caller: UserRef
    ) -> Mapping[str, Any]: ...


class ChildrenHub:
    """The node's registry of parent steps waiting for children, and their factory."""

    def __init__(self, engine: EngineContext, flows: Flows, starter: SubworkflowStarter) -> None:
        self.engine = engine
        self.store = engine.store
        self.flows = flows
        self.starter = starter
        self._waiting: weakref.WeakValueDictionary[_ParentKey, StepChildren] = (
            weakref.WeakValueDictionary()
        )

    def for_step(self, instance: InstanceRow, step_id: str, attempt_id: int) -> StepChildren:
        key = (instance.workflow_id, instance.instance_id, instance.run_id, step_id)
        children = self._waiting.get(key)
        if children is None or children.attempt_id != attempt_id:
            children = StepChildren(self, instance, step_id, attempt_id)
            self._waiting[key] = children
        return children

    def concluded(self, instance: InstanceRow) -> None:
        """A run ended: wake its parent step, if it waits here."""
        ancestors = instance.initiator.get("ancestors") or []
        if not ancestors:
            return
        parent = ancestors[-1]
        key = (
            str(parent.get("workflow_id")),
            int(parent.get("instance_id", 0)),
            int(parent.get("run_id", 0)),
            str(parent.get("step_id")),
        )
        waiting = self._waiting.get(key)
        if waiting is not None:
            waiting.wake()


class StepChildren:
    """The ``Children`` of one step attempt."""

    def __init__(
        self, hub: ChildrenHub, instance: InstanceRow, step_id: str, attempt_id: int
    ) -> None:
        self._hub = hub
        self._instance = instance
        self._step_id = step_id
        self.attempt_id = attempt_id
        self._woken = asyncio.Event()
        self._asked: set[tuple[str, int, int]] = set()
        self._definitions: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}

    def wake(self) -> None:
        self._woken.set()

    async def wait(self, seconds: float) -> None:
        try:
            await self._hub.engine.clock.wait_for(self._woken.wait(), max(seconds, 0.0))
        except TimeoutError:
            pass
        self._woken.clear()

    # -- identities ------------------------------------------------------------------------------

    def instance_step_concurrency(self) -> int | None:
        return self._instance.record.definition_step_concurrency

    def inline_workflow_id(self, kind: str) -> str:
        instance = self._instance
        internal_id = instance.record.internal_id or 1
        digest = hashlib.md5(
            f"{self._step_id}@{instance.instance_id}@{instance.workflow_id}".encode()
        ).hexdigest()
        return (
            f"maestro_{kind}_{hash_key(internal_id)}_"
            f"{range_key(self._non_inline_instance_id())}_{digest}"
        )

    def _non_inline_instance_id(self) -> int:
        instance = self._instance
        if not is_inline(instance.workflow_id):
            return instance.instance_id
        for ancestor in reversed(instance.initiator.get("ancestors") or []):
            if not is_inline(str(ancestor.get("workflow_id"))):
                return int(ancestor["instance_id"])
        return instance.instance_id

    def _initiator(self, kind: str, sync: bool | None = None) -> dict[str, Any]:
        instance = self._instance
        parent: dict[str, Any] = {
            "workflow_id": instance.workflow_id,
            "instance_id": instance.instance_id,
            "run_id": instance.run_id,
            "step_id": self._step_id,
            "step_attempt_id": self.attempt_id,
        }
        if sync is not None:
            parent["sync"] = sync
        ancestors = [*(instance.initiator.get("ancestors") or []), parent]
        if len(ancestors) >= DEPTH_LIMIT:
            raise UserError(
                f"Workflow initiator of [{instance.workflow_id}][{instance.instance_id}] "
                f"step [{self._step_id}] is not less than the depth limit: {DEPTH_LIMIT}"
            )
        return {"type": kind.upper(), "ancestors": ancestors, "depth": len(ancestors)}

    # -- inline instances ------------------------------------------------------------------------

    async def start_inline(
        self, kind: str, workflow_id: str, steps: list[dict[str, Any]], batch: Sequence[Iteration]
    ) -> None:
        if not batch:
            return
        initiator = self._initiator(kind)
        definition, dag = self._definition(kind, workflow_id, steps)
        now = self._hub.engine.clock.now_ms()
        rows = [self._inline_row(workflow_id, it, initiator, definition, dag, now) for it in batch]
        # Shielded: a parent stopped meanwhile must not leave created iterations without flows.
        await asyncio.shield(self._create_and_launch(rows))

    async def _create_and_launch(self, rows: list[InstanceRow]) -> None:
        for row in await self._hub.store.create_inline_instances(rows):
            key = (row.workflow_id, row.instance_id, row.run_id)
            self._hub.engine.fresh_runs.add(key)
            if not self._hub.flows.launch(row):
                self._hub.engine.fresh_runs.discard(key)

    def _definition(
        self, kind: str, workflow_id: str, steps: list[dict[str, Any]]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        cached = self._definitions.get(workflow_id)
        if cached is None:
            identity = (
                f"[{self._instance.workflow_id}][{self._instance.instance_id}]"
                f"[{self._instance.run_id}][{self._step_id}]"
            )
            definition = {
                "id": workflow_id,
                "name": identity,
                "description": f"Maestro {kind} inline workflow including steps created by "
                f"{identity}",
                "steps": steps,
            }
            cached = self._definitions[workflow_id] = (definition, _dag(steps))
        return cached

    def _inline_row(
        self,
        workflow_id: str,
        iteration: Iteration,
        initiator: dict[str, Any],
        definition: dict[str, Any],
        dag: dict[str, Any],
        now: int,
    ) -> InstanceRow:
        parent = self._instance.record
        key = f"[{workflow_id}][{iteration.instance_id}][1]"
        record = RunRecord(
            correlation_id=parent.correlation_id,
            group_info=parent.group_info,
            internal_id=parent.internal_id,
            run_config=RunConfig(policy=FRESH_RUN),
            run_properties=parent.run_properties,
            runtime_workflow=definition,
            runtime_dag=dag,
            params_json=iteration.run_params,
            instance_step_concurrency=self.instance_step_concurrency(),
        )
        return InstanceRow(
            workflow_id=workflow_id,
            instance_id=iteration.instance_id,
            run_id=1,
            uuid=name_uuid(key),
            version_id=self._instance.version_id,
            status=WorkflowStatus.IN_PROGRESS.value,
            group_id=self._instance.group_id,  # the parent's node runs its iterations
            initiator=initiator,
            depth=int(initiator["depth"]),
            document=record.to_json(),
            runtime_overview=None,
            artifacts=None,
            timeline=[],
            execution_id=str(uuid.uuid4()),
            request_time=now,
            create_time=now,
            start_time=now,
            end_time=None,
            modify_time=now,
        )

    async def statuses(self, workflow_id: str, low: int, high: int) -> list[tuple[int, str]]:
        if high < low:
            return []
        return await self._hub.store.child_statuses(workflow_id, low, high)

    async def rollups(self, workflow_id: str, low: int, high: int) -> list[dict[str, Any]]:
        if high < low:
            return []
        overviews = await self._hub.store.child_overviews(workflow_id, low, high)
        return [o["rollup_overview"] for o in overviews if o.get("rollup_overview")]

    async def step_params(self, workflow_id: str, instance_id: int) -> list[dict[str, Any]]:
        rows = await self._hub.engine.store.get_step_attempts(workflow_id, instance_id, 1)
        return [dict(row.record.params_json or {}) for row in rows]

    # -- subworkflows ----------------------------------------------------------------------------

    async def start_workflow(
        self,
        workflow_id: str,
        version: str,
        run_params: Mapping[str, Mapping[str, Any]],
        *,
        sync: bool,
    ) -> ChildRun:
        parent = self._instance
        key = f"[{parent.workflow_id}][{parent.instance_id}][{parent.run_id}]"
        request = WorkflowStartRequest.model_validate(
            {
                "initiator": self._initiator("subworkflow", sync),
                "request_id": name_uuid(f"{key}[{self._step_id}][{self.attempt_id}]"),
                "run_params": dict(run_params) or None,
            }
        )
        owner: UserRef = parent.record.run_properties.owner or "maestro"
        started = await self._hub.starter.start(workflow_id, version, request, owner)
        child = await self.get(workflow_id, int(started["workflow_instance_id"]))
        if child is None:
            raise UserError(f"subworkflow [{workflow_id}] instance vanished after its start")
        return child

    async def get(self, workflow_id: str, instance_id: int, run_id: int = 1) -> ChildRun | None:
        row = await self._hub.engine.store.get_instance(workflow_id, instance_id, run_id)
        if row is None:
            return None
        return ChildRun(
            workflow_id=row.workflow_id,
            instance_id=row.instance_id,
            run_id=row.run_id,
            uuid=row.uuid,
            version_id=row.version_id,
            status=WorkflowStatus.from_stored(row.status).value,
            runtime_overview=row.runtime_overview,
        )

    # -- stopping --------------------------------------------------------------------------------

    async def stop(self, workflow_id: str, low: int, high: int, reason: str) -> int:
        store = self._hub.store
        unfinished = await store.unfinished_children(workflow_id, low, high)
        for instance_id, run_id, status in unfinished:
            key = (workflow_id, instance_id, run_id)
            if status == WorkflowStatus.CREATED.value:
                await self._stop_queued(key, reason)
            elif not self._hub.flows.terminate(key, WorkflowStatus.STOPPED, reason):
                await self._ask_owner(key, reason)
        return len(unfinished)

    async def _stop_queued(self, key: tuple[str, int, int], reason: str) -> None:
        now = self._hub.engine.clock.now_ms()
        update = InstanceUpdate(
            workflow_id=key[0],
            instance_id=key[1],
            run_id=key[2],
            status=WorkflowStatus.STOPPED.value,
            expected_statuses=(WorkflowStatus.CREATED.value,),
            end_time=now,
            modify_time=now,
            timeline=[
                log_event(now, f"The queued workflow instance is terminated because {reason}.")
            ],
        )
        try:
            await self._hub.engine.store.update_instances([update])
        except ConflictError:
            pass  # admitted meanwhile: the next call stops its flow

    async def _ask_owner(self, key: tuple[str, int, int], reason: str) -> None:
        """A child running on another node: its owner gets a stop through the queue."""
        if key in self._asked:
            return
        self._asked.add(key)
        action = InstanceAction(
            workflow_id=key[0], instance_id=key[1], run_id=key[2], action="STOP", reason=reason
        )
        await self._hub.engine.store.enqueue([JobEvent.of(action)])
        self._hub.engine.wakeup.set()


def _dag(steps: list[dict[str, Any]]) -> dict[str, Any]:
    """``runtime_dag`` of an inline workflow: every step with its edges."""
    successors: dict[str, dict[str, Any]] = {}
    for box in steps:
        step = next(iter(box.values()))
        successors[step["id"]] = dict((step.get("transition") or {}).get("successors") or {})
    predecessors: dict[str, list[str]] = {step_id: [] for step_id in successors}
    for step_id, targets in successors.items():
        for target in targets:
            predecessors.setdefault(target, []).append(step_id)
    return {
        step_id: {"predecessors": predecessors[step_id], "successors": targets}
        for step_id, targets in successors.items()
    }
