"""``runtime_overview``: how many steps of a run are in each status, and the leaf rollup."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from maestoso.engine.context import CompiledWorkflow
from maestoso.models.statuses import StepStatus, WorkflowStatus
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
    rollup: dict[str, dict[str, Any]] = {}
    reference = f"{rows and next(iter(rows.values())).workflow_id}"
    for row in rows.values():
        entry = rollup.setdefault(row.status, {"cnt": 0})
        entry["cnt"] += 1
        if StepStatus(row.status).is_overview:
            key = f"{reference}:{row.run_id}"
            ref = entry.setdefault("ref", {}).setdefault(key, [])
            ref.append(f"{row.instance_id}:{row.step_id}:{row.attempt_id}")
    return {
        "total_step_count": len(compiled.ordinals),
        "step_overview": step_overview,
        "rollup_overview": {"total_leaf_count": len(compiled.ordinals), "overview": rollup},
        "run_status": status.value,
    }
