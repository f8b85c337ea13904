"""The document of a step attempt: what every attempt of a step records of its run."""

from __future__ import annotations

import uuid
from typing import Any

from maestoso.engine.runtime.compiled import CompiledWorkflow
from maestoso.models.naming import correlation_id
from maestoso.models.statuses import StepStatus
from maestoso.store.records import InstanceRow, StepAttemptRow
from maestoso.store.run_records import StepRecord


def step_document(
    instance: InstanceRow,
    compiled: CompiledWorkflow,
    step_id: str,
    predecessors: tuple[str, ...],
    tags: list[Any] | None = None,
) -> StepRecord:
    """What every attempt of a step records of its run and definition."""
    run = instance.record
    return StepRecord(
        workflow_uuid=instance.uuid,
        correlation_id=run.correlation_id
        or correlation_id(instance.workflow_id, instance.instance_id, instance.initiator),
        step_instance_id=compiled.ordinals[step_id],
        workflow_version_id=instance.version_id,
        group_info=run.group_info,
        owner=run.run_properties.owner,
        definition=compiled.boxes[step_id],
        tags=tags or [],  # Maestro writes the step's tags even when there are none
        transition={
            "predecessors": list(predecessors),
            "successors": dict(compiled.steps[step_id].successors),
        },
    )


def unsatisfied_row(
    instance: InstanceRow,
    compiled: CompiledWorkflow,
    step_id: str,
    predecessors: tuple[str, ...],
    now: int,
) -> StepAttemptRow:
    """The row of a step that can never run: none of its incoming edges holds."""
    state = {
        "status": StepStatus.UNSATISFIED.value,
        "create_time": now,
        "end_time": now,
        "modify_time": now,
    }
    return StepAttemptRow(
        workflow_id=instance.workflow_id,
        instance_id=instance.instance_id,
        run_id=instance.run_id,
        step_id=step_id,
        attempt_id=1,
        step_uuid=str(uuid.uuid4()),
        status=StepStatus.UNSATISFIED.value,
        runtime_state=state,
        document=step_document(instance, compiled, step_id, predecessors).to_json(),
        artifacts=None,
        timeline=[],
        create_time=now,
        modify_time=now,
    )
