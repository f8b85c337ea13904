"""Steps: the typed leaf step and the foreach, while, subworkflow and template steps.

On the wire each step is wrapped in an object whose single key names its kind
(``{"step": {...}}``, ``{"foreach": {...}}``…); the ``*Box`` models are those wrappers.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Discriminator, Field, Tag, model_validator

from maestoso.models.base import CaseInsensitiveEnum, MaestroModel
from maestoso.models.durations import ParsableLong
from maestoso.models.naming import FIELD_SIZE_LIMIT, check_name, check_step_id
from maestoso.models.params import ParamMap
from maestoso.models.retry import RetryPolicy
from maestoso.models.signals import SignalDependencyDefinition, SignalOutputDefinition
from maestoso.models.users import TagList

FOREACH_CONCURRENCY_MAX = 500


class StepType(CaseInsensitiveEnum):
    NOOP = "NoOp"
    SLEEP = "Sleep"
    TITUS = "Titus"
    NOTEBOOK = "Notebook"
    KUBERNETES = "Kubernetes"
    HTTP = "Http"
    SHELL = "Shell"
    PYTHON = "Python"
    JOIN = "Join"
    FOREACH = "foreach"
    WHILE = "while"
    SUBWORKFLOW = "subworkflow"
    TEMPLATE = "template"


LEAF_STEP_TYPES = frozenset(
    {
        StepType.NOOP,
        StepType.SLEEP,
        StepType.TITUS,
        StepType.NOTEBOOK,
        StepType.KUBERNETES,
        StepType.HTTP,
        StepType.SHELL,
        StepType.PYTHON,
    }
)

PLUGIN_STEP_TYPE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,127}")
"""The shape of a step type that a plugin provides (whether one does is the server's to say)."""


def _step_type(value: Any) -> Any:
    """A built-in step type (in any case, as Maestro's mapper reads it), else a plugin's
    name, kept as written."""
    if not isinstance(value, str):
        return value
    try:
        return StepType(value)
    except ValueError:
        if PLUGIN_STEP_TYPE.fullmatch(value) is None:
            raise ValueError(
                f"invalid step type [{value[:140]}]: a built-in step type or a plugin's, "
                "letters, digits, '_', '.' or '-' starting with a letter"
            ) from None
        return value


StepKind = Annotated[StepType | str, BeforeValidator(_step_type)]
"""A step's type: a ``StepType`` member, or the name of a plugin's step type."""


class FailureMode(CaseInsensitiveEnum):
    FAIL_AFTER_RUNNING = "FAIL_AFTER_RUNNING"
    FAIL_IMMEDIATELY = "FAIL_IMMEDIATELY"
    IGNORE_FAILURE = "IGNORE_FAILURE"


def _condition_text(value: Any) -> Any:
    # Maestro's mapper coerces scalars to strings, so `"job.2": true` means the condition "true".
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


class StepTransition(MaestroModel):
    """Outgoing edges (``successors``: step id → SEL condition) and the derived predecessors."""

    predecessors: list[str] | None = None
    successors: dict[str, Annotated[str, BeforeValidator(_condition_text)]] | None = None


StepId = Annotated[str, AfterValidator(check_step_id)]
StepName = Annotated[str, AfterValidator(check_name)]


class AbstractStep(MaestroModel):
    id: StepId
    name: StepName | None = None
    description: str | None = Field(default=None, max_length=FIELD_SIZE_LIMIT)
    transition: StepTransition = Field(default_factory=StepTransition)

    @property
    def successors(self) -> dict[str, str]:
        return self.transition.successors or {}

    @property
    def kind(self) -> StepType | str:
        raise NotImplementedError

    @property
    def children(self) -> list[StepBox]:
        return []


class TypedStep(AbstractStep):
    type: StepKind
    sub_type: str | None = None
    sub_type_version: str | None = None
    failure_mode: FailureMode | None = None
    retry_policy: RetryPolicy | None = None
    tags: TagList | None = None
    timeout: ParsableLong | None = None
    signal_dependencies: list[SignalDependencyDefinition] | None = None
    signal_outputs: list[SignalOutputDefinition] | None = None
    params: ParamMap | None = None

    @property
    def kind(self) -> StepType | str:
        return self.type

    @model_validator(mode="after")
    def _leaf_type(self) -> TypedStep:
        if isinstance(self.type, StepType) and self.type not in LEAF_STEP_TYPES:
            raise ValueError(
                f"type [{self.type.value}] is not a typed step; use the [{self.type.value}] wrapper"
                if self.type is not StepType.JOIN
                else "type [Join] is internal and cannot be defined"
            )
        return self


class ForeachStep(AbstractStep):
    failure_mode: FailureMode | None = None
    tags: TagList | None = None
    timeout: ParsableLong | None = None
    concurrency: int | None = Field(default=None, ge=1, le=FOREACH_CONCURRENCY_MAX)
    strict_ordering: bool | None = None
    signal_dependencies: list[SignalDependencyDefinition] | None = None
    signal_outputs: list[SignalOutputDefinition] | None = None
    params: ParamMap | None = None
    steps: list[StepBox] = Field(min_length=1)

    @property
    def kind(self) -> StepType:
        return StepType.FOREACH

    @property
    def children(self) -> list[StepBox]:
        return self.steps


class WhileStep(AbstractStep):
    failure_mode: FailureMode | None = None
    tags: TagList | None = None
    timeout: ParsableLong | None = None
    condition: str = Field(min_length=1)
    signal_dependencies: list[SignalDependencyDefinition] | None = None
    signal_outputs: list[SignalOutputDefinition] | None = None
    params: ParamMap | None = None
    steps: list[StepBox] = Field(min_length=1)

    @property
    def kind(self) -> StepType:
        return StepType.WHILE

    @property
    def children(self) -> list[StepBox]:
        return self.steps


class SubworkflowStep(AbstractStep):
    sync: bool | None = None
    explicit_params: bool | None = None
    failure_mode: FailureMode | None = None
    tags: TagList | None = None
    timeout: ParsableLong | None = None
    signal_dependencies: list[SignalDependencyDefinition] | None = None
    signal_outputs: list[SignalOutputDefinition] | None = None
    params: ParamMap | None = None

    @property
    def kind(self) -> StepType:
        return StepType.SUBWORKFLOW


class TemplateStep(AbstractStep):
    failure_mode: FailureMode | None = None
    sub_type: str | None = None
    tags: TagList | None = None
    timeout: ParsableLong | None = None
    signal_dependencies: list[SignalDependencyDefinition] | None = None
    signal_outputs: list[SignalOutputDefinition] | None = None
    params: ParamMap | None = None

    @property
    def kind(self) -> StepType:
        return StepType.TEMPLATE


Step = TypedStep | ForeachStep | WhileStep | SubworkflowStep | TemplateStep


class TypedStepBox(MaestroModel):
    step: TypedStep


class ForeachStepBox(MaestroModel):
    foreach: ForeachStep


class WhileStepBox(MaestroModel):
    while_: WhileStep = Field(alias="while")


class SubworkflowStepBox(MaestroModel):
    subworkflow: SubworkflowStep


class TemplateStepBox(MaestroModel):
    template: TemplateStep


_BOX_KEYS = ("step", "foreach", "while", "subworkflow", "template")


def _box_key(value: Any) -> str | None:
    if isinstance(value, MaestroModel):
        return _BOX_CLASS_KEYS.get(type(value))
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        if key in _BOX_KEYS:
            return str(key)
    return None


_BOX_CLASS_KEYS: dict[type, str] = {
    TypedStepBox: "step",
    ForeachStepBox: "foreach",
    WhileStepBox: "while",
    SubworkflowStepBox: "subworkflow",
    TemplateStepBox: "template",
}

StepBox = Annotated[
    Annotated[TypedStepBox, Tag("step")]
    | Annotated[ForeachStepBox, Tag("foreach")]
    | Annotated[WhileStepBox, Tag("while")]
    | Annotated[SubworkflowStepBox, Tag("subworkflow")]
    | Annotated[TemplateStepBox, Tag("template")],
    Discriminator(
        _box_key,
        custom_error_type="step_wrapper",
        custom_error_message="a step must be an object with exactly one key: "
        "step, foreach, while, subworkflow or template",
    ),
]


def unbox(box: Any) -> Step:
    """The step inside a wrapper."""
    if isinstance(box, TypedStepBox):
        return box.step
    if isinstance(box, ForeachStepBox):
        return box.foreach
    if isinstance(box, WhileStepBox):
        return box.while_
    if isinstance(box, SubworkflowStepBox):
        return box.subworkflow
    if isinstance(box, TemplateStepBox):
        return box.template
    raise TypeError(f"not a step wrapper: {type(box).__name__}")


def box_key(box: Any) -> str:
    """The wrapper key of a boxed step (``step``, ``foreach``…)."""
    key = _box_key(box)
    if key is None:
        raise TypeError(f"not a step wrapper: {type(box).__name__}")
    return key


for _model in (ForeachStep, WhileStep, ForeachStepBox, WhileStepBox):
    _model.model_rebuild()
