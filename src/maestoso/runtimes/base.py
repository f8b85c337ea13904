"""What a step type implements (``StepRuntime``) and what it is given (``StepContext``).

A runtime is driven by the engine: ``start`` once per attempt, then ``execute`` until it
returns a terminal state (after the delay it asks for, or sooner when woken), and
``terminate`` when the attempt is stopped. Runtimes must be idempotent: after a crash,
``execute`` is called again for an attempt that was RUNNING, with the artifacts it returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol


class State(StrEnum):
    CONTINUE = "CONTINUE"
    DONE = "DONE"
    USER_ERROR = "USER_ERROR"
    PLATFORM_ERROR = "PLATFORM_ERROR"
    FATAL_ERROR = "FATAL_ERROR"
    STOPPED = "STOPPED"
    TIMED_OUT = "TIMED_OUT"

    @property
    def is_terminal(self) -> bool:
        return self is not State.CONTINUE


@dataclass(frozen=True, slots=True, kw_only=True)
class StepResult:
    """What a runtime call produced."""

    state: State
    artifacts: dict[str, Any] = field(default_factory=dict)
    """Merged into the attempt's artifacts (by key)."""
    timeline: list[str] = field(default_factory=list)
    """Messages for the attempt's timeline."""
    next_poll_seconds: float | None = None
    """For CONTINUE: when to call ``execute`` again (None: the step type's default)."""
    output_params: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Params the work produced (Maestro's output params): name → evaluated param JSON
    (``{"type", "value", "evaluated_result", …}``). They replace or join the step's params."""


CONTINUE = StepResult(state=State.CONTINUE)
DONE = StepResult(state=State.DONE)


class StepContext(Protocol):
    """The engine as a runtime sees it."""

    @property
    def workflow_id(self) -> str: ...

    @property
    def instance_id(self) -> int: ...

    @property
    def run_id(self) -> int: ...

    @property
    def step_id(self) -> str: ...

    @property
    def attempt_id(self) -> int: ...

    @property
    def step_uuid(self) -> str:
        """Unique per attempt; a stable name for the attempt's external work."""
        ...

    @property
    def log_dir(self) -> Path:
        """Where the attempt's logs go (created by whoever writes there first). Files in it
        are served by the step logs endpoint and kept with the attempt."""
        ...

    @property
    def params(self) -> dict[str, Any]:
        """The step's evaluated params: name → evaluated result."""
        ...

    @property
    def artifacts(self) -> dict[str, Any]:
        """The attempt's artifacts so far (what earlier calls returned)."""
        ...

    def now_ms(self) -> int: ...


class StepRuntime(Protocol):
    """One step type."""

    default_poll_seconds: float

    async def start(self, context: StepContext) -> StepResult: ...

    async def execute(self, context: StepContext) -> StepResult: ...

    async def terminate(self, context: StepContext) -> StepResult: ...
