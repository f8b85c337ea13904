"""One engine node: the flow executor, the queue worker and the services that use them."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Mapping
from pathlib import Path

from maestoso.clock import Clock
from maestoso.engine.runtime.children import ChildrenHub
from maestoso.engine.runtime.context import EngineContext
from maestoso.engine.runtime.executor import DEFAULT_GROUPS, FlowExecutor
from maestoso.engine.runtime.gates import Controls
from maestoso.engine.runtime.writer import StepWriter
from maestoso.engine.services.breakpoints import Breakpoints
from maestoso.engine.services.instances import INSTANCE_ACTION, START_WORKFLOW, InstanceService
from maestoso.engine.services.output_data import OutputData
from maestoso.engine.services.permits import TagPermits
from maestoso.engine.services.restarts import Restarts
from maestoso.engine.services.step_actions import STEP_ACTION, StepActions
from maestoso.engine.services.triggered import TriggeredStarts
from maestoso.models.steps import StepType
from maestoso.queue import QueueWorker
from maestoso.runtimes import StepRuntime, default_runtimes
from maestoso.store.port import Store


class EngineNode:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        runtimes: Mapping[StepType, StepRuntime] | None = None,
        groups: int = DEFAULT_GROUPS,
        owner: str | None = None,
        home: Path | None = None,
    ) -> None:
        self.owner = owner or f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
        self.context = EngineContext(
            store=store,
            writer=StepWriter(store),
            clock=clock,
            controls=Controls(store, clock),
            runtimes=dict(runtimes or default_runtimes()),
            home=home or Path(".maestoso"),
        )
        self.executor = FlowExecutor(self.context, owner=self.owner, groups=groups)
        self.instances = InstanceService(store, clock, self.executor, self._wake)
        self.restarts = Restarts(store, clock, self._wake)
        self.breakpoints = Breakpoints(store, clock, self.context.controls)
        self.tag_permits = TagPermits(store, clock)
        self.output_data = OutputData(store, clock)
        self.step_actions = StepActions(store, clock, self.executor, self.restarts, self._wake)
        self.triggered = TriggeredStarts(store, clock, self.instances, self._wake)
        self.children = ChildrenHub(self.context, store, self.executor)
        self.children.instances = self.instances
        self.context.hub = self.children
        self.worker = QueueWorker(
            store,
            clock,
            {
                START_WORKFLOW: self.instances.on_start_workflow,
                INSTANCE_ACTION: self.instances.on_instance_action,
                STEP_ACTION: self.step_actions.on_step_action,
                **self.triggered.handlers,
            },
            owner=self.owner,
        )
        self.context.wake_queue = self._wake

    def _wake(self) -> None:
        self.worker.wake()

    async def start(self) -> None:
        """Claim the flow groups, resume their runs, and start handling events."""
        await self.executor.start()
        self.worker.start()
        self.triggered.start()

    async def stop(self) -> None:
        await self.triggered.stop()
        await self.worker.stop()
        await self.executor.stop()
