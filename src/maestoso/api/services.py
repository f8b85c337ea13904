"""Dependencies that hand the routers their services from the application state."""

from __future__ import annotations

from typing import cast

from fastapi import Request

from maestoso.engine.instance_reads import InstanceReader
from maestoso.engine.instances import InstanceService
from maestoso.engine.workflows import WorkflowService


def workflow_service(request: Request) -> WorkflowService:
    return cast(WorkflowService, request.app.state.services.workflows)


def instance_reader(request: Request) -> InstanceReader:
    return cast(InstanceReader, request.app.state.services.instances)


def instance_service(request: Request) -> InstanceService:
    return cast(InstanceService, request.app.state.services.actions)
