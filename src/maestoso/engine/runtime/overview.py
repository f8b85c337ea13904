"""``runtime_overview``: how many steps of a run are in each status, and the leaf rollup.

The rollup counts leaf steps across the whole tree of instances. A leaf step counts itself;
a foreach, while or subworkflow step counts what its children counted, as its artifact
carries it: each child's rollup is added to the parent's counters once, when the child
ends, so a run's rollup costs one addition per step, never a walk over its descendants.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from maestoso.engine.runtime.compiled import CompiledWorkflow
from maestoso.models.statuses import StepStatus, WorkflowStatus
from maestoso.models.timeline import log_event
from maestoso.runtimes.loops import add_rollup, empty_rollup
from maestoso.store.records import StepAttemptRow


def runtime_overview(
    compiled: CompiledWorkflow,
    rows: Mapping[str, StepAttemptRow],
    status: WorkflowStatus,
) -> dict[str, Any]:
    step_overview: dict[str, dict[str, Any]] = {}
    for step_id, row in sorted(rows.items(), key=lambda item: compiled.ordinals[item[0]]):
        entry = step_overview.setdefault(row.status, {"cnt": 0, "steps": []})
        entry["cnt"] += 1
        state = row.runtime_state
        entry["steps"].append(
            [compiled.ordinals[step_id], state.get("start_time"), state.get("end_time")]
        )
    rollup = empty_rollup()
    for row in rows.values():
        children = children_rollup(row)
        if children is not None:
            add_rollup(rollup, children)
        else:
            add_rollup(rollup, leaf_rollup(row))
    return {
        "total_step_count": len(compiled.ordinals),
        "step_overview": step_overview,
        "rollup_overview": rollup,
        "run_status": status.value,
    }


def leaf_rollup(row: StepAttemptRow) -> dict[str, Any]:
    """The rollup of one leaf step: itself, with a reference if its status keeps one."""
    entry: dict[str, Any] = {"cnt": 1}
    if StepStatus(row.status).is_overview:
        key = f"{row.workflow_id}:{row.run_id}"
        entry["ref"] = {key: [f"{row.instance_id}:{row.step_id}:{row.attempt_id}"]}
    return {"total_leaf_count": 1, "overview": {row.status: entry}}


def children_rollup(row: StepAttemptRow) -> Mapping[str, Any] | None:
    """What a foreach, while or subworkflow step's children counted (None for a leaf)."""
    artifacts = row.artifacts or {}
    if "maestro_foreach" in artifacts:
        overview = artifacts["maestro_foreach"].get("foreach_overview") or {}
        return overview.get("rollup") or empty_rollup()
    if "maestro_while" in artifacts:
        return artifacts["maestro_while"].get("rollup") or empty_rollup()
    if "maestro_subworkflow" in artifacts:
        overview = artifacts["maestro_subworkflow"].get("subworkflow_overview") or {}
        return overview.get("rollup_overview") or empty_rollup()
    return None


def status_event(status: WorkflowStatus, now: int, reason: str | None) -> dict[str, Any]:
    """The run's timeline entry for its final status, with why, when it was stopped."""
    message = f"Workflow instance status is updated to [{status.value}]"
    if reason:
        message += f" due to [{reason}]"
    return log_event(now, message)
