"""``NoOp``: a step that succeeds at once (joins, markers, tests)."""

from __future__ import annotations

from maestoso.runtimes.base import DONE, State, StepContext, StepResult


class NoOpRuntime:
    default_poll_seconds = 3.0

    async def start(self, context: StepContext) -> StepResult:
        return DONE

    async def execute(self, context: StepContext) -> StepResult:
        return DONE

    async def terminate(self, context: StepContext) -> StepResult:
        return StepResult(state=State.STOPPED)
