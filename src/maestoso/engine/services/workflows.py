"""Workflow definitions: create versions, read them, change properties, activate, delete.

Versions are immutable. Properties are not versioned with them: each change is merged onto
the current snapshot and kept as history.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from maestoso.clock import Clock
from maestoso.dsl.loading import check_request
from maestoso.dsl.validation import ValidationSettings
from maestoso.engine.reads.pagination import PageRequest, page_result
from maestoso.engine.services.strategies import strategy_of, switch_problem
from maestoso.errors import ConflictError, MaestosoError, NotFoundError, ValidationError
from maestoso.models import (
    Properties,
    PropertiesUpdate,
    RunStrategy,
    Tag,
    UserRef,
    WorkflowCreateRequest,
    user_name,
)
from maestoso.models.properties import DEFAULT_STEP_CONCURRENCY
from maestoso.models.users import TagNamespace, tag_name
from maestoso.store.port import Store
from maestoso.store.records import (
    NewVersion,
    PropertiesChange,
    TimelineEntry,
    VersionRow,
    WorkflowRow,
)
from maestoso.triggers.subscriptions import sync_triggers
from maestoso.triggers.time import next_execution_extras

TIMELINE_LIMIT = 300
_SAVE_ATTEMPTS = 5

logger = logging.getLogger(__name__)


def _json_user(user: UserRef) -> Any:
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


class WorkflowService:
    """The use cases of workflow definitions, over the store."""

    def __init__(
        self, store: Store, clock: Clock, validation: ValidationSettings | None = None
    ) -> None:
        self._store = store
        self._clock = clock
        self._validation = validation or ValidationSettings()
        # Writers of one workflow take turns inside a node; across nodes the store's
        # compare-and-set (and the retry below) keeps versions and snapshots consistent.
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def _lock(self, workflow_id: str) -> asyncio.Lock:
        lock = self._locks.get(workflow_id)
        if lock is None:
            lock = self._locks[workflow_id] = asyncio.Lock()
        return lock

    def validate(self, request: WorkflowCreateRequest) -> None:
        check_request(request, self._validation)

    async def create(self, request: WorkflowCreateRequest, caller: UserRef) -> dict[str, Any]:
        """Store ``request`` as the next version; returns the new ``WorkflowDefinition``."""
        self.validate(request)
        workflow_id = request.workflow.id
        if request.properties is not None and request.properties.run_strategy is not None:
            await self._check_switch(workflow_id, request.properties.run_strategy)
        async with self._lock(workflow_id):
            return await self._save(request, caller)

    async def _save(self, request: WorkflowCreateRequest, caller: UserRef) -> dict[str, Any]:
        workflow_id = request.workflow.id
        for _ in range(_SAVE_ATTEMPTS):
            current = await self._store.get_workflow(workflow_id)
            new = self._new_version(request, caller, current)
            try:
                row = await self._store.save_version(new)
            except ConflictError:
                continue  # another version was saved meanwhile; number ours after it
            version = await self._require_version(workflow_id, new.version_id)
            await self._sync_triggers(workflow_id)
            return definition_body(row, version)
        raise ConflictError(f"workflow [{workflow_id}] is being changed concurrently; retry")

    def _new_version(
        self, request: WorkflowCreateRequest, caller: UserRef, current: WorkflowRow | None
    ) -> NewVersion:
        workflow_id = request.workflow.id
        now = self._clock.now_ms()
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
            snapshot = _merge_snapshot(previous, change_json, workflow_id, changed_at, caller)
            change = PropertiesChange(
                workflow_id=workflow_id,
                create_time=changed_at,
                author=_json_user(caller),
                properties_changes=change_json,
                previous_snapshot=previous,
            )
        assert snapshot is not None
        version_id = (current.latest_version_id if current else 0) + 1
        metadata: dict[str, Any] = {
            "workflow_id": workflow_id,
            "workflow_version_id": version_id,
            "create_time": now,
            "version_author": _json_user(caller),
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
            activated_by=_json_user(caller),
            properties_snapshot=snapshot,
            properties_change=change,
            timeline=[self._timeline(workflow_id, caller, log, now)],
        )

    async def get_definition(
        self, workflow_id: str, version: str, *, enriched: bool = False
    ) -> dict[str, Any]:
        row = await self._require_workflow(workflow_id)
        version_id = VersionSelector.parse(version).resolve(row)
        body = definition_body(row, await self._require_version(workflow_id, version_id))
        if enriched:
            body["enriched_extras"] = _enriched_extras(body["workflow"], self._clock.now_ms())
            body["modify_time"] = body.pop("modify_time")
        return body

    async def list_versions(
        self, workflow_id: str, first: int | None, last: int | None, cursor: str | None
    ) -> dict[str, Any]:
        page = PageRequest.parse(first, last, cursor)
        row = await self._require_workflow(workflow_id)
        low, high = page.id_range(1, row.latest_version_id)
        rows = await self._store.list_versions(
            workflow_id, cursor=high + 1, limit=high - low + 1, descending=True
        )
        elements = [definition_body(row, version) for version in rows.rows]
        ids = (rows.rows[0].version_id, rows.rows[-1].version_id) if rows.rows else None
        return page_result(elements, ids, 1, row.latest_version_id)

    async def overview(self, workflow_id: str) -> dict[str, Any]:
        row = await self._require_workflow(workflow_id)
        snapshot = row.properties_snapshot
        body: dict[str, Any] = {"workflow_id": workflow_id}
        if row.active_version_id:
            body["active_version_id"] = row.active_version_id
        body["latest_version_id"] = row.latest_version_id
        body["default_version_id"] = row.active_version_id or row.latest_version_id
        body["properties_snapshot"] = snapshot
        body["step_concurrency"] = snapshot.get("step_concurrency", DEFAULT_STEP_CONCURRENCY)
        body["nonterminal_instances"] = {"CREATED": 0, "IN_PROGRESS": 0, "PAUSED": 0}
        body["failed_instances"] = 0
        if row.latest_instance_id:
            body["latest_instance_id"] = row.latest_instance_id
        return body

    async def properties_snapshot(self, workflow_id: str, snapshot_id: str) -> dict[str, Any]:
        row = await self._require_workflow(workflow_id)
        if snapshot_id.lower() == "latest":
            return row.properties_snapshot
        for change in await self._store.list_properties_changes(workflow_id):
            if str(change.create_time) == snapshot_id:
                return _merge_snapshot(
                    change.previous_snapshot,
                    change.properties_changes,
                    workflow_id,
                    change.create_time,
                    change.author,
                )
        raise NotFoundError(
            f"Cannot find properties snapshot [{snapshot_id}] for workflow [{workflow_id}]"
        )

    async def update_properties(
        self, workflow_id: str, update: PropertiesUpdate, caller: UserRef
    ) -> dict[str, Any]:
        if update.tags is not None:
            raise ValidationError(
                "tags cannot be updated here; use the properties tag endpoints",
                ["tags: use POST /api/v3/workflows/{workflowId}/properties/tag"],
            )
        change = update.to_json()
        resets = {k: change.pop(k) for k in list(change) if k.startswith("reset_")}
        _check_resets(change, resets)
        if update.run_strategy is not None:
            await self._check_switch(workflow_id, update.run_strategy)

        def apply(snapshot: dict[str, Any]) -> None:
            if resets.get("reset_run_strategy_rule"):
                snapshot.pop("run_strategy", None)
            if resets.get("reset_workflow_concurrency") and "run_strategy" in snapshot:
                rule = snapshot["run_strategy"]["rule"]
                default = 20 if rule == "PARALLEL" else 1
                snapshot["run_strategy"] = {"rule": rule, "workflow_concurrency": default}
            if resets.get("reset_step_concurrency"):
                snapshot.pop("step_concurrency", None)

        return await self._change_properties(workflow_id, change, caller, apply, "Updated")

    async def add_tag(self, workflow_id: str, tag: Tag, caller: UserRef) -> dict[str, Any]:
        now = self._clock.now_ms()
        extras = {**tag.extras, "creator": user_name(caller), "created_at_milli": now}
        added = Tag.model_validate(
            {**tag.to_json(), "namespace": TagNamespace.PLATFORM.value, **extras}
        ).to_json()

        def apply(snapshot: dict[str, Any]) -> None:
            tags = [t for t in snapshot.get("tags", []) if tag_name(_tag(t)) != tag.name]
            snapshot["tags"] = [*tags, added]

        change = {"tags": [added]}
        return await self._change_properties(workflow_id, change, caller, apply, "Added tag to")

    async def delete_tag(self, workflow_id: str, name: str, caller: UserRef) -> dict[str, Any]:
        row = await self._require_workflow(workflow_id)
        names = [tag_name(_tag(t)) for t in row.properties_snapshot.get("tags", [])]
        if name not in names:
            raise NotFoundError(f"Cannot find tag [{name}] of workflow [{workflow_id}]")

        def apply(snapshot: dict[str, Any]) -> None:
            kept = [t for t in snapshot.get("tags", []) if tag_name(_tag(t)) != name]
            if kept:
                snapshot["tags"] = kept
            else:
                snapshot.pop("tags", None)

        change = {"deleted_tags": [name]}
        return await self._change_properties(workflow_id, change, caller, apply, "Deleted tag of")

    async def _change_properties(
        self,
        workflow_id: str,
        change: dict[str, Any],
        caller: UserRef,
        apply: Callable[[dict[str, Any]], None],
        verb: str,
    ) -> dict[str, Any]:
        async with self._lock(workflow_id):
            return await self._save_properties(workflow_id, change, caller, apply, verb)

    async def _save_properties(
        self,
        workflow_id: str,
        change: dict[str, Any],
        caller: UserRef,
        apply: Callable[[dict[str, Any]], None],
        verb: str,
    ) -> dict[str, Any]:
        for _ in range(_SAVE_ATTEMPTS):
            row = await self._store.get_workflow(workflow_id)
            if row is None:
                raise ValidationError(
                    f"Cannot update the properties of workflow [{workflow_id}], "
                    "please check if there exists this workflow"
                )
            now = max(self._clock.now_ms(), row.properties_snapshot["create_time"] + 1)
            plain = {k: v for k, v in change.items() if k in Properties.model_fields}
            snapshot = _merge_snapshot(row.properties_snapshot, plain, workflow_id, now, caller)
            apply(snapshot)
            record = PropertiesChange(
                workflow_id=workflow_id,
                create_time=now,
                author=_json_user(caller),
                properties_changes=change,
                previous_snapshot=row.properties_snapshot,
            )
            log = f"{verb} the properties of workflow [{workflow_id}]"
            try:
                await self._store.update_properties(
                    workflow_id,
                    snapshot=snapshot,
                    change=record,
                    expected_snapshot_time=row.properties_snapshot["create_time"],
                    timeline=[self._timeline(workflow_id, caller, log, now)],
                )
            except ConflictError:
                continue
            await self._sync_triggers(workflow_id)
            return snapshot
        raise ConflictError(f"the properties of [{workflow_id}] are changing concurrently; retry")

    async def activate(self, workflow_id: str, version: str, caller: UserRef) -> dict[str, Any]:
        row = await self._require_workflow(workflow_id)
        version_id = VersionSelector.parse(version).resolve(row)
        await self._require_version(workflow_id, version_id)
        now = self._clock.now_ms()
        message = (
            f"Caller [{user_name(caller)}] activates workflow version [{workflow_id}]"
            f"[{version_id}], previous active version is [{row.active_version_id}]"
        )
        if row.active_version_id != version_id:
            entry = self._timeline(workflow_id, caller, message, now)
            await self._store.set_active_version(
                workflow_id,
                version_id=version_id,
                activated_by=_json_user(caller),
                activate_time=now,
                timeline=[entry],
            )
        await self._sync_triggers(workflow_id)
        return self._action_response(workflow_id, version_id, "ACTIVATE", message, now)

    async def deactivate(self, workflow_id: str, caller: UserRef) -> dict[str, Any]:
        row = await self._require_workflow(workflow_id)
        now = self._clock.now_ms()
        if not row.active_version_id:
            message = f"Workflow [{workflow_id}] is already inactive"
        else:
            message = (
                f"Caller [{user_name(caller)}] deactivated workflow [{workflow_id}] whose last "
                f"active version is [{row.active_version_id}]"
            )
            entry = self._timeline(workflow_id, caller, message, now)
            await self._store.set_active_version(
                workflow_id, version_id=0, activated_by=None, activate_time=now, timeline=[entry]
            )
        await self._sync_triggers(workflow_id)
        return self._action_response(workflow_id, 0, "DEACTIVATE", message, now)

    async def delete(self, workflow_id: str, caller: UserRef) -> dict[str, Any]:
        await self._require_workflow(workflow_id)
        if not await self._store.delete_workflow(workflow_id):
            raise NotFoundError(f"Cannot find workflow [{workflow_id}]")
        return {
            "timestamp": self._clock.now_ms(),
            "type": "ACTION",
            "action": "DELETE",
            "author": _json_user(caller),
            "message": f"Caller [{user_name(caller)}] deleted workflow [{workflow_id}] "
            "with all its versions and data",
        }

    async def timeline(self, workflow_id: str) -> dict[str, Any]:
        await self._require_workflow(workflow_id)
        entries = await self._store.list_timeline(workflow_id, limit=TIMELINE_LIMIT)
        return {"workflow_id": workflow_id, "timeline_events": [e.event for e in entries]}

    async def _check_switch(self, workflow_id: str, strategy: RunStrategy) -> None:
        row = await self._store.get_workflow(workflow_id)
        if row is None:
            return
        problem = await switch_problem(
            self._store, workflow_id, strategy_of(row.properties_snapshot), strategy
        )
        if problem:
            raise ValidationError(problem, [f"properties.run_strategy: {problem}"])

    async def _sync_triggers(self, workflow_id: str) -> None:
        # The triggers follow the active version at once; if this fails, the scheduler's
        # periodic reconciliation catches up.
        try:
            await sync_triggers(self._store, self._clock, workflow_id)
        except MaestosoError:
            logger.exception("the triggers of [%s] could not be synced", workflow_id)

    async def _require_workflow(self, workflow_id: str) -> WorkflowRow:
        row = await self._store.get_workflow(workflow_id)
        if row is None:
            raise NotFoundError(f"Cannot find workflow [{workflow_id}]")
        return row

    async def _require_version(self, workflow_id: str, version_id: int) -> VersionRow:
        version = await self._store.get_version(workflow_id, version_id)
        if version is None:
            raise NotFoundError(f"Cannot find workflow [{workflow_id}] with version [{version_id}]")
        return version

    def _timeline(self, workflow_id: str, caller: UserRef, log: str, now: int) -> TimelineEntry:
        event = {"author": _json_user(caller), "log": log, "timestamp": now}
        return TimelineEntry(workflow_id=workflow_id, create_time=now, event=event)

    @staticmethod
    def _action_response(
        workflow_id: str, version_id: int, action: str, message: str, now: int
    ) -> dict[str, Any]:
        return {
            "workflow_id": workflow_id,
            "workflow_version_id": version_id,
            "timeline_event": {
                "timestamp": now,
                "type": "ACTION",
                "action": action,
                "message": message,
            },
        }


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


def _merge_snapshot(
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


def _check_resets(change: dict[str, Any], resets: dict[str, Any]) -> None:
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


def _tag(value: Any) -> Tag | str:
    return value if isinstance(value, str) else Tag.model_validate(value)


def _enriched_extras(workflow: dict[str, Any], now: int) -> dict[str, Any]:
    extras: dict[str, Any] = next_execution_extras(workflow, now)
    if workflow.get("params"):
        extras["workflow_params"] = workflow["params"]
    return extras
