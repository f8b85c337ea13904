"""``Sleep``: wait ``sleep_seconds`` (default 3), then succeed.

The wake-up time is an artifact, so a step that was sleeping when the server stopped sleeps
only what is left of it afterwards.
"""

from __future__ import annotations

from typing import Any

from maestoso.runtimes.base import DONE, State, StepContext, StepResult

DEFAULT_SLEEP_SECONDS = 3
_ARTIFACT = "maestro_sleep"


class SleepRuntime:
    default_poll_seconds = 3.0

    async def start(self, context: StepContext) -> StepResult:
        seconds = _seconds(context.params.get("sleep_seconds", DEFAULT_SLEEP_SECONDS))
        wake_at = context.now_ms() + int(seconds * 1000)
        artifact = {"type": "DEFAULT", "data": {"sleep_seconds": seconds, "wake_at": wake_at}}
        return StepResult(
            state=State.CONTINUE,
            artifacts={_ARTIFACT: artifact},
            timeline=[f"sleeping for {seconds} seconds"],
            next_poll_seconds=seconds,
        )

    async def execute(self, context: StepContext) -> StepResult:
        artifact = context.artifacts.get(_ARTIFACT) or {}
        wake_at = int((artifact.get("data") or {}).get("wake_at", 0))
        remaining = (wake_at - context.now_ms()) / 1000
        if remaining <= 0:
            return DONE
        return StepResult(state=State.CONTINUE, next_poll_seconds=remaining)

    async def terminate(self, context: StepContext) -> StepResult:
        return StepResult(state=State.STOPPED)


def _seconds(value: Any) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return DEFAULT_SLEEP_SECONDS
    return max(seconds, 0.0)
