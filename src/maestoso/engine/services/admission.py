"""Admission: queued instances start as far as their workflow's run strategy allows, and
stops and kills reach the flows that run them."""

from __future__ import annotations

import uuid

from maestoso.clock import Clock
from maestoso.engine.runtime.executor import FlowExecutor
from maestoso.engine.services.locks import WorkflowLocks
from maestoso.engine.services.strategies import admission_slots, strategy_of
from maestoso.errors import ConflictError
from maestoso.models.events import InstanceAction, StartWorkflow
from maestoso.models.statuses import ACTION_TARGET, WorkflowStatus
from maestoso.queue import RetryLater
from maestoso.store.port import Store
from maestoso.store.records import InstanceUpdate


class Admission:
    def __init__(
        self, store: Store, clock: Clock, flows: FlowExecutor, locks: WorkflowLocks
    ) -> None:
        self._store = store
        self._clock = clock
        self._flows = flows
        self._locks = locks

    async def on_start_workflow(self, event: StartWorkflow) -> None:
        """Admit queued instances of a workflow as far as its run strategy allows."""
        async with self._locks.of(event.workflow_id):
            await self._admit(event.workflow_id)

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
                self._flows.launch(admitted)

    async def on_instance_action(self, event: InstanceAction) -> None:
        """Deliver a stop or kill to the run's flow and wait until the run has ended, so that
        a crash in between re-delivers it to the flow resumed after the restart."""
        key = (event.workflow_id, event.instance_id, event.run_id)
        row = await self._store.get_instance(*key)
        if row is None or WorkflowStatus.from_stored(row.status).is_terminal:
            return
        target = ACTION_TARGET[event.action]
        if not self._flows.terminate(key, target, event.reason):
            raise RetryLater(0.5, "the run is not running on this node yet")
        for _ in range(200):
            await self._clock.sleep(0.05)
            row = await self._store.get_instance(*key)
            if row is None or WorkflowStatus.from_stored(row.status).is_terminal:
                return
        raise RetryLater(0.5, "the run is still stopping")
