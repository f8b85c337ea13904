"""What the API answers, as typed models.

They keep every key the server sends (``extra="allow"``): Maestro's documents are large and
grow, and a client must not break when the server learns a new field. The fields declared
are the ones a script or the command line reads.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from maestoso.models.statuses import StepStatus, WorkflowStatus

T = TypeVar("T")


class Answer(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class StartResponse(Answer):
    workflow_id: str
    workflow_version_id: int
    workflow_instance_id: int
    workflow_run_id: int
    workflow_uuid: str
    status: WorkflowStatus


class WorkflowInstance(Answer):
    """One run of an instance (the latest unless a run was asked for)."""

    workflow_id: str
    workflow_instance_id: int
    workflow_run_id: int
    workflow_version_id: int
    status: WorkflowStatus
    create_time: int | None = None
    start_time: int | None = None
    end_time: int | None = None
    runtime_dag: dict[str, Any] = {}
    params: dict[str, Any] = {}

    @property
    def succeeded(self) -> bool:
        return self.status is WorkflowStatus.SUCCEEDED


class StepRuntimeState(Answer):
    status: StepStatus
    start_time: int | None = None
    end_time: int | None = None


class StepAttempt(Answer):
    workflow_id: str
    workflow_instance_id: int
    workflow_run_id: int
    step_id: str
    step_attempt_id: int
    step_instance_id: int = 0
    runtime_state: StepRuntimeState
    timeline: list[dict[str, Any]] = []
    artifacts: dict[str, Any] = {}
    definition: dict[str, Any] = {}

    @property
    def status(self) -> StepStatus:
        return self.runtime_state.status


class WorkflowDefinition(Answer):
    """A stored version: ``workflow`` (the definition), ``metadata``, ``properties_snapshot``."""

    workflow: dict[str, Any]
    metadata: dict[str, Any]
    properties_snapshot: dict[str, Any] = {}
    is_active: bool | None = None

    @property
    def workflow_id(self) -> str:
        return str(self.workflow["id"])

    @property
    def version_id(self) -> int:
        return int(self.metadata["workflow_version_id"])


class WorkflowSummary(Answer):
    workflow_id: str
    owner: str | None = None
    name: str | None = None
    description: str | None = None
    tags: list[str] = []
    active_version_id: int = 0
    latest_version_id: int = 0
    latest_instance_id: int = 0
    modify_time: int | None = None


class InstanceSummary(Answer):
    workflow_id: str
    workflow_instance_id: int
    workflow_run_id: int
    workflow_version_id: int
    status: WorkflowStatus
    create_time: int | None = None
    start_time: int | None = None
    end_time: int | None = None


class Page(Answer, Generic[T]):
    """One page of a listing; ``cursor`` reads the next one (None on the last page)."""

    elements: list[T] = Field(default_factory=list)
    cursor: str | None = None
