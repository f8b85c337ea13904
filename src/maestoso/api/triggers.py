"""Workflow trigger actions: backfilling a past range of a workflow's time triggers."""

from __future__ import annotations

from typing import Any, cast

from fastapi import APIRouter, Request

from maestoso.api.bodies import json_body
from maestoso.errors import PlatformError
from maestoso.triggers.backfill import BackfillService

router = APIRouter(prefix="/api/v3/workflows", tags=["workflow actions"])


@router.post(
    "/{workflow_id}/actions/backfill",
    summary="Start the runs the active time triggers would have started between start_time "
    "and end_time (epoch ms); dry_run lists them only",
)
async def backfill(workflow_id: str, request: Request) -> dict[str, Any]:
    service = getattr(request.app.state.services, "backfill", None)
    if service is None:
        raise PlatformError("backfill is not served by this server")
    body = await json_body(request)
    return await cast(BackfillService, service).backfill(workflow_id, body)
