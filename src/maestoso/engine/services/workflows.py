"""Workflow definitions: create versions, read them, change properties, activate, delete.

Versions are immutable. Properties are not versioned with them: each change is merged onto
the current snapshot and kept as history.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from maestoso.alerting.facts import StatusFacts
from maestoso.clock import Clock
from maestoso.dsl.loading import check_request
from maestoso.dsl.validation import ValidationSettings
from maestoso.engine.lru import Lru
from maestoso.engine.reads.pagination import PageRequest, page_result
from maestoso.engine.services.enrichment import enriched_params
from maestoso.engine.services.strategies import strategy_of, switch_problem
from maestoso.engine.services.workflow_documents import (
    VersionSelector,
    check_resets,
    definition_body,
    enriched_extras,
    json_user,
    merge_snapshot,
    new_version,
    tag_of,
    timeline_entry,
)
from maestoso.engine.templates import JobTemplates
from maestoso.errors import ConflictError, MaestosoError, NotFoundError, ValidationError
from maestoso.models import (
    Properties,
    PropertiesUpdate,
    RunStrategy,
    Tag,
    UserRef,
    Workflow,
    WorkflowCreateRequest,
    user_name,
)
from maestoso.models.properties import DEFAULT_STEP_CONCURRENCY
from maestoso.models.users import TagNamespace, tag_name
from maestoso.store.port import Store
from maestoso.store.records import PropertiesChange, VersionRow, WorkflowRow
from maestoso.triggers.subscriptions import sync_triggers

TIMELINE_LIMIT = 300
_SAVE_ATTEMPTS = 5

logger = logging.getLogger(__name__)


VERSIONS_CACHED = 256


class WorkflowService:
    """The use cases of workflow definitions, over the store."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        validation: ValidationSettings | None = None,
        templates: JobTemplates | None = None,
        facts: StatusFacts | None = None,
    ) -> None:
        self._store = store
        self._facts = facts or StatusFacts(enabled=False)
        self._clock = clock
        self._validation = validation or ValidationSettings()
        self._templates = templates or JobTemplates(store, cache_seconds=0)
        # Writers of one workflow take turns inside a node; across nodes the store's
        # compare-and-set (and the retry below) keeps versions and snapshots consistent.
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        # Versions never change: each is read once, keyed by its workflow's incarnation (a
        # workflow deleted and created again has a new internal id).
        self._versions: Lru[tuple[str, int, int], VersionRow] = Lru(VERSIONS_CACHED)

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
            new = new_version(request, caller, current, self._clock.now_ms())
            facts = self._facts.version_created(workflow_id, new.version_id, new.create_time)
            new = replace(new, events=facts)
            try:
                row = await self._store.save_version(new)
            except ConflictError:
                continue  # another version was saved meanwhile; number ours after it
            if facts:
                self._facts.committed()
            version = await self._require_version(workflow_id, new.version_id)
            await self._sync_triggers(workflow_id)
            return definition_body(row, version)
        raise ConflictError(f"workflow [{workflow_id}] is being changed concurrently; retry")

    async def get_definition(
        self, workflow_id: str, version: str, *, enriched: bool = False
    ) -> dict[str, Any]:
        row = await self._require_workflow(workflow_id)
        version_id = VersionSelector.parse(version).resolve(row)
        key = (workflow_id, row.internal_id, version_id)
        stored = self._versions.get(key) or self._versions.put(
            key, await self._require_version(workflow_id, version_id)
        )
        body = definition_body(row, stored)
        if enriched:
            workflow = Workflow.model_validate(body["workflow"])
            params = await enriched_params(workflow, self._templates)
            body["enriched_extras"] = enriched_extras(
                body["workflow"], self._clock.now_ms(), params
            )
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
                return merge_snapshot(
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
        check_resets(change, resets)
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
            tags = [t for t in snapshot.get("tags", []) if tag_name(tag_of(t)) != tag.name]
            snapshot["tags"] = [*tags, added]

        change = {"tags": [added]}
        return await self._change_properties(workflow_id, change, caller, apply, "Added tag to")

    async def delete_tag(self, workflow_id: str, name: str, caller: UserRef) -> dict[str, Any]:
        row = await self._require_workflow(workflow_id)
        names = [tag_name(tag_of(t)) for t in row.properties_snapshot.get("tags", [])]
        if name not in names:
            raise NotFoundError(f"Cannot find tag [{name}] of workflow [{workflow_id}]")

        def apply(snapshot: dict[str, Any]) -> None:
            kept = [t for t in snapshot.get("tags", []) if tag_name(tag_of(t)) != name]
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
            snapshot = merge_snapshot(row.properties_snapshot, plain, workflow_id, now, caller)
            apply(snapshot)
            record = PropertiesChange(
                workflow_id=workflow_id,
                create_time=now,
                author=json_user(caller),
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
                    timeline=[timeline_entry(workflow_id, caller, log, now)],
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
            entry = timeline_entry(workflow_id, caller, message, now)
            await self._store.set_active_version(
                workflow_id,
                version_id=version_id,
                activated_by=json_user(caller),
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
            entry = timeline_entry(workflow_id, caller, message, now)
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
            "author": json_user(caller),
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
