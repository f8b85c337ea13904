"""Workflow instance runs as Maestro's ``WorkflowInstance`` JSON, built from stored rows.

Pure functions: the key order is Maestro's ``@JsonPropertyOrder`` (unlisted keys follow in
alphabetical order), nulls are omitted, and empty artifacts and timelines too (Maestro marks
them ``NON_EMPTY``/``NON_DEFAULT``). Stored ``FAILED_1``/``FAILED_2`` read as ``FAILED``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from maestoso.models.naming import correlation_id
from maestoso.models.statuses import WorkflowStatus
from maestoso.store.records import InstanceRow

JsonDict = dict[str, Any]

INSTANCE_KEYS = (
    "workflow_id", "workflow_instance_id", "workflow_run_id", "workflow_uuid", "correlation_id",
    "workflow_version_id", "group_info", "internal_id", "execution_id", "run_config",
    "run_params", "step_run_params", "run_properties", "runtime_workflow", "runtime_dag",
    "timeout_in_millis", "params", "initiator", "status", "request_time", "create_time",
    "start_time", "end_time", "modify_time", "runtime_overview", "artifacts", "timeline",
    "aggregated_info",
)  # fmt: skip
"""``WorkflowInstance``'s property order."""


def ordered(fields: Mapping[str, Any], order: Iterable[str]) -> JsonDict:
    """``fields`` in ``order``, then the unlisted ones alphabetically; nulls left out."""
    listed = list(order)
    known = set(listed)
    extra = sorted(key for key in fields if key not in known)
    return {key: fields[key] for key in [*listed, *extra] if fields.get(key) is not None}


def non_empty(value: Any) -> Any:
    """None for an empty collection, so that it is left out like a null."""
    return value or None


def sorted_timeline(events: list[JsonDict]) -> list[JsonDict]:
    """Events by timestamp; stable, so events of one instant keep their order."""
    return sorted(events, key=lambda event: event.get("timestamp") or 0)


def status_event(timestamp: int, status: str) -> JsonDict:
    return {"timestamp": timestamp, "type": "STATUS", "status": status}


def instance_status(row: InstanceRow) -> WorkflowStatus:
    return WorkflowStatus.from_stored(row.status)


def _enriched_timeline(row: InstanceRow) -> list[JsonDict]:
    """The stored timeline plus a STATUS event for each lifecycle time, as Maestro's
    ``Timeline.enrich`` shows it to API callers (never stored)."""
    events = list(row.timeline)
    if row.create_time is not None:
        events.append(status_event(row.create_time, WorkflowStatus.CREATED.value))
    if row.start_time is not None:
        events.append(status_event(row.start_time, WorkflowStatus.IN_PROGRESS.value))
    if row.end_time is not None:
        events.append(status_event(row.end_time, instance_status(row).value))
    return sorted_timeline(events)


def instance_json(
    row: InstanceRow, *, enriched: bool = False, aggregated_info: JsonDict | None = None
) -> JsonDict:
    """One run as Maestro's ``WorkflowInstance``; ``aggregated_info`` is added when given."""
    # The document may carry a stored baseline of aggregated_info; the caller computes it.
    fields: JsonDict = {
        key: value for key, value in row.document.items() if key != "aggregated_info"
    }
    if not fields.get("correlation_id"):
        fields["correlation_id"] = correlation_id(row.workflow_id, row.instance_id, row.initiator)
    fields.update(
        workflow_id=row.workflow_id,
        workflow_instance_id=row.instance_id,
        workflow_run_id=row.run_id,
        workflow_uuid=row.uuid,
        workflow_version_id=row.version_id,
        execution_id=row.execution_id,
        initiator=row.initiator,
        status=instance_status(row).value,
        request_time=row.request_time,
        create_time=row.create_time,
        start_time=row.start_time,
        end_time=row.end_time,
        modify_time=row.modify_time,
        runtime_overview=row.runtime_overview,
        artifacts=non_empty(row.artifacts),
        timeline=non_empty(_enriched_timeline(row) if enriched else row.timeline),
        aggregated_info=aggregated_info,
    )
    return ordered(fields, INSTANCE_KEYS)
