"""The JSON document of a step attempt, in Maestro's ``StepInstance`` field names."""

from __future__ import annotations

from typing import Any

from maestoso.engine.runtime.compiled import CompiledWorkflow
from maestoso.store.records import InstanceRow


def step_document(
    instance: InstanceRow,
    compiled: CompiledWorkflow,
    step_id: str,
    predecessors: tuple[str, ...],
) -> dict[str, Any]:
    """What every attempt of a step records of its run and definition."""
    return {
        "workflow_uuid": instance.uuid,
        "correlation_id": instance.document.get("correlation_id"),
        "step_instance_id": compiled.ordinals[step_id],
        "workflow_version_id": instance.version_id,
        "definition": compiled.boxes[step_id],
        "transition": {
            "predecessors": list(predecessors),
            "successors": dict(compiled.steps[step_id].successors),
        },
    }
