"""Signals (Maestro's ``SignalController``): announce one, read one back. No ``user`` header."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from maestoso.api.bodies import json_body
from maestoso.api.services import signal_service
from maestoso.triggers.signals import SignalService

router = APIRouter(prefix="/api/v3/signals", tags=["signals"])

Service = Annotated[SignalService, Depends(signal_service)]


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
