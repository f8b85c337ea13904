"""A step's signal dependencies (what it waits for) and signal outputs (what it announces)."""

from __future__ import annotations

from pydantic import Field

from maestoso.models.base import MaestroModel
from maestoso.models.params import ParamDefinition, ParamMap
from maestoso.models.triggers import SignalOperator


class SignalMatchParamDefinition(MaestroModel):
    param: ParamDefinition
    operator: SignalOperator


class SignalDependencyDefinition(MaestroModel):
    name: str = Field(min_length=1)
    match_params: dict[str, SignalMatchParamDefinition] | None = None


class SignalOutputDefinition(MaestroModel):
    name: str = Field(min_length=1)
    params: ParamMap | None = None
    payload: ParamMap | None = None
