"""Workflows parsed once per node: a run's definition as typed steps, in order.

A version never changes, so a parsed workflow is cached by its identity (the workflow, its
incarnation and its version) rather than by its content: a cache hit costs a dict lookup.
Inline workflows (loop iterations) have ids unique to their parent step and instance.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from maestoso.engine.lru import Lru
from maestoso.models import Step, Workflow, box_key
from maestoso.models.naming import is_inline


@dataclass(frozen=True, slots=True)
class CompiledWorkflow:
    """A run's workflow parsed once: its top-level steps in order and their wrapped JSON."""

    workflow: Workflow
    document: Mapping[str, Any]
    """The definition it was parsed from, in Maestro's JSON."""
    boxes: Mapping[str, dict[str, Any]]
    ordinals: Mapping[str, int]
    steps: Mapping[str, Step]

    def step(self, step_id: str) -> Step:
        return self.steps[step_id]


class WorkflowCache:
    """The node's parsed workflows, least recently used evicted first."""

    def __init__(self, size: int = 256) -> None:
        self._entries: Lru[Hashable, CompiledWorkflow] = Lru(size)

    def cached(self, identity: Hashable) -> CompiledWorkflow | None:
        return self._entries.get(identity)

    def get(self, identity: Hashable, document: Mapping[str, Any]) -> CompiledWorkflow:
        """The parsed ``document``, which must be the same for the same ``identity``."""
        compiled = self._entries.get(identity)
        if compiled is None:
            compiled = self._entries.put(identity, compile_workflow(document))
        return compiled


def compile_workflow(document: Mapping[str, Any]) -> CompiledWorkflow:
    workflow_id = str(document.get("id", ""))
    if is_inline(workflow_id):
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
    return CompiledWorkflow(workflow, document, boxes, ordinals, steps)
