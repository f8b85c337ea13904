"""The ``workflow`` object of a definition."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from pydantic import AfterValidator, Field

from maestoso.models.base import CaseInsensitiveEnum, MaestroModel
from maestoso.models.durations import ParsableLong
from maestoso.models.naming import FIELD_SIZE_LIMIT, check_name, check_workflow_id
from maestoso.models.params import ParamMap
from maestoso.models.steps import Step, StepBox, unbox
from maestoso.models.triggers import SignalTrigger, TimeTrigger
from maestoso.models.users import TagList

STEP_LIMIT = 300
DEPTH_LIMIT = 10
INSTANCE_STEP_CONCURRENCY_MAX = 1000
DEFAULT_WORKFLOW_TIMEOUT_SECS = 10 * 86_400
TIMEOUT_MAX_SECS = 120 * 86_400


class Criticality(CaseInsensitiveEnum):
    CRITICAL = "CRITICAL"
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"


WorkflowId = Annotated[str, AfterValidator(check_workflow_id)]


class Workflow(MaestroModel):
    id: WorkflowId
    name: Annotated[str, AfterValidator(check_name)] | None = None
    description: str | None = Field(default=None, max_length=FIELD_SIZE_LIMIT)
    tags: TagList | None = None
    timeout: ParsableLong | None = None
    time_triggers: list[TimeTrigger] | None = None
    signal_triggers: list[SignalTrigger] | None = None
    criticality: Criticality | None = None
    instance_step_concurrency: int | None = Field(
        default=None, ge=1, le=INSTANCE_STEP_CONCURRENCY_MAX
    )
    params: ParamMap | None = None
    steps: list[StepBox] = Field(min_length=1)

    def top_steps(self) -> list[Step]:
        return [unbox(box) for box in self.steps]

    def all_steps(self) -> Iterator[Step]:
        """Every step, nested ones included, depth first."""
        stack = list(reversed(self.top_steps()))
        while stack:
            step = stack.pop()
            yield step
            stack.extend(unbox(child) for child in reversed(step.children))
