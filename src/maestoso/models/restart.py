"""Requests that restart instances and steps."""

from __future__ import annotations

from pydantic import Field

from maestoso.models.base import CaseInsensitiveEnum, MaestroModel
from maestoso.models.params import ParamMap


class RestartPolicy(CaseInsensitiveEnum):
    RESTART_FROM_INCOMPLETE = "RESTART_FROM_INCOMPLETE"
    RESTART_FROM_BEGINNING = "RESTART_FROM_BEGINNING"
    RESTART_FROM_SPECIFIC = "RESTART_FROM_SPECIFIC"


class UpstreamRestartMode(CaseInsensitiveEnum):
    RESTART_FROM_STEP = "RESTART_FROM_STEP"
    RESTART_FROM_INLINE_ROOT = "RESTART_FROM_INLINE_ROOT"


class WorkflowInstanceRestartRequest(MaestroModel):
    restart_policy: RestartPolicy
    run_params: ParamMap | None = None
    request_id: str | None = None
    request_time: int | None = Field(default=None, ge=0)


class StepInstanceRestartRequest(MaestroModel):
    restart_policy: RestartPolicy
    """What happens downstream of the restarted step."""
    step_run_params: ParamMap | None = None
    upstream_restart_mode: UpstreamRestartMode | None = None
    request_id: str | None = None
    request_time: int | None = Field(default=None, ge=0)
