"""Maestoso's vocabulary: Maestro's definitions, params, statuses and events as typed models.

Pure and dependency-free beyond pydantic, so the SDK can use it too.
"""

from __future__ import annotations

from maestoso.models.base import CaseInsensitiveEnum, MaestroModel, OpenMaestroModel
from maestoso.models.definition import (
    GitInfo,
    Metadata,
    WorkflowCreateRequest,
    WorkflowDefinition,
)
from maestoso.models.durations import ParsableLong, duration_millis, is_param_reference, seconds_of
from maestoso.models.params import ParamDefinition, ParamMap, ParamMode, ParamType
from maestoso.models.properties import (
    Alerting,
    Properties,
    PropertiesSnapshot,
    PropertiesUpdate,
    RunStrategy,
    RunStrategyRule,
)
from maestoso.models.retry import RetryPolicy
from maestoso.models.steps import (
    FailureMode,
    ForeachStep,
    Step,
    StepBox,
    StepTransition,
    StepType,
    SubworkflowStep,
    TemplateStep,
    TypedStep,
    WhileStep,
    box_key,
    unbox,
)
from maestoso.models.timeline import ActionEvent, WorkflowAction, WorkflowTimelineEntry
from maestoso.models.triggers import (
    CronTimeTrigger,
    IntervalTimeTrigger,
    PredefinedTimeTrigger,
    SignalTrigger,
    TimeTrigger,
)
from maestoso.models.users import Tag, TagList, User, UserRef, tag_name, user_name
from maestoso.models.workflow import Criticality, Workflow

__all__ = [
    "ActionEvent",
    "Alerting",
    "CaseInsensitiveEnum",
    "Criticality",
    "CronTimeTrigger",
    "FailureMode",
    "ForeachStep",
    "GitInfo",
    "IntervalTimeTrigger",
    "MaestroModel",
    "Metadata",
    "OpenMaestroModel",
    "ParamDefinition",
    "ParamMap",
    "ParamMode",
    "ParamType",
    "ParsableLong",
    "PredefinedTimeTrigger",
    "Properties",
    "PropertiesSnapshot",
    "PropertiesUpdate",
    "RetryPolicy",
    "RunStrategy",
    "RunStrategyRule",
    "SignalTrigger",
    "Step",
    "StepBox",
    "StepTransition",
    "StepType",
    "SubworkflowStep",
    "Tag",
    "TagList",
    "TemplateStep",
    "TimeTrigger",
    "TypedStep",
    "User",
    "UserRef",
    "WhileStep",
    "Workflow",
    "WorkflowAction",
    "WorkflowCreateRequest",
    "WorkflowDefinition",
    "WorkflowTimelineEntry",
    "box_key",
    "duration_millis",
    "is_param_reference",
    "seconds_of",
    "tag_name",
    "unbox",
    "user_name",
]
