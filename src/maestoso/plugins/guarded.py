"""A plugin's step runtime kept from taking its flow down: what it raises fails the attempt."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from maestoso.errors import MaestosoError
from maestoso.plugin import State, StepContext, StepResult, StepRuntime
from maestoso.runtimes.base import RuntimeWrapper

logger = logging.getLogger("maestoso.plugins")


class GuardedRuntime(RuntimeWrapper):
    """A bug in a plugin is the platform's failure to the step (retried per the step's
    platform retry limit); the engine's own errors pass through."""

    def __init__(self, name: str, inner: StepRuntime) -> None:
        super().__init__(inner)
        self.name = name

    async def _call(
        self, call: Callable[[StepContext], Awaitable[StepResult]], context: StepContext
    ) -> StepResult:
        try:
            result = await call(context)
        except MaestosoError:
            raise
        except Exception as exc:
            logger.exception("step type [%s] failed in %s", self.name, call.__name__)
            message = f"step type [{self.name}] failed: {type(exc).__name__}: {exc}"
            return StepResult(state=State.PLATFORM_ERROR, timeline=[message])
        if not isinstance(result, StepResult):
            message = f"step type [{self.name}] returned {type(result).__name__}, not a StepResult"
            return StepResult(state=State.PLATFORM_ERROR, timeline=[message])
        return result
