"""One engine node: every part of the engine, built in order from the store and the clock.

This module only composes; each part gets what it uses in its constructor.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

from maestoso.alerting import Alerting, AlertSettings, Notifier
from maestoso.clock import Clock
from maestoso.engine.reads.cluster import ClusterView
from maestoso.engine.reads.flatten import FlattenedViews
from maestoso.engine.reads.inline import InlinePaths
from maestoso.engine.runtime.context import EngineContext
from maestoso.engine.runtime.executor import (
    DEFAULT_GROUPS,
    DEFAULT_HEARTBEAT_SECONDS,
    DEFAULT_LEASE_SECONDS,
    FlowExecutor,
)
from maestoso.engine.runtime.gates import Controls
from maestoso.engine.runtime.signal_hub import SignalHub
from maestoso.engine.runtime.wakeups import Wakeups
from maestoso.engine.runtime.writer import StepWriter
from maestoso.engine.services.admission import Admission, launch_started
from maestoso.engine.services.breakpoints import Breakpoints
from maestoso.engine.services.bypass import StepBypass
from maestoso.engine.services.instances import InstanceService
from maestoso.engine.services.locks import WorkflowLocks
from maestoso.engine.services.output_data import OutputData
from maestoso.engine.services.permits import TagPermits
from maestoso.engine.services.restarts import Restarts
from maestoso.engine.services.step_actions import StepActions
from maestoso.engine.services.step_restarts import StepRestarts
from maestoso.engine.services.triggered import TriggeredStarts
from maestoso.engine.templates import JobTemplates
from maestoso.models.events import (
    InstanceAction,
    LaunchFlow,
    QueueId,
    StartWorkflow,
    StepActionEvent,
)
from maestoso.models.steps import StepType
from maestoso.queue import QueueWorker, Route, Wakeup
from maestoso.runtimes import StepRuntime, default_runtimes
from maestoso.store.port import Store
from maestoso.store.records import InstanceRow, JsonDict, flow_queue


class EngineNode:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        runtimes: Mapping[str, StepRuntime] | None = None,
        groups: int = DEFAULT_GROUPS,
        owner: str | None = None,
        home: Path | None = None,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        heartbeat_seconds: float = DEFAULT_HEARTBEAT_SECONDS,
        info: JsonDict | None = None,
        notifiers: Sequence[Notifier] = (),
        alert_settings: AlertSettings | None = None,
    ) -> None:
        self.owner = owner or f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
        self.wakeup = Wakeup()
        wake = self.wakeup.set
        self.alerting = Alerting(
            store,
            clock,
            notifiers,
            alert_settings or AlertSettings(),
            owner=self.owner,
            groups=groups,
        )
        self.signals = SignalHub(store, clock)
        runtimes = dict(runtimes or default_runtimes())
        plugin_types = [name for name in runtimes if not isinstance(name, StepType)]
        self.templates = JobTemplates(store, plugin_step_types=plugin_types)
        self.inline = InlinePaths(store)
        self.flattened = FlattenedViews(store)
        self.context = EngineContext(
            store=store,
            writer=StepWriter(
                store, wake=wake, facts=self.alerting.facts, written=self.signals.written
            ),
            clock=clock,
            controls=Controls(store, clock, shared=store.shared, clustered=self._clustered),
            runtimes=runtimes,
            signals=self.signals,
            wakeup=self.wakeup,
            home=home or Path(".maestoso"),
            templates=self.templates,
        )
        locks = WorkflowLocks()
        self.instances = InstanceService(
            store,
            clock,
            locks=locks,
            signals=self.signals,
            workflows=self.context.workflows,
            groups=groups,
            wake=wake,
            launch=self._launch,
            owns=self._owns,
        )
        self.executor = FlowExecutor(
            self.context,
            starter=self.instances,
            owner=self.owner,
            groups=groups,
            lease_ms=int(lease_seconds * 1000),
            heartbeat_seconds=heartbeat_seconds,
            info=info,
            claimed=wake,
        )
        self.cluster = ClusterView(store, clock, groups)
        self.admission = Admission(store, clock, self.executor, locks)
        self.restarts = Restarts(store, clock, self.signals, self.context.workflows, wake)
        self.breakpoints = Breakpoints(store, clock, self.context.controls)
        self.tag_permits = TagPermits(store, clock)
        self.output_data = OutputData(store, clock)
        self.step_actions = StepActions(store, clock, self.executor, self.restarts, wake)
        self.step_restarts = StepRestarts(store, clock, self.step_actions, self.restarts)
        self.bypass = StepBypass(store, clock, self.signals)
        self.triggered = TriggeredStarts(store, clock, self.instances, self.signals, wake)
        self.worker = QueueWorker(
            store,
            clock,
            [
                Route(StartWorkflow, self.admission.on_start_workflow),
                Route(LaunchFlow, self.admission.on_launch_flow),
                Route(InstanceAction, self.admission.on_instance_action),
                Route(StepActionEvent, self.step_actions.on_step_action),
                *self.triggered.routes,
            ],
            owner=self.owner,
            wakeup=self.wakeup,
            queues=self._queues,
        )
        self.wakeups = Wakeups(
            store,
            queue=self.wakeup,
            signals=self.signals,
            controls=self.context.controls,
            nodes=self.executor.rebalance_soon,
        )

    def _queues(self) -> list[int]:
        """The shared queues (but alerting's, which has a worker of its own), and those of
        the flow groups this node owns."""
        owned = self.executor.owned_groups()
        shared = [int(queue) for queue in QueueId if queue is not QueueId.ALERT]
        return [*shared, *(flow_queue(group_id) for group_id in owned)]

    def _clustered(self) -> bool:
        return self.executor.peers > 1

    def _owns(self, group_id: int) -> bool:
        return self.executor.owns(group_id)

    def _launch(self, row: InstanceRow) -> None:
        """Run a run that a start request started in its own transaction."""
        launch_started(self.executor, row)

    async def start(self) -> None:
        """Listen to the other nodes, claim this node's share of the flow groups, resume
        their runs, and start handling events."""
        self.wakeups.start()
        await self.executor.start()
        self.worker.start()
        self.triggered.start()
        self.alerting.start()

    async def stop(self) -> None:
        await self.alerting.stop()
        await self.triggered.stop()
        await self.worker.stop()
        await self.executor.stop()
        await self.wakeups.stop()
