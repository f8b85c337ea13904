"""Workflow documents: version selectors, the definition bodies Maestro answers with, the
trigger uuids of a version and the merging of property changes onto a snapshot."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from maestoso.errors import NotFoundError, ValidationError
from maestoso.models import (
    Properties,
    Tag,
    UserRef,
    WorkflowCreateRequest,
)
from maestoso.store.records import (
    NewVersion,
    PropertiesChange,
    TimelineEntry,
    VersionRow,
    WorkflowRow,
)
from maestoso.triggers.time import next_execution_extras


def json_user(user: UserRef) -> Any:
    return user if isinstance(user, str) else user.to_json()


@dataclass(frozen=True, slots=True)
class VersionSelector:
    """``active``, ``latest``, ``default`` (active, else latest) or a version number."""

    word: str | None
    number: int | None

    @classmethod
    def parse(cls, text: str) -> VersionSelector:
        lowered = text.strip().lower()
        if lowered in ("active", "latest", "default"):
            return cls(lowered, None)
        if lowered.isdigit() and int(lowered) > 0:
            return cls(None, int(lowered))
        raise ValidationError(
            f"invalid workflow version [{text}]",
            [f"version: [{text}] must be active, latest, default or a positive number"],
        )

    def resolve(self, row: WorkflowRow) -> int:
        if self.number is not None:
            return self.number
        if self.word == "active":
            if not row.active_version_id:
                raise NotFoundError(
                    f"Cannot find an active version for workflow [{row.workflow_id}]"
                )
            return row.active_version_id
        if self.word == "default" and row.active_version_id:
            return row.active_version_id
        return row.latest_version_id


def definition_body(row: WorkflowRow, version: VersionRow) -> dict[str, Any]:
    """A ``WorkflowDefinition`` in Maestro's key order."""
    active = row.active_version_id == version.version_id
    body: dict[str, Any] = {
        "properties_snapshot": row.properties_snapshot,
        "metadata": version.metadata,
        "workflow": version.definition,
        "is_active": active,
    }
    if active:
        if row.activate_time is not None:
            body["activate_time"] = row.activate_time
        if row.activated_by is not None:
            body["activated_by"] = row.activated_by
    body["is_latest"] = row.latest_version_id == version.version_id
    body["is_default"] = (row.active_version_id or row.latest_version_id) == version.version_id
    body["internal_id"] = row.internal_id
    body["modify_time"] = row.modify_time
    return body


def trigger_uuids(definition: dict[str, Any]) -> dict[str, Any] | None:
    """UUIDv3 names of the triggers, so that a changed trigger invalidates old schedules."""
    result: dict[str, Any] = {}
    if definition.get("time_triggers"):
        text = json.dumps(definition["time_triggers"], sort_keys=True)
        result["time_trigger_uuid"] = str(uuid.uuid3(uuid.NAMESPACE_OID, text))
    if definition.get("signal_triggers"):
        result["signal_trigger_uuids"] = {
            str(uuid.uuid3(uuid.NAMESPACE_OID, json.dumps(t, sort_keys=True))): index
            for index, t in enumerate(definition["signal_triggers"])
        }
    return result or None


def merge_snapshot(
    previous: dict[str, Any] | None,
    change: dict[str, Any],
    workflow_id: str,
    now: int,
    author: Any,
) -> dict[str, Any]:
    snapshot: dict[str, Any] = {
        "workflow_id": workflow_id,
        "create_time": now,
        "author": author if not hasattr(author, "to_json") else author.to_json(),
    }
    for name in Properties.model_fields:
        value = change.get(name, (previous or {}).get(name))
        if value is not None:
            snapshot[name] = value
    return snapshot


def check_resets(change: dict[str, Any], resets: dict[str, Any]) -> None:
    clashes = []
    if resets.get("reset_run_strategy_rule") and "run_strategy" in change:
        clashes.append("run_strategy")
    if resets.get("reset_workflow_concurrency") and "run_strategy" in change:
        clashes.append("run_strategy.workflow_concurrency")
    if resets.get("reset_step_concurrency") and "step_concurrency" in change:
        clashes.append("step_concurrency")
    if clashes:
        raise ValidationError(
            f"cannot both set and reset {clashes}", [f"{c}: set and reset at once" for c in clashes]
        )


def tag_of(value: Any) -> Tag | str:
    return value if isinstance(value, str) else Tag.model_validate(value)


def enriched_extras(workflow: dict[str, Any], now: int, params: dict[str, Any]) -> dict[str, Any]:
    """``WorkflowDefinitionExtras``: the merged params, then the next execution times."""
    return {**params, **next_execution_extras(workflow, now)}


def new_version(
    request: WorkflowCreateRequest, caller: UserRef, current: WorkflowRow | None, now: int
) -> NewVersion:
    """What creating a version writes: the version, and the properties it changes."""
    workflow_id = request.workflow.id
    changes = request.properties or Properties()
    if current is None and changes.owner is None:
        raise ValidationError(
            f"Invalid workflow definition [{workflow_id}]: properties.owner is required "
            "for the first version of a workflow",
            ["properties.owner: is required for the first version of a workflow"],
        )
    previous = current.properties_snapshot if current else None
    change_json = changes.to_json()
    snapshot = previous
    change = None
    if previous is None or change_json:
        # snapshots are keyed by their time: keep them strictly increasing
        changed_at = max(now, previous["create_time"] + 1) if previous else now
        snapshot = merge_snapshot(previous, change_json, workflow_id, changed_at, caller)
        change = PropertiesChange(
            workflow_id=workflow_id,
            create_time=changed_at,
            author=json_user(caller),
            properties_changes=change_json,
            previous_snapshot=previous,
        )
    assert snapshot is not None
    version_id = (current.latest_version_id if current else 0) + 1
    metadata: dict[str, Any] = {
        "workflow_id": workflow_id,
        "workflow_version_id": version_id,
        "create_time": now,
        "version_author": json_user(caller),
    }
    if request.git_info is not None:
        metadata["git_info"] = request.git_info.to_json()
    metadata.update(request.extras)
    definition = request.workflow.to_json()
    log = f"Created a new workflow version [{version_id}] for workflow id [{workflow_id}]"
    if request.is_active:
        log += " and activated it"
    return NewVersion(
        workflow_id=workflow_id,
        version_id=version_id,
        metadata=metadata,
        definition=definition,
        trigger_uuids=trigger_uuids(definition),
        create_time=now,
        activate=request.is_active,
        activated_by=json_user(caller),
        properties_snapshot=snapshot,
        properties_change=change,
        timeline=[timeline_entry(workflow_id, caller, log, now)],
    )


def timeline_entry(workflow_id: str, caller: UserRef, log: str, now: int) -> TimelineEntry:
    event = {"author": json_user(caller), "log": log, "timestamp": now}
    return TimelineEntry(workflow_id=workflow_id, create_time=now, event=event)
