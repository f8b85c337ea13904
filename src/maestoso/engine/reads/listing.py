"""Listing workflows and recent runs across workflows (Maestoso's extensions of the API).

A page is ``{"elements": [...], "cursor": "<opaque>" | null}``: pass ``cursor`` back to read
the next page; null means there is none. Owner and tag filters apply to the rows each read
returns, so a filtered page may need several reads to fill (bounded by ``_MAX_READS``) and
can come back short with a cursor to go on from.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from maestoso.errors import ValidationError
from maestoso.models.statuses import WorkflowStatus
from maestoso.store.sql.listing import (
    RunKey,
    RunListRow,
    SqlListing,
    TriggerListRow,
    WorkflowListRow,
)

PAGE_SIZE_DEFAULT = 50
PAGE_SIZE_MAX = 200
_MAX_READS = 20
_STORED_STATUSES = {"FAILED": ("FAILED", "FAILED_1", "FAILED_2")}


class ListingService:
    def __init__(self, listing: SqlListing) -> None:
        self._listing = listing

    @classmethod
    def for_store(cls, store: object) -> ListingService | None:
        """The service over ``store``; None when it is not a SQL store (the API then says
        listings are not served)."""
        listing = SqlListing.of(store)
        return None if listing is None else cls(listing)

    async def workflows(
        self,
        *,
        q: str | None = None,
        owner: str | None = None,
        tag: str | None = None,
        first: int | None = None,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        _check_text(q=q, owner=owner, tag=tag)
        limit = _page_size(first)
        after = _decode(cursor, str)
        found: list[dict[str, Any]] = []
        for _ in range(_MAX_READS):
            rows = await self._listing.workflows(contains=q, after=after, limit=limit)
            for row in rows:
                after = row.workflow_id
                if _matches(row, owner, tag):
                    found.append(_workflow_json(row))
                    if len(found) == limit:
                        return await self._with_next_fires(found, after)
            if len(rows) < limit:
                return await self._with_next_fires(found, None)
        return await self._with_next_fires(found, after)

    async def _with_next_fires(self, found: list[dict[str, Any]], after: Any) -> dict[str, Any]:
        fires = await self._listing.next_fires([element["workflow_id"] for element in found])
        for element in found:
            element["next_trigger_time"] = fires.get(element["workflow_id"])
        return _page(found, after)

    async def instances(
        self,
        *,
        workflow_id: str | None = None,
        status: str | None = None,
        first: int | None = None,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        _check_text(workflow_id=workflow_id)
        limit = _page_size(first)
        before = _key(cursor)
        rows = await self._listing.runs(
            workflow_id=workflow_id, statuses=_statuses(status), before=before, limit=limit
        )
        last = rows[-1] if len(rows) == limit else None
        next_key = [last.create_ts, last.workflow_id, last.instance_id] if last else None
        return _page([_run_json(row) for row in rows], next_key)

    async def signals(
        self, *, first: int | None = None, cursor: str | None = None
    ) -> dict[str, Any]:
        limit = _page_size(first)
        rows = await self._listing.signals(before=_key(cursor), limit=limit)
        last = rows[-1] if len(rows) == limit else None
        next_key = [last["create_time"], last["name"], last["seq_id"]] if last else None
        return _page(rows, next_key)

    async def triggers(self, workflow_id: str) -> dict[str, Any]:
        _check_text(workflow_id=workflow_id)
        rows = await self._listing.triggers(workflow_id)
        return {"elements": [_trigger_json(row) for row in rows]}


def _check_text(**values: str | None) -> None:
    # PostgreSQL refuses NUL in text; refused here, it is the caller's error on both dialects
    bad = [name for name, value in values.items() if value is not None and "\x00" in value]
    if bad:
        raise ValidationError(
            f"query parameter [{bad[0]}] contains a NUL character",
            [f"{name}: must not contain NUL" for name in bad],
        )


def _key(cursor: str | None) -> RunKey | None:
    """A cursor of runs or signals: ``[create_ts, workflow id or name, instance or seq id]``."""
    raw = _decode(cursor, list)
    if raw is None:
        return None
    created, workflow_id, instance_id = raw
    if not (isinstance(created, int) and isinstance(workflow_id, str) and type(instance_id) is int):
        raise _bad_cursor(cursor)
    return created, workflow_id, instance_id


def _bad_cursor(cursor: str | None) -> ValidationError:
    return ValidationError(
        f"invalid cursor [{cursor}]", [f"cursor: [{cursor}] is not a cursor of this listing"]
    )


def _page_size(first: int | None) -> int:
    size = PAGE_SIZE_DEFAULT if first is None else first
    if not 1 <= size <= PAGE_SIZE_MAX:
        raise ValidationError(
            f"page size must be between 1 and {PAGE_SIZE_MAX}, got {size}",
            [f"first: [{size}] must be between 1 and {PAGE_SIZE_MAX}"],
        )
    return size


def _statuses(status: str | None) -> tuple[str, ...]:
    if status is None:
        return ()
    try:
        parsed = WorkflowStatus(status.upper())
    except ValueError:
        allowed = ", ".join(s.value for s in WorkflowStatus)
        raise ValidationError(
            f"unknown status [{status}]", [f"status: [{status}] is not one of {allowed}"]
        ) from None
    return _STORED_STATUSES.get(parsed.value, (parsed.value,))


def _page(elements: list[dict[str, Any]], next_key: Any) -> dict[str, Any]:
    cursor = None
    if next_key is not None:
        cursor = base64.urlsafe_b64encode(json.dumps(next_key).encode()).decode()
    return {"elements": elements, "cursor": cursor}


def _decode(cursor: str | None, kind: type) -> Any:
    if not cursor:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        value = None
    if not isinstance(value, kind) or (isinstance(value, list) and len(value) != 3):
        raise _bad_cursor(cursor)
    return value


def _tags(row: WorkflowListRow) -> list[str]:
    names = []
    for source in (row.properties.get("tags"), row.definition.get("tags")):
        for tag in source or []:
            name = tag.get("name") if isinstance(tag, dict) else tag
            if isinstance(name, str) and name not in names:
                names.append(name)
    return names


def _matches(row: WorkflowListRow, owner: str | None, tag: str | None) -> bool:
    if owner is not None and _owner(row) != owner:
        return False
    return tag is None or tag in _tags(row)


def _owner(row: WorkflowListRow) -> str | None:
    owner = row.properties.get("owner")
    return owner.get("name") if isinstance(owner, dict) else owner


def _workflow_json(row: WorkflowListRow) -> dict[str, Any]:
    return {
        "workflow_id": row.workflow_id,
        "name": row.definition.get("name"),
        "description": row.definition.get("description"),
        "owner": _owner(row),
        "tags": _tags(row),
        "active_version_id": row.active_version_id,
        "latest_version_id": row.latest_version_id,
        "latest_instance_id": row.latest_instance_id,
        "modify_time": row.modify_ts,
    }


def _run_json(row: RunListRow) -> dict[str, Any]:
    return {
        "workflow_id": row.workflow_id,
        "workflow_instance_id": row.instance_id,
        "workflow_run_id": row.run_id,
        "workflow_version_id": row.version_id,
        "status": WorkflowStatus.from_stored(row.status).value,
        "initiator": row.initiator,
        "create_time": row.create_ts,
        "start_time": row.start_ts,
        "end_time": row.end_ts,
    }


def _trigger_json(row: TriggerListRow) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "trigger_uuid": row.trigger_uuid,
        "definition": row.definition,
        "next_fire_time": row.next_fire_ts,
    }
