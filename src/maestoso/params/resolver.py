"""Maestro's ``params.*`` helpers for a running instance, answered through its context."""

from __future__ import annotations

from typing import Any

from maestoso.params.context import InstanceContext
from maestoso.sel import SelError

STEP_STATUS = "MAESTRO_STEP_STATUS"
STEP_END_TIME = "MAESTRO_STEP_END_TIME"
INSTANCE_FIELDS = frozenset(
    {
        "workflow_id",
        "workflow_instance_id",
        "workflow_run_id",
        "INITIATOR_TIMEZONE",
        "INITIATOR_TYPE",
        "INITIATOR_RUNNER_NAME",
        "RUN_POLICY",
    }
)
# Readable only while the workflow's own params are evaluated.
WORKFLOW_ONLY_FIELDS = frozenset({"owner", "FIRST_TIME_TRIGGER_TIMEZONE"})
STEP_FIELDS = frozenset(
    {
        "step_id",
        "step_instance_id",
        "step_instance_uuid",
        "step_attempt_id",
        "step_type_info",
        "MAESTRO_STEP_ERROR_RETRIES",
    }
)
_VALIDATION = "MaestroValidationException"


def _invalid(message: str) -> SelError:
    return SelError(message, kind=_VALIDATION)


class InstanceParamsResolver:
    """A :class:`maestoso.sel.ParamsResolver` over an :class:`InstanceContext`.

    ``in_step`` says whether a step's params are being evaluated: ``getFromStep('field')``
    exists only there, and ``owner``/``FIRST_TIME_TRIGGER_TIMEZONE`` only outside.
    """

    def __init__(self, context: InstanceContext, *, in_step: bool) -> None:
        self.context = context
        self.in_step = in_step

    def get_from_step(self, step_id: str, param: str) -> object:
        step = self.context.step(step_id)
        if step is None:
            raise _invalid(f"Step [{step_id}] is not found in the workflow")
        if param == STEP_STATUS:
            return step.status
        if param == STEP_END_TIME:
            if step.end_time is None:
                raise _invalid(f"Step [{step_id}] has no end time yet")
            return step.end_time
        if param not in step.params:
            raise _invalid(
                f"Param [{param}] of step [{step_id}] is not found or not evaluated yet "
                "(a step can only read the params of its upstream steps)"
            )
        return step.params[param].evaluated_result

    def get_step_field(self, field: str) -> object:
        if not self.in_step:
            raise _invalid(f"getFromStep('{field}') can only be used in step params")
        if field not in STEP_FIELDS:
            raise _invalid(f"Invalid field [{field}] for getFromStep")
        return self.context.step_field(field)

    def get_from_instance(self, field: str) -> object:
        allowed = field in INSTANCE_FIELDS or (field in WORKFLOW_ONLY_FIELDS and not self.in_step)
        if not allowed:
            raise _invalid(f"Invalid field [{field}] for getFromInstance")
        value: Any = self.context.instance_field(field)
        return "" if value is None else value

    def get_from_signal(self, signal: str | None, param: str) -> object:
        return self.context.signal_param(signal, param)

    def get_from_signal_dependency(self, index: str, param: str) -> object:
        return self.context.signal_dependency_param(int(index), param)

    def get_from_foreach(self, foreach_step_id: str, step_id: str, param: str) -> object:
        return self.context.foreach_param(foreach_step_id, step_id, param)

    def get_from_subworkflow(self, subworkflow_step_id: str, step_id: str, param: str) -> object:
        return self.context.subworkflow_param(subworkflow_step_id, step_id, param)

    def next_unique_id(self) -> int:
        return self.context.next_unique_id()

    def get_execution_environment(self) -> str:
        return self.context.execution_environment()
