"""What every flow of a node shares: the store, the writer, the clock, the runtimes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from maestoso.clock import Clock
from maestoso.engine.runtime.gates import Controls
from maestoso.engine.runtime.writer import StepWriter
from maestoso.models import Step, Workflow, box_key
from maestoso.models.steps import StepType
from maestoso.runtimes import StepRuntime
from maestoso.store.port import Store
from maestoso.store.records import InstanceRow

if TYPE_CHECKING:
    from maestoso.engine.runtime.children import ChildrenHub

_INLINE_PREFIXES = ("maestro_foreach_", "maestro_while_")  # as engine.children


@dataclass(slots=True)
class EngineContext:
    store: Store
    writer: StepWriter
    clock: Clock
    runtimes: Mapping[StepType, StepRuntime]
    controls: Controls
    wake_queue: Callable[[], None] = field(default=lambda: None)
    instance_step_concurrency: int = 100
    """Steps of one instance running at once when the workflow does not say."""
    home: Path = field(default_factory=lambda: Path(".maestoso"))
    """The data directory; step logs live under ``logs/`` in it."""
    hub: ChildrenHub | None = None
    """Child instances (loops, subworkflows); set by the node."""

    fresh_runs: set[tuple[str, int, int]] = field(default_factory=set)
    """Runs created by this node and not started yet: their flows skip the resume read."""

    def fresh(self, key: tuple[str, int, int]) -> bool:
        """Whether the run was just created here (asked once, by its flow)."""
        if key in self.fresh_runs:
            self.fresh_runs.discard(key)
            return True
        return False

    def concluded(self, instance: InstanceRow) -> None:
        """A run ended: its parent step, if it has one waiting here, hears of it."""
        if self.hub is not None:
            self.hub.concluded(instance)

    def log_dir(self, instance: InstanceRow, step_id: str, attempt_id: int) -> Path:
        return (
            self.home
            / "logs"
            / instance.workflow_id
            / str(instance.instance_id)
            / str(instance.run_id)
            / step_id
            / str(attempt_id)
        )


@dataclass(frozen=True, slots=True)
class CompiledWorkflow:
    """A run's workflow parsed once: its top-level steps in order and their wrapped JSON."""

    workflow: Workflow
    boxes: Mapping[str, dict[str, Any]]
    ordinals: Mapping[str, int]
    steps: Mapping[str, Step]

    def step(self, step_id: str) -> Step:
        return self.steps[step_id]


def compile_workflow(document: Mapping[str, Any]) -> CompiledWorkflow:
    return _compile(_Frozen(document))


class _Frozen:
    """A hashable view of a JSON document, so parsed workflows can be cached by content."""

    __slots__ = ("_key", "document")

    def __init__(self, document: Mapping[str, Any]) -> None:
        import json

        self.document = document
        self._key = json.dumps(document, sort_keys=True)

    def __hash__(self) -> int:
        return hash(self._key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Frozen) and other._key == self._key


@lru_cache(maxsize=256)
def _compile(frozen: _Frozen) -> CompiledWorkflow:
    document = frozen.document
    workflow_id = str(document.get("id", ""))
    if workflow_id.startswith(_INLINE_PREFIXES):
        # An inline workflow's id is reserved for the engine, so users' ids cannot be it.
        workflow = Workflow.model_validate({**document, "id": "inline"})
        workflow = workflow.model_copy(update={"id": workflow_id})
    else:
        workflow = Workflow.model_validate(document)
    boxes: dict[str, dict[str, Any]] = {}
    ordinals: dict[str, int] = {}
    for ordinal, (box, step) in enumerate(
        zip(workflow.steps, workflow.top_steps(), strict=True), 1
    ):
        boxes[step.id] = {box_key(box): step.to_json()}
        ordinals[step.id] = ordinal
    steps = {step.id: step for step in workflow.top_steps()}
    return CompiledWorkflow(workflow, boxes, ordinals, steps)
