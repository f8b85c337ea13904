"""A ``StepContext`` without an engine, and a loop that drives a runtime as the engine does."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from maestoso.clock import Clock, SystemClock
from maestoso.runtimes import State, StepResult, StepRuntime


@dataclass
class FakeContext:
    log_dir: Path
    params: dict[str, Any] = field(default_factory=dict)
    artifacts: dict[str, Any] = field(default_factory=dict)
    workflow_id: str = "wf"
    instance_id: int = 7
    run_id: int = 1
    step_id: str = "job.1"
    attempt_id: int = 1
    step_uuid: str = "2f9a6c3e-0000-4000-8000-000000000001"
    timeline: list[str] = field(default_factory=list)
    output_params: dict[str, Any] = field(default_factory=dict)
    clock: Clock = field(default_factory=SystemClock)

    def now_ms(self) -> int:
        return int(time.time() * 1000)

    def absorb(self, result: StepResult) -> StepResult:
        self.artifacts.update(result.artifacts)
        self.timeline.extend(result.timeline)
        self.output_params.update(result.output_params)
        return result


async def drive(runtime: StepRuntime, context: FakeContext, timeout: float = 20.0) -> StepResult:
    """start, then execute until a terminal state (as the engine's polling loop does)."""
    result = context.absorb(await runtime.start(context))
    return await poll(runtime, context, result, timeout)


async def poll(
    runtime: StepRuntime, context: FakeContext, result: StepResult, timeout: float = 20.0
) -> StepResult:
    deadline = time.monotonic() + timeout
    while result.state is State.CONTINUE:
        assert time.monotonic() < deadline, f"still running: {context.timeline}"
        delay = result.next_poll_seconds
        await asyncio.sleep(min(delay if delay is not None else runtime.default_poll_seconds, 0.2))
        result = context.absorb(await runtime.execute(context))
    return result
