"""What a step type implements (``StepRuntime``) and what it is given (``StepContext``).

A runtime is driven by the engine: ``start`` once per attempt, then ``execute`` until it
returns a terminal state (after the delay it asks for, or sooner when woken), and
``terminate`` when the attempt is stopped. Runtimes must be idempotent: after a crash,
``execute`` is called again for an attempt that was RUNNING, with the artifacts it returned.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from maestoso.clock import Clock

if TYPE_CHECKING:
    from maestoso.models import Step


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


@dataclass(frozen=True, slots=True, kw_only=True)
class ChildRun:
    """A run of a child instance (a subworkflow, a foreach or while iteration) as its parent
    step sees it."""

    workflow_id: str
    instance_id: int
    run_id: int
    uuid: str
    version_id: int
    status: str
    """A ``WorkflowInstance.Status`` name (``FAILED_1``/``FAILED_2`` read as ``FAILED``)."""
    runtime_overview: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Iteration:
    """One iteration of a loop: an inline instance with its id and its run params
    (name → evaluated param JSON, ``{"value", "type", "evaluated_result", …}``)."""

    instance_id: int
    run_params: dict[str, dict[str, Any]]


class Children(Protocol):
    """The child instances of one step attempt: what loops and subworkflows run through.

    Inline instances (loop iterations) are created by the parent with the ids it chooses,
    run on the parent's node and bypass the run strategy; a subworkflow instance is started
    like any other instance of its workflow. A child's end wakes ``wait``.
    """

    def instance_step_concurrency(self) -> int | None:
        """The run's ``instance_step_concurrency`` (its root's, for a child), if set."""
        ...

    def inline_workflow_id(self, kind: str) -> str:
        """The id of this step's inline workflow (``kind``: ``foreach`` or ``while``)."""
        ...

    async def start_inline(
        self, kind: str, workflow_id: str, steps: list[dict[str, Any]], batch: Sequence[Iteration]
    ) -> None:
        """Create and run these iterations of the inline workflow (idempotent: an iteration
        that exists already is left as it is)."""
        ...

    async def start_workflow(
        self,
        workflow_id: str,
        version: str,
        run_params: Mapping[str, Mapping[str, Any]],
        *,
        sync: bool,
    ) -> ChildRun:
        """Start (through its run strategy) an instance of another workflow; a second call
        for the same attempt returns the instance the first one started."""
        ...

    async def get(self, workflow_id: str, instance_id: int, run_id: int = 1) -> ChildRun | None: ...

    async def statuses(self, workflow_id: str, low: int, high: int) -> list[tuple[int, str]]:
        """``(instance_id, status)`` of run 1 of the inline instances ``low..high``, by id."""
        ...

    async def rollups(self, workflow_id: str, low: int, high: int) -> list[dict[str, Any]]:
        """The ``rollup_overview`` of every finished inline instance ``low..high``."""
        ...

    async def step_params(self, workflow_id: str, instance_id: int) -> list[dict[str, Any]]:
        """The evaluated params of each step of an inline instance, by step_instance_id."""
        ...

    async def stop(self, workflow_id: str, low: int, high: int, reason: str) -> int:
        """Stop the unfinished instances ``low..high`` of ``workflow_id``; returns how many
        are still unfinished (stopping takes a moment: call again until 0)."""
        ...

    async def wait(self, seconds: float) -> None:
        """Until a child of this step ends, or ``seconds`` passed."""
        ...


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

    @property
    def clock(self) -> Clock:
        """The engine's clock: a runtime that waits in-process waits on it."""
        ...

    @property
    def step(self) -> Step:
        """The step's definition."""
        ...

    @property
    def step_params(self) -> dict[str, dict[str, Any]]:
        """The step's evaluated params as JSON (``{"value", "type", "evaluated_result", …}``)."""
        ...

    @property
    def workflow_params(self) -> dict[str, dict[str, Any]]:
        """The run's evaluated workflow params as JSON."""
        ...

    @property
    def children(self) -> Children:
        """The child instances of this attempt."""
        ...


class StepRuntime(Protocol):
    """One step type."""

    default_poll_seconds: float

    async def start(self, context: StepContext) -> StepResult: ...

    async def execute(self, context: StepContext) -> StepResult: ...

    async def terminate(self, context: StepContext) -> StepResult: ...


class RuntimeWrapper:
    """A runtime around another: every call of the inner one goes through ``_call``."""

    def __init__(self, inner: StepRuntime) -> None:
        self.inner = inner
        self.default_poll_seconds = float(inner.default_poll_seconds)

    async def start(self, context: StepContext) -> StepResult:
        return await self._call(self.inner.start, context)

    async def execute(self, context: StepContext) -> StepResult:
        return await self._call(self.inner.execute, context)

    async def terminate(self, context: StepContext) -> StepResult:
        return await self._call(self.inner.terminate, context)

    async def _call(
        self, call: Callable[[StepContext], Awaitable[StepResult]], context: StepContext
    ) -> StepResult:
        return await call(context)
