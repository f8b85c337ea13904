"""Maestoso's listing extensions: ``GET /api/v3/workflows``, ``/api/v3/instances``,
``/api/v3/signals`` and ``/api/v3/workflows/{id}/triggers``.

Maestro has none of them (it lists a workflow's instances only, and reads signals one by
one); the first three page with an opaque ``cursor`` and answer ``{"elements": [...],
"cursor": ... | null}``.
"""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Query, Request

from maestoso.engine.reads.listing import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, ListingService
from maestoso.errors import PlatformError

router = APIRouter(prefix="/api/v3", tags=["listings (Maestoso extensions)"])
JSON = dict[str, Any]

First = Annotated[
    int | None,
    Query(description=f"Page size, 1 to {PAGE_SIZE_MAX} [default {PAGE_SIZE_DEFAULT}]."),
]
Cursor = Annotated[str | None, Query(description="The cursor of the previous page.")]


def listing_service(request: Request) -> ListingService:
    service = getattr(request.app.state.services, "listing", None)
    if service is None:
        raise PlatformError("listings are not served by this server")
    return cast(ListingService, service)


Service = Annotated[ListingService, Depends(listing_service)]


@router.get(
    "/workflows",
    summary="Workflows by id, filtered by id text, owner or tag (extension)",
    description="Not in Maestro. Each element summarises a workflow: `workflow_id`, `name`, "
    "`owner`, `tags`, `active_version_id`, `latest_version_id`, `latest_instance_id`, "
    "`modify_time`, `next_trigger_time` (the earliest next fire of its time triggers, epoch "
    "ms, or null). `cursor` in the answer reads the next page; null on the last.",
)
async def list_workflows(
    service: Service,
    q: Annotated[str | None, Query(description="Text the workflow id contains.")] = None,
    owner: Annotated[str | None, Query(description="The owner's name.")] = None,
    tag: Annotated[str | None, Query(description="A tag of the workflow.")] = None,
    first: First = None,
    cursor: Cursor = None,
) -> JSON:
    return await service.workflows(q=q, owner=owner, tag=tag, first=first, cursor=cursor)


@router.get(
    "/instances",
    summary="Recent runs across workflows, newest first (extension)",
    description="Not in Maestro. The latest run of each instance, newest instance first, "
    "optionally of one workflow or in one status (FAILED includes unblocked and restarted "
    "failures).",
)
async def list_instances(
    service: Service,
    workflow_id: Annotated[str | None, Query(description="Only this workflow's runs.")] = None,
    status: Annotated[str | None, Query(description="Only runs in this status.")] = None,
    first: First = None,
    cursor: Cursor = None,
) -> JSON:
    return await service.instances(
        workflow_id=workflow_id, status=status, first=first, cursor=cursor
    )


@router.get(
    "/signals",
    summary="Recent signals across names, newest first (extension)",
    description="Not in Maestro. Each element is a signal instance as "
    "`GET /api/v3/signals/{name}/instances/{seq}` answers it.",
)
async def list_signals(service: Service, first: First = None, cursor: Cursor = None) -> JSON:
    return await service.signals(first=first, cursor=cursor)


@router.get(
    "/workflows/{workflow_id}/triggers",
    summary="The triggers of a workflow's active version, with next fire times (extension)",
    description="Not in Maestro. `elements`: each time trigger (`kind` time, its "
    "`definition`, `next_fire_time` in epoch ms or null when it fires no more), then each "
    "signal trigger (`kind` signal). Empty for an inactive workflow.",
)
async def list_triggers(service: Service, workflow_id: str) -> JSON:
    return await service.triggers(workflow_id)
