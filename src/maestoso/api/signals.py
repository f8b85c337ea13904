"""Signals (Maestro's ``SignalController``): announce one, read one back. No ``user`` header."""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Request

from maestoso.api.bodies import caller, json_body
from maestoso.api.services import signal_service
from maestoso.engine.services.bypass import StepBypass
from maestoso.errors import PlatformError
from maestoso.models import UserRef
from maestoso.triggers.signals import SignalService

router = APIRouter(prefix="/api/v3/signals", tags=["signals"])

Service = Annotated[SignalService, Depends(signal_service)]
Caller = Annotated[UserRef, Depends(caller)]


@router.post(
    "",
    summary="Announce a signal; keys other than name, params, request_id and "
    "request_time become its payload",
)
async def announce(request: Request, service: Service) -> dict[str, Any]:
    stored = await service.announce(await json_body(request))
    return stored.to_json()


@router.get(
    "/{name:path}/instances/{seq}",
    summary="A signal instance by its sequence id, or the latest (seq = latest)",
)
async def instance(name: str, seq: str, service: Service) -> dict[str, Any]:
    return (await service.get(name, seq)).to_json()


steps = APIRouter(prefix="/api/v3/workflows", tags=["step actions"])


@steps.put(
    "/{workflow_id}/instances/{instance_id}/steps/{step_id}/actions/bypass",
    summary="Bypass the signal dependencies of a step waiting for signals",
)
async def bypass(
    workflow_id: str,
    instance_id: int,
    step_id: str,
    request: Request,
    user: Caller,
    blocking: bool = True,
) -> dict[str, Any]:
    service = getattr(request.app.state.services, "bypass", None)
    if service is None:
        raise PlatformError("step actions are not served by this server")
    return await cast(StepBypass, service).bypass(
        workflow_id, instance_id, step_id, user, blocking=blocking
    )
