"""A database that stops answering under a running node, on virtual time.

``Flaky`` wraps a ``MemoryStore``: while ``down``, every call raises
``DatabaseUnavailableError`` as the SQL store does when PostgreSQL is away. A run of two
steps is in flight; its first step ends during the outage, so the write of its end fails.
Shorter than the lease, the flow is retried until the store answers; longer, the node gives
its groups up (fenced) and claims them again afterwards. Either way the run succeeds and no
step is started twice.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from prometheus_client import REGISTRY
from tests.unit.engine.actors import CALLER, SCRIPTED, step, workflow

from maestoso.clock import FakeClock
from maestoso.engine.node import EngineNode
from maestoso.engine.runtime.executor import RELAUNCH_MAX_SECONDS, backoff_seconds
from maestoso.engine.services.workflows import WorkflowService
from maestoso.errors import DatabaseUnavailableError
from maestoso.models.definition import WorkflowCreateRequest
from maestoso.models.events import StartWorkflow
from maestoso.models.start import WorkflowStartRequest
from maestoso.models.steps import StepType
from maestoso.queue import QueueWorker, Route
from maestoso.runtimes import State, StepContext, StepResult, default_runtimes
from maestoso.store.memory import MemoryStore
from maestoso.store.records import JobEvent
from maestoso.triggers.scheduler import TimeScheduler

LEASE_SECONDS = 60
HEARTBEAT_SECONDS = 10


class Flaky:
    """A store that raises ``DatabaseUnavailableError`` from every call while ``down``."""

    def __init__(self, store: MemoryStore, error: Exception | None = None) -> None:
        self.inner = store
        self.down = False
        self.error = error
        self.refused = 0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.inner, name)
        if not inspect.iscoroutinefunction(attribute):
            return attribute

        async def call(*args: Any, **kwargs: Any) -> Any:
            if self.down:
                self.refused += 1
                raise self.error or DatabaseUnavailableError()
            return await attribute(*args, **kwargs)

        return call


@dataclass
class Gate:
    """A step type whose attempts run until their step id is let through."""

    default_poll_seconds: float = 1.0
    through: set[str] = field(default_factory=set)
    started: list[str] = field(default_factory=list)

    async def start(self, context: StepContext) -> StepResult:
        self.started.append(context.step_id)
        return StepResult(state=State.CONTINUE, next_poll_seconds=1.0)

    async def execute(self, context: StepContext) -> StepResult:
        if context.step_id in self.through:
            return StepResult(state=State.DONE)
        return StepResult(state=State.CONTINUE, next_poll_seconds=1.0)

    async def terminate(self, context: StepContext) -> StepResult:
        return StepResult(state=State.STOPPED)


@dataclass
class Node:
    clock: FakeClock
    store: Flaky
    node: EngineNode
    gate: Gate

    async def status(self) -> str:
        row = await self.store.inner.get_instance("twostep", 1)
        assert row is not None
        return row.status

    async def step_status(self, step_id: str) -> str | None:
        row = await self.store.inner.get_step_attempt("twostep", 1, 1, step_id)
        return None if row is None else row.status

    def owns_every_group(self) -> bool:
        return all(self.node.executor.owns(g) for g in range(self.node.executor.groups))


@pytest.fixture
async def node() -> AsyncIterator[Node]:
    clock = FakeClock()
    store = Flaky(MemoryStore(clock))
    gate = Gate()
    engine = EngineNode(
        store,  # type: ignore[arg-type]
        clock,
        runtimes={**default_runtimes(), StepType(SCRIPTED): gate},
        owner="unit-node",
        lease_seconds=LEASE_SECONDS,
        heartbeat_seconds=HEARTBEAT_SECONDS,
    )
    await engine.start()
    try:
        yield Node(clock, store, engine, gate)
    finally:
        store.down = False
        await engine.stop()


async def _start_two_steps(node: Node) -> None:
    body = workflow("twostep", step("a", successors={"b": "true"}), step("b"))
    service = WorkflowService(node.store, node.clock)  # type: ignore[arg-type]
    await service.create(WorkflowCreateRequest.model_validate(body), CALLER)
    request = WorkflowStartRequest.model_validate({"initiator": {"type": "manual"}})
    await node.node.instances.start("twostep", "latest", request, CALLER)
    await node.clock.advance(1)
    assert await node.step_status("a") == "RUNNING"


async def _finish(node: Node) -> None:
    node.gate.through.add("b")
    for _ in range(60):
        await node.clock.advance(1)
        if await node.status() == "SUCCEEDED":
            break
    assert await node.status() == "SUCCEEDED"
    assert node.gate.started == ["a", "b"], "a step was started twice"


async def test_a_flow_failing_on_the_database_is_retried_while_the_lease_holds(
    node: Node,
) -> None:
    await _start_two_steps(node)
    node.store.down = True
    node.gate.through.add("a")  # its end cannot be written: the flow fails, and again…

    await node.clock.advance(LEASE_SECONDS - 3 * HEARTBEAT_SECONDS)

    assert node.store.refused > 5, "the flow was tried again, more than once"
    assert node.owns_every_group(), "within the lease, the node keeps its groups"
    node.store.down = False
    await node.clock.advance(RELAUNCH_MAX_SECONDS)
    assert await node.step_status("a") == "SUCCEEDED"
    await _finish(node)


async def test_a_node_that_cannot_renew_its_lease_stops_its_flows_then_claims_them_back(
    node: Node,
) -> None:
    await _start_two_steps(node)
    generations = {g.group_id: g.generation for g in await node.store.inner.list_groups()}
    lost, claims = _metric("maestoso_flow_groups_lost_total", reason="not_renewed"), _claims()
    node.store.down = True
    node.gate.through.add("a")

    await node.clock.advance(LEASE_SECONDS)

    assert not any(node.node.executor.owns(g) for g in generations), "fenced before the lease ends"
    assert node.node.executor.running == 0
    held = len(generations)
    assert _metric("maestoso_flow_groups_lost_total", reason="not_renewed") == lost + held
    assert _metric("maestoso_flow_groups_owned") == 0
    node.store.down = False
    await node.clock.advance(HEARTBEAT_SECONDS)
    assert node.owns_every_group()
    assert (_claims(), _metric("maestoso_flow_groups_owned")) == (claims + held, held)
    claimed = {g.group_id: g.generation for g in await node.store.inner.list_groups()}
    assert all(claimed[g] > generations[g] for g in generations), "claimed under new generations"
    await _finish(node)


def _metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, {"node": "unit-node", **labels}) or 0.0


def _claims() -> float:
    return _metric("maestoso_flow_group_claims_total")


def test_the_pause_between_tries_doubles_up_to_a_cap() -> None:
    pauses = [backoff_seconds(n) for n in range(8)]
    assert pauses[:4] == [0.5, 1.0, 2.0, 4.0]
    assert pauses[4:] == [RELAUNCH_MAX_SECONDS] * 4
    assert backoff_seconds(10_000) == RELAUNCH_MAX_SECONDS


async def test_the_queue_worker_reads_on_after_an_outage_and_never_parks_for_one() -> None:
    clock = FakeClock()
    store = Flaky(MemoryStore(clock))
    outcomes = [DatabaseUnavailableError()] * 12
    handled: list[str] = []

    async def handle(event: StartWorkflow) -> None:
        if outcomes:
            raise outcomes.pop()
        handled.append(event.workflow_id)

    worker = QueueWorker(store, clock, [Route(StartWorkflow, handle)], owner="w", max_attempts=3)  # type: ignore[arg-type]
    store.down = True
    worker.start()
    try:
        await clock.advance(120)
        assert store.refused > 10, "it kept trying to read"
        store.down = False
        await store.enqueue([JobEvent.of(StartWorkflow(workflow_id="wf"))])
        worker.wake()
        await clock.advance(300)
    finally:
        await worker.stop()
    assert handled == ["wf"], "retried through 12 outage failures, past max_attempts"
    assert await store.inner.parked_events() == []


async def test_the_time_scheduler_survives_any_failure_of_the_store() -> None:
    clock = FakeClock()
    store = Flaky(MemoryStore(clock), error=OSError("connection reset"))
    scheduler = TimeScheduler(store, clock)  # type: ignore[arg-type]
    store.down = True
    scheduler.start()
    try:
        await clock.advance(30)
        refused = store.refused
        assert refused >= 10
        store.down = False
        await clock.advance(5)
        assert scheduler._task is not None and not scheduler._task.done()
    finally:
        await scheduler.stop()
