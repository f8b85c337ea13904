"""Admission: queued instances start as far as their workflow's run strategy allows, and
stops and kills reach the flows that run them."""

from __future__ import annotations

from maestoso.clock import Clock
from maestoso.engine.runtime.executor import FlowExecutor
from maestoso.engine.services.locks import WorkflowLocks
from maestoso.engine.services.strategies import limit_of
from maestoso.models.events import InstanceAction, LaunchFlow, StartWorkflow
from maestoso.models.statuses import ACTION_TARGET, WorkflowStatus
from maestoso.queue import RetryLater
from maestoso.store.port import Store
from maestoso.store.records import InstanceRow, JobEvent

STOPPING_SECONDS = 10.0
"""How long a stop waits for its run to end before it is tried again."""


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
        admitted = await self._store.admit_queued(
            workflow_id, limit_of=limit_of, now=self._clock.now_ms
        )
        elsewhere = [
            JobEvent.of(
                LaunchFlow(
                    workflow_id=row.workflow_id, instance_id=row.instance_id, run_id=row.run_id
                ),
                group=row.group_id,
            )
            for row in admitted
            if not launch_started(self._flows, row)
        ]
        # Not in the admitting transaction: a crash in between leaves those runs to their
        # owners' reconciliation (see ``group_leases``).
        await self._store.enqueue(elsewhere)

    async def on_launch_flow(self, event: LaunchFlow) -> None:
        """Run a run that another node started or admitted, if this node owns its group."""
        row = await self._store.get_instance(event.workflow_id, event.instance_id, event.run_id)
        if row is None or row.status != WorkflowStatus.IN_PROGRESS.value:
            return  # queued (it is admitted later), ended, or paused
        if not launch_started(self._flows, row):
            raise RetryLater(0.5, "the run's flow group is not owned here (any more)")

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
        await self._flows.ended(key, STOPPING_SECONDS)
        row = await self._store.get_instance(*key)
        if row is not None and not WorkflowStatus.from_stored(row.status).is_terminal:
            raise RetryLater(0.5, "the run is still stopping")


def launch_started(flows: FlowExecutor, row: InstanceRow) -> bool:
    """Run a run just started (IN_PROGRESS, never run before) if this node owns its group;
    False if it does not.

    A first run has no step attempts yet, so its flow skips the read of them; marked only
    when its flow is new here, so that a flow already running keeps what it knows."""
    before = flows.running
    if not flows.launch(row):
        return False
    if row.run_id == 1 and flows.running > before:
        flows.engine.fresh_runs.add((row.workflow_id, row.instance_id, row.run_id))
    return True
