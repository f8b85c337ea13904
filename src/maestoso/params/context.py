"""What the params layer needs to know about a running instance: the ``InstanceContext``.

The engine implements this Protocol over its stored instance and step instances; the params
layer only reads through it. :class:`StaticContext` is a plain-data implementation for dry
runs, the CLI and tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from maestoso.params.parameter import Parameter


@dataclass(frozen=True, slots=True)
class StepSnapshot:
    """One step of the current workflow instance as other steps' params see it.

    ``params`` holds the step's evaluated params (empty until the step has started);
    ``status`` is its step instance status name (``NOT_CREATED``, ``SUCCEEDED``...).
    """

    status: str = "NOT_CREATED"
    params: Mapping[str, Parameter] = field(default_factory=dict)
    end_time: int | None = None


class InstanceContext(Protocol):
    """Read access to the instance whose params are being evaluated.

    Every method may raise ``KeyError`` (or any exception) for something that does not
    exist; the resolver turns it into the expression's error.
    """

    def instance_field(self, name: str) -> Any:
        """A workflow instance field: ``owner``, ``workflow_id``, ``workflow_instance_id``,
        ``workflow_run_id``, ``INITIATOR_TIMEZONE``, ``INITIATOR_TYPE``, ``RUN_POLICY``,
        ``INITIATOR_RUNNER_NAME`` or ``FIRST_TIME_TRIGGER_TIMEZONE``; None when unset."""
        ...

    def step_field(self, name: str) -> Any:
        """A field of the step being evaluated: ``step_id``, ``step_instance_id``,
        ``step_instance_uuid``, ``step_attempt_id``, ``step_type_info`` or
        ``MAESTRO_STEP_ERROR_RETRIES``. Raises when params are not a step's."""
        ...

    def step(self, step_id: str) -> StepSnapshot | None:
        """A step of this workflow instance, or None when the workflow has no such step
        (a ``signal__param`` reference is then read from the signal instead)."""
        ...

    def signal_param(self, signal: str | None, param: str) -> Any:
        """A param of the named trigger signal, or of the triggering signal when None."""
        ...

    def signal_dependency_param(self, index: int, param: str) -> Any:
        """A param of the current step's ``index``-th signal dependency."""
        ...

    def foreach_param(self, foreach_step_id: str, step_id: str, param: str) -> list[Any]:
        """An inner step's param across a foreach's iterations (index = iteration - 1)."""
        ...

    def subworkflow_param(self, subworkflow_step_id: str, step_id: str, param: str) -> Any:
        """A step param inside the instance a subworkflow step started."""
        ...

    def next_unique_id(self) -> int:
        """A new id from a sequence shared by the whole deployment."""
        ...

    def execution_environment(self) -> str:
        """The deployment's environment name (``prod``, ``test``...)."""
        ...


@dataclass
class StaticContext:
    """An :class:`InstanceContext` over plain data (dry runs, the CLI, tests)."""

    instance: Mapping[str, Any] = field(default_factory=dict)
    current_step: Mapping[str, Any] | None = None
    steps: Mapping[str, StepSnapshot] = field(default_factory=dict)
    signals: Mapping[str | None, Mapping[str, Any]] = field(default_factory=dict)
    signal_dependencies: list[Mapping[str, Any]] = field(default_factory=list)
    foreach: Mapping[tuple[str, str, str], list[Any]] = field(default_factory=dict)
    subworkflows: Mapping[tuple[str, str, str], Any] = field(default_factory=dict)
    environment: str = "test"
    last_id: int = 0

    def instance_field(self, name: str) -> Any:
        return self.instance.get(name)

    def step_field(self, name: str) -> Any:
        if self.current_step is None:
            raise KeyError("not in a step")
        return self.current_step[name]

    def step(self, step_id: str) -> StepSnapshot | None:
        return self.steps.get(step_id)

    def signal_param(self, signal: str | None, param: str) -> Any:
        return self.signals[signal][param]

    def signal_dependency_param(self, index: int, param: str) -> Any:
        return self.signal_dependencies[index][param]

    def foreach_param(self, foreach_step_id: str, step_id: str, param: str) -> list[Any]:
        return list(self.foreach[foreach_step_id, step_id, param])

    def subworkflow_param(self, subworkflow_step_id: str, step_id: str, param: str) -> Any:
        return self.subworkflows[subworkflow_step_id, step_id, param]

    def next_unique_id(self) -> int:
        self.last_id += 1
        return self.last_id

    def execution_environment(self) -> str:
        return self.environment
