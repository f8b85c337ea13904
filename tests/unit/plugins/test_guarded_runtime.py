"""A plugin's runtime that raises fails the attempt instead of the engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.unit.runtimes.support import FakeContext

from maestoso.errors import PlatformError
from maestoso.plugin import DONE, State, StepContext, StepResult
from maestoso.plugins.guarded import GuardedRuntime


class Buggy:
    default_poll_seconds = 5

    async def start(self, context: StepContext) -> StepResult:
        raise KeyError("cluster")

    async def execute(self, context: StepContext) -> StepResult:
        return "DONE"  # type: ignore[return-value]

    async def terminate(self, context: StepContext) -> StepResult:
        raise PlatformError("the database is down")


async def test_what_a_plugin_raises_is_a_platform_error(tmp_path: Path) -> None:
    runtime = GuardedRuntime("Spark", Buggy())
    context = FakeContext(tmp_path)
    started = await runtime.start(context)
    assert started.state is State.PLATFORM_ERROR
    assert started.timeline == ["step type [Spark] failed: KeyError: 'cluster'"]
    executed = await runtime.execute(context)
    assert executed.state is State.PLATFORM_ERROR
    assert executed.timeline == ["step type [Spark] returned str, not a StepResult"]
    with pytest.raises(PlatformError):  # the engine's own errors are the engine's to handle
        await runtime.terminate(context)
    assert runtime.default_poll_seconds == 5.0 and DONE.state is State.DONE
