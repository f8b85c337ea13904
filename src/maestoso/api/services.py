"""Dependencies that hand the routers their services from the application state."""

from __future__ import annotations

from typing import cast

from fastapi import Request

from maestoso.engine.node import EngineNode
from maestoso.engine.reads.instances import InstanceReader
from maestoso.engine.reads.logs import StepLogs
from maestoso.engine.services.instances import InstanceService
from maestoso.engine.services.workflows import WorkflowService
from maestoso.errors import NotFoundError, PlatformError
from maestoso.triggers.signals import SignalService


async def workflow_service(request: Request) -> WorkflowService:
    return cast(WorkflowService, request.app.state.services.workflows)


async def instance_reader(request: Request) -> InstanceReader:
    return cast(InstanceReader, request.app.state.services.instances)


async def instance_service(request: Request) -> InstanceService:
    return cast(InstanceService, request.app.state.services.actions)


async def step_logs(request: Request) -> StepLogs:
    logs = request.app.state.services.logs
    if logs is None:
        raise NotFoundError("Step logs are not kept by this server")
    return cast(StepLogs, logs)


async def signal_service(request: Request) -> SignalService:
    service = getattr(request.app.state.services, "signals", None)
    if service is None:
        raise PlatformError("signals are not served by this server")
    return cast(SignalService, service)


async def engine_node(request: Request) -> EngineNode:
    node = request.app.state.services.node
    if node is None:
        raise PlatformError("this server runs no engine")
    return cast(EngineNode, node)
