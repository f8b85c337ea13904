"""Dependencies that hand the routers their services from the application state."""

from __future__ import annotations

from typing import cast

from fastapi import Request

from maestoso.engine.workflows import WorkflowService


def workflow_service(request: Request) -> WorkflowService:
    return cast(WorkflowService, request.app.state.services.workflows)
