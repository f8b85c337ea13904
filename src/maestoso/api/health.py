"""Liveness and readiness probes.

``/healthz`` answers as long as the process serves requests: it reads nothing, so a
database outage never makes an orchestrator restart a healthy process. ``/readyz`` says
whether this process can serve the API now: the database answers ``SELECT 1`` within a
short timeout and its schema is at the migration head this code expects.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from maestoso.store import database_problems

router = APIRouter(include_in_schema=False)

READY_TIMEOUT_SECONDS = 2.0


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    store: Any = getattr(request.app.state, "store", None)
    if store is None:
        problems = ["the store is not open yet"]
    else:
        try:
            problems = await asyncio.wait_for(database_problems(store), READY_TIMEOUT_SECONDS)
        except TimeoutError:
            problems = [f"the database did not answer within {READY_TIMEOUT_SECONDS:g} s"]
    if problems:
        body = {
            "status": "SERVICE_UNAVAILABLE",
            "message": f"not ready: {problems[0]}",
            "errors": problems,
            "retryable": True,
        }
        return JSONResponse(status_code=503, content=body)
    return JSONResponse({"status": "ok"})
