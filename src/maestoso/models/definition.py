"""Create requests and stored definitions (``WorkflowCreateRequest``, ``WorkflowDefinition``)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from maestoso.models.base import MaestroModel, OpenMaestroModel
from maestoso.models.properties import Properties, PropertiesSnapshot
from maestoso.models.users import UserRef
from maestoso.models.workflow import Workflow

METADATA_RESERVED_KEYS = frozenset(
    {"workflow_id", "workflow_version_id", "git_info", "version_author", "create_time"}
)


class GitInfo(MaestroModel):
    origin: str | None = None
    branch: str | None = None
    sha: str | None = None
    path: str | None = None
    author: str | None = None
    timestamp: int | None = None
    uncommitted_changes: bool | None = None


class WorkflowCreateRequest(OpenMaestroModel):
    """``POST /api/v3/workflows``. Unknown top-level keys become metadata."""

    properties: Properties | None = None
    workflow: Workflow
    is_active: bool = True
    git_info: GitInfo | None = None

    @model_validator(mode="after")
    def _metadata_keys(self) -> WorkflowCreateRequest:
        reserved = sorted(METADATA_RESERVED_KEYS & self.extras.keys())
        if reserved:
            raise ValueError(f"extra info must not contain the reserved keys {reserved}")
        return self


class Metadata(OpenMaestroModel):
    workflow_id: str
    workflow_version_id: int
    create_time: int
    version_author: UserRef | None = None
    git_info: GitInfo | None = None


class WorkflowDefinition(MaestroModel):
    """One version as the API returns it."""

    properties_snapshot: PropertiesSnapshot
    metadata: Metadata
    workflow: Workflow
    is_active: bool
    activate_time: int | None = None
    activated_by: UserRef | None = None
    is_latest: bool
    is_default: bool
    internal_id: int
    enriched_extras: dict[str, Any] | None = Field(default=None)
    modify_time: int
