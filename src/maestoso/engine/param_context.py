"""The engine's side of ``maestoso.params``: an ``InstanceContext`` over a run being executed.

Steps read the instance's fields and the params of the run's other steps through it
(``params.getFromStep``, ``step__param``). Signals, foreach iterations and subworkflows are
not kept by the engine yet, so asking for them is an error that names what is missing.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from maestoso.params import Parameter, StepSnapshot
from maestoso.store.records import InstanceRow, StepAttemptRow

_unique = itertools.count(int.from_bytes(os.urandom(4), "big") << 20)


def parameters(stored: Mapping[str, Mapping[str, Any]] | None) -> dict[str, Parameter]:
    """Evaluated params as stored (JSON) → ``Parameter`` values."""
    return {name: Parameter.from_json(name, data) for name, data in (stored or {}).items()}


def _name(owner: Any) -> Any:
    """A stored owner is a name or a user object (``{"name": …, <auth info>}``)."""
    return owner.get("name") if isinstance(owner, dict) else owner


def results_of(stored: Mapping[str, Mapping[str, Any]] | None) -> dict[str, Any]:
    """Evaluated params as stored → name → evaluated result."""
    return {name: param.get("evaluated_result") for name, param in (stored or {}).items()}


def snapshot(row: StepAttemptRow) -> StepSnapshot:
    return StepSnapshot(
        status=row.status,
        params=parameters(row.document.get("params")),
        end_time=row.runtime_state.get("end_time"),
    )


@dataclass(slots=True)
class RunContext:
    """The instance a run belongs to, and (for a step) the step being evaluated."""

    instance: InstanceRow
    steps: Callable[[str], StepAttemptRow | None] = lambda _: None
    current_step: Mapping[str, Any] | None = None

    def instance_field(self, name: str) -> Any:
        row = self.instance
        initiator = row.initiator
        fields: dict[str, Any] = {
            "workflow_id": row.workflow_id,
            "workflow_instance_id": row.instance_id,
            "workflow_run_id": row.run_id,
            "owner": _name((row.document.get("run_properties") or {}).get("owner")),
            "INITIATOR_TYPE": initiator.get("type"),
            "INITIATOR_TIMEZONE": initiator.get("timezone"),
            "RUN_POLICY": (row.document.get("run_config") or {}).get("policy"),
            "INITIATOR_RUNNER_NAME": initiator.get("user"),
        }
        return fields.get(name)

    def step_field(self, name: str) -> Any:
        if self.current_step is None:
            raise KeyError(f"[{name}] is a step field and these are workflow params")
        return self.current_step[name]

    def step(self, step_id: str) -> StepSnapshot | None:
        row = self.steps(step_id)
        return snapshot(row) if row is not None else None

    def signal_param(self, signal: str | None, param: str) -> Any:
        raise KeyError(f"no signal [{signal}] started this run")

    def signal_dependency_param(self, index: int, param: str) -> Any:
        raise KeyError(f"this step has no signal dependency [{index}]")

    def foreach_param(self, foreach_step_id: str, step_id: str, param: str) -> list[Any]:
        raise KeyError(f"no foreach step [{foreach_step_id}] has run in this instance")

    def subworkflow_param(self, subworkflow_step_id: str, step_id: str, param: str) -> Any:
        raise KeyError(f"no subworkflow step [{subworkflow_step_id}] has run in this instance")

    def next_unique_id(self) -> int:
        return next(_unique)

    def execution_environment(self) -> str:
        return os.environ.get("MAESTOSO_ENVIRONMENT", "local")
