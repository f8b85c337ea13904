"""The writes of one run, and which of its steps may run ahead of them.

A run's writes form one ``Chain`` (see ``StepWriter``): committed in the order they were
made, and none after one that failed. A flow need not wait for its final rows to be
committed before it starts the steps they make ready, as long as those steps do nothing
outside the run: a plain NoOp starts at once, so a chain of them is not held up by one commit
per step. Any other step starts only once everything written before it is committed, and so
does a NoOp held by a breakpoint before it is listed as paused. After a
crash the database holds a prefix of the run's writes; a NoOp that ran ahead of them runs
again, which nobody outside the run can tell.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from maestoso.engine.runtime.writer import Chain, StepWriter, Write
from maestoso.errors import PlatformError
from maestoso.models import StepType
from maestoso.models.steps import Step
from maestoso.store.records import Fence


class RunWrites:
    def __init__(
        self, writer: StepWriter, fence: Fence, on_failure: Callable[[BaseException], None]
    ) -> None:
        self._chain = Chain()
        self._writer = writer
        self._fence = fence
        self._on_failure = on_failure
        """Told when a write nobody waits for fails."""
        self._last: asyncio.Future[None] | None = None
        """The latest write submitted: once it is committed, so is every earlier one."""

    def submit(self, write: Write) -> None:
        """Queue ``write`` without waiting for its commit."""
        written = self._writer.submit(write, self._fence, self._chain)
        written.add_done_callback(self._settled)
        self._last = written

    async def write(self, write: Write) -> None:
        """Commit ``write``, after every write submitted before it."""
        await self._writer.write(write, self._fence, self._chain)

    async def committed(self) -> None:
        """Wait until every write submitted so far is committed; raises what failed one."""
        if self._last is not None:
            await self._last

    def abandon(self) -> None:
        """The flow is gone: what it submitted and is not committed yet fails untried, so
        that whoever resumes the run from the database finds no write of it landing later."""
        if self._chain.failed is None:
            self._chain.failed = PlatformError("the run's flow ended before this write")

    def _settled(self, written: asyncio.Future[None]) -> None:
        error = None if written.cancelled() else written.exception()
        if error is not None:
            self._on_failure(error)


def may_run_ahead(step: Step) -> bool:
    """Whether ``step`` may start before the writes that made it ready are committed: a NoOp
    that waits for no signal, sends none and takes no tag permit acts only inside its run."""
    return step.kind is StepType.NOOP and not (
        getattr(step, "signal_dependencies", None)
        or getattr(step, "signal_outputs", None)
        or getattr(step, "tags", None)
    )
