"""Requests that start instances (``WorkflowStartRequest``) and their initiators."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from maestoso.models.base import CaseInsensitiveEnum, MaestroModel, OpenMaestroModel
from maestoso.models.params import ParamMap
from maestoso.models.users import TagList


class InitiatorType(CaseInsensitiveEnum):
    MANUAL = "MANUAL"
    SUBWORKFLOW = "SUBWORKFLOW"
    FOREACH = "FOREACH"
    WHILE = "WHILE"
    TEMPLATE = "TEMPLATE"
    TIME = "TIME"
    SIGNAL = "SIGNAL"


class Initiator(OpenMaestroModel):
    """Who or what starts a run; extra keys depend on the type (``user``, ``trigger_uuid``…)."""

    type: InitiatorType


class WorkflowStartRequest(MaestroModel):
    initiator: Initiator
    request_time: int | None = Field(default=None, ge=0)
    request_id: str | None = None
    runtime_tags: TagList | None = None
    run_params: ParamMap | None = None
    artifacts: dict[str, Any] | None = None
    persist_failed_run: bool = False

    @field_validator("request_id")
    @classmethod
    def _uuid(cls, value: str | None) -> str | None:
        if value is not None:
            import uuid

            try:
                return str(uuid.UUID(value))
            except ValueError:
                raise ValueError(f"[{value}] is not a UUID") from None
        return value
