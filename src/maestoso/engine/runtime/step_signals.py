"""A step's signals: the dependencies it waits for before its params are evaluated, and the
outputs it announces when it succeeds."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from maestoso.engine.runtime.context import EngineContext
from maestoso.engine.runtime.signal_hub import Evaluate, announce_outputs
from maestoso.models import Step
from maestoso.store.records import InstanceRow
from maestoso.triggers.signals import SignalService


@dataclass(frozen=True, slots=True)
class StepSignals:
    engine: EngineContext
    instance: InstanceRow
    step: Step

    async def await_dependencies(
        self, evaluate: Evaluate, publish: Callable[[dict[str, Any]], Awaitable[None]]
    ) -> list[dict[str, Any]]:
        """The matched dependencies (``{name, signal_id}`` each), once all match or the step
        is bypassed."""
        definitions = getattr(self.step, "signal_dependencies", None)
        if not definitions:
            return []
        run = self.instance
        return await self.engine.signals.await_dependencies(
            definitions,
            key=(run.workflow_id, run.instance_id, run.run_id, self.step.id),
            evaluate=evaluate,
            publish=publish,
        )

    async def announce(self, attempt_id: int, evaluate: Evaluate) -> dict[str, Any] | None:
        """Announce the step's ``signal_outputs``; their view, or None when it has none. The
        request ids derive from the attempt, so announcing again stores nothing twice."""
        definitions = getattr(self.step, "signal_outputs", None)
        if not definitions:
            return None
        run = self.instance
        engine = self.engine
        service = SignalService(engine.store, engine.clock, engine.wakeup.set)
        attempt = (run.workflow_id, run.instance_id, run.run_id, self.step.id, attempt_id)
        return await announce_outputs(
            definitions, service=service, attempt=attempt, evaluate=evaluate
        )
