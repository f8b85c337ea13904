"""An engine node on ``MemoryStore``, driven through the services the API uses, and a step
runtime that the test scripts: the flow and task actors run for real, without a database.

``Scripted`` stands in for one step type: each step id's attempts play the outcomes queued
for it (``succeed``, ``fail``, ``platform``, ``fatal``, ``hold``), then succeed; a held
attempt runs until ``release``. It records which step started when.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict, deque
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from maestoso.clock import Clock, FakeClock
from maestoso.engine.node import EngineNode
from maestoso.engine.services.workflows import WorkflowService
from maestoso.models.definition import WorkflowCreateRequest
from maestoso.models.restart import WorkflowInstanceRestartRequest
from maestoso.models.start import WorkflowStartRequest
from maestoso.models.statuses import StepAction, WorkflowStatus
from maestoso.models.steps import StepType
from maestoso.runtimes import State, StepContext, StepResult, StepRuntime, default_runtimes
from maestoso.store.memory import MemoryStore
from maestoso.store.records import InstanceRow, StepAttemptRow

CALLER = "tester"
SCRIPTED = "Titus"
"""The step type the scripted runtime stands in for."""
POLL = 0.002
"""How often the test looks at the store, in real seconds."""
HELD_POLL = 600.0
"""How often the engine polls a held attempt, in virtual seconds: long, so that a day of
virtual time takes few polls; a release is still seen at once, as virtual time jumps to the
next poll whenever the actors are idle."""

_OUTCOMES = {
    "succeed": State.DONE,
    "fail": State.USER_ERROR,
    "platform": State.PLATFORM_ERROR,
    "fatal": State.FATAL_ERROR,
}


@dataclass
class Scripted:
    default_poll_seconds: float = HELD_POLL
    outcomes: dict[str, deque[str]] = field(default_factory=lambda: defaultdict(deque))
    holding: dict[str, str] = field(default_factory=dict)
    """Held attempts: step uuid → step id."""
    released: set[str] = field(default_factory=set)
    early: Counter[str] = field(default_factory=Counter)
    """Releases asked before any attempt of the step held: the next one to hold takes one."""
    started: list[str] = field(default_factory=list)
    terminated: list[str] = field(default_factory=list)

    def script(self, step_id: str, *outcomes: str) -> None:
        self.outcomes[step_id].extend(outcomes)

    def release(self, step_id: str) -> None:
        """Let the attempts of ``step_id`` that hold now succeed; if none holds yet (its run
        is admitted but the step not started), the next one to hold."""
        holding = {uuid for uuid, held in self.holding.items() if held == step_id}
        if holding:
            self.released |= holding
        else:
            self.early[step_id] += 1

    async def start(self, context: StepContext) -> StepResult:
        self.started.append(context.step_id)
        queued = self.outcomes[context.step_id]
        outcome = queued.popleft() if queued else "succeed"
        if outcome == "hold":
            self.holding[context.step_uuid] = context.step_id
            if self.early[context.step_id]:
                self.early[context.step_id] -= 1
                self.released.add(context.step_uuid)
            return StepResult(state=State.CONTINUE, artifacts={"held": True})
        return StepResult(state=_OUTCOMES[outcome])

    async def execute(self, context: StepContext) -> StepResult:
        if context.step_uuid in self.released:
            return StepResult(state=State.DONE)
        return StepResult(state=State.CONTINUE, next_poll_seconds=HELD_POLL)

    async def terminate(self, context: StepContext) -> StepResult:
        self.terminated.append(context.step_id)
        self.holding.pop(context.step_uuid, None)
        return StepResult(state=State.STOPPED)


def step(
    step_id: str, kind: str = SCRIPTED, successors: dict[str, str] | None = None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"id": step_id, "type": kind, **extra}
    if successors:
        body["transition"] = {"successors": successors}
    return {"step": body}


def workflow(
    workflow_id: str, *steps: dict[str, Any], run_strategy: Any = "parallel", **fields: Any
) -> dict[str, Any]:
    return {
        "properties": {"owner": CALLER, "run_strategy": run_strategy},
        "workflow": {"id": workflow_id, "steps": list(steps), **fields},
    }


@dataclass
class Engine:
    store: MemoryStore
    node: EngineNode
    workflows: WorkflowService
    runtime: Scripted

    async def create(self, body: Mapping[str, Any]) -> None:
        await self.workflows.create(WorkflowCreateRequest.model_validate(body), CALLER)

    async def start(self, workflow_id: str, **request: Any) -> dict[str, Any]:
        body = WorkflowStartRequest.model_validate({"initiator": {"type": "manual"}, **request})
        return await self.node.instances.start(workflow_id, "latest", body, CALLER)

    async def run(self, body: Mapping[str, Any], **request: Any) -> InstanceRow:
        """Create the workflow, start an instance and wait for its end."""
        await self.create(body)
        started = await self.start(body["workflow"]["id"], **request)
        return await self.wait(body["workflow"]["id"], started["workflow_instance_id"])

    async def wait(
        self, workflow_id: str, instance_id: int, *, run_id: int = 1, timeout: float = 5.0
    ) -> InstanceRow:
        """The run, once it is terminal."""
        return await self._until(
            workflow_id,
            instance_id,
            run_id,
            lambda row: WorkflowStatus.from_stored(row.status).is_terminal,
            timeout,
        )

    async def wait_status(
        self, workflow_id: str, instance_id: int, status: str, *, run_id: int = 1
    ) -> InstanceRow:
        return await self._until(
            workflow_id, instance_id, run_id, lambda row: row.status == status, 5.0
        )

    async def wait_step(
        self, workflow_id: str, instance_id: int, step_id: str, status: str, run_id: int = 1
    ) -> StepAttemptRow:
        deadline = time.monotonic() + 5.0
        while True:
            found = await self.store.get_step_attempt(workflow_id, instance_id, run_id, step_id)
            if found is not None and found.status == status:
                return found
            current = found.status if found else "NOT_CREATED"
            assert time.monotonic() < deadline, f"{step_id} still {current}, not {status}"
            await asyncio.sleep(POLL)

    async def steps(self, workflow_id: str, instance_id: int, run_id: int = 1) -> dict[str, str]:
        """Each step's latest status."""
        rows = await self.store.get_step_attempts(workflow_id, instance_id, run_id)
        return {row.step_id: row.status for row in rows}

    async def statuses(self, workflow_id: str, count: int) -> list[str]:
        rows = [await self.store.get_instance(workflow_id, n) for n in range(1, count + 1)]
        return [row.status if row else "MISSING" for row in rows]

    async def act(
        self, workflow_id: str, instance_id: int, step_id: str, action: StepAction
    ) -> dict[str, Any]:
        return await self.node.step_actions.act(workflow_id, instance_id, step_id, action, CALLER)

    async def restart(
        self, workflow_id: str, instance_id: int, policy: str, **body: Any
    ) -> dict[str, Any]:
        """Restart the instance as ``POST …/actions/restart`` with this body does."""
        request = WorkflowInstanceRestartRequest.model_validate({"restart_policy": policy, **body})
        return await self.node.step_actions.restart_instance(
            workflow_id, instance_id, request.restart_policy, CALLER, run_params=request.run_params
        )

    async def _until(
        self, workflow_id: str, instance_id: int, run_id: int, done: Any, timeout: float
    ) -> InstanceRow:
        deadline = time.monotonic() + timeout
        while True:
            row = await self.store.get_instance(workflow_id, instance_id, run_id)
            if row is not None and done(row):
                return row
            current = row.status if row else "MISSING"
            assert time.monotonic() < deadline, f"{workflow_id}/{instance_id}/{run_id}: {current}"
            await asyncio.sleep(POLL)


@asynccontextmanager
async def engine_on_memory(
    clock: Clock | None = None,
    runtimes: Mapping[str, Any] | None = None,
    store_class: Callable[[Clock], MemoryStore] = MemoryStore,
) -> AsyncIterator[Engine]:
    """A started node on a fresh ``MemoryStore`` (or a subclass's); stopped at the end. Time
    is virtual and moves by itself whenever every actor waits (params evaluated on a worker
    thread count as work in flight)."""
    clock = clock or FakeClock(auto_advance=True)
    store = store_class(clock)
    scripted = Scripted()
    all_runtimes: dict[str, StepRuntime] = {
        **default_runtimes(),
        StepType(SCRIPTED): scripted,
        **(runtimes or {}),
    }
    node = EngineNode(store, clock, runtimes=all_runtimes, owner="unit-node")
    await node.start()
    try:
        yield Engine(store, node, WorkflowService(store, clock), scripted)
    finally:
        await node.stop()
        if isinstance(clock, FakeClock):
            await clock.aclose()
