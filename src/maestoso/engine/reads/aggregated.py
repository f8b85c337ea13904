"""``aggregated_info``: which run last touched each step of an instance, and how it ended.

Maestro keeps a baseline of it in each restarted run and overlays the run's own step
overview on it. Here it is recomputed from the runs themselves, oldest first, which gives the
same result: a run reports the steps it created; the steps of its DAG it has not created
(yet) go back to ``NOT_CREATED`` (they will run again, so an older result would mislead);
steps that no run has reached are ``NOT_CREATED`` too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from maestoso.engine.reads.views import JsonDict, instance_status, non_empty, ordered
from maestoso.models.statuses import StepStatus
from maestoso.store.records import InstanceRow

AGGREGATED_KEYS = ("workflow_instance_status", "step_aggregated_views")
STEP_VIEW_KEYS = ("workflow_run_id", "status", "start_time", "end_time")
_STATUS_ORDER = {status.value: index for index, status in enumerate(StepStatus)}


def decode_step_overview(
    overview: Mapping[str, Any] | None, runtime_dag: Mapping[str, Any]
) -> dict[str, JsonDict]:
    """Step id → ``{status, start_time, end_time}`` from a run's compressed ``step_overview``,
    whose entries name steps by their 1-based position in the run's ``runtime_dag``."""
    if not overview:
        return {}
    step_ids = list(runtime_dag)
    # Maestro's step overview is an EnumMap: its statuses come in declaration order.
    by_status = sorted(
        (overview.get("step_overview") or {}).items(),
        key=lambda item: _STATUS_ORDER.get(item[0], len(_STATUS_ORDER)),
    )
    states: dict[str, JsonDict] = {}
    for status, summary in by_status:
        # Old runs may hold a bare count per status: no steps to place.
        entries = summary.get("steps") if isinstance(summary, Mapping) else None
        for entry in entries or ():
            ordinal, start, end = [*entry, None, None, None][:3]
            if isinstance(ordinal, int) and 1 <= ordinal <= len(step_ids):
                states[step_ids[ordinal - 1]] = {
                    "status": status,
                    "start_time": start,
                    "end_time": end,
                }
    return states


def definition_step_ids(runtime_workflow: Mapping[str, Any] | None) -> list[str]:
    """The ids of the top-level steps of a workflow whose steps are wrapped
    (``{"step": {...}}``, ``{"foreach": {...}}``…)."""
    ids: list[str] = []
    for wrapper in (runtime_workflow or {}).get("steps") or ():
        body = next(iter(wrapper.values()), None) if len(wrapper) == 1 else wrapper
        if isinstance(body, Mapping) and isinstance(body.get("id"), str):
            ids.append(body["id"])
    return ids


def _overlay(views: dict[str, JsonDict], run: InstanceRow) -> None:
    runtime_dag: Mapping[str, Any] = run.record.runtime_dag or {}
    states = decode_step_overview(run.runtime_overview, runtime_dag)
    for step_id, state in states.items():
        views[step_id] = ordered({"workflow_run_id": run.run_id, **state}, STEP_VIEW_KEYS)
    for step_id in runtime_dag:
        if step_id not in states:
            views.pop(step_id, None)
    for step_id in definition_step_ids(run.record.runtime_workflow):
        views.setdefault(step_id, {"status": StepStatus.NOT_CREATED.value})


def aggregated_info(runs: Sequence[InstanceRow]) -> JsonDict:
    """The aggregated info of the last of ``runs`` (runs 1..N of one instance, oldest first)."""
    views: dict[str, JsonDict] = {}
    for run in runs:
        _overlay(views, run)
    fields = {
        "workflow_instance_status": instance_status(runs[-1]).value,
        "step_aggregated_views": non_empty(views),
    }
    return ordered(fields, AGGREGATED_KEYS)
