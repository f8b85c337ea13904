"""The engine's side of ``maestoso.params``: an ``InstanceContext`` over a run being executed.

Steps read the instance's fields and the params of the run's other steps through it
(``params.getFromStep``, ``step__param``), and the signals that triggered the run or matched
the step's dependencies (``params.getFromSignal…``, prefetched by ``engine.signals``). Foreach
iterations and subworkflows are not kept by the engine yet, so asking for them is an error
that names what is missing.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from maestoso.engine.runtime.signal_hub import SignalHub
from maestoso.models import ParamDefinition
from maestoso.params import StepSnapshot
from maestoso.sel import SelError, parse
from maestoso.sel.maestro import sanitize
from maestoso.store.port import InstanceStore
from maestoso.store.records import InstanceRow, StepAttemptRow

SIGNAL_DEPENDENCIES_KEY = "signal_dependencies"
"""The key of a step's matched signal dependencies in ``RunContext.current_step``."""

_unique = itertools.count(int.from_bytes(os.urandom(4), "big") << 20)


def _first_trigger_zone(row: InstanceRow) -> Any:
    """The time zone of the workflow's first cron time trigger (UTC when it names none)."""
    for trigger in row.record.runtime_workflow.get("time_triggers") or []:
        if str(trigger.get("type", "")).upper() == "CRON":
            return trigger.get("timezone") or "UTC"
    return None


def snapshot(row: StepAttemptRow) -> StepSnapshot:
    return StepSnapshot(
        status=row.status,
        params=row.record.params,
        end_time=row.runtime_state.get("end_time"),
    )


@dataclass(slots=True)
class RunContext:
    """The instance a run belongs to, and (for a step) the step being evaluated."""

    instance: InstanceRow
    steps: Callable[[str], StepAttemptRow | None] = lambda _: None
    current_step: Mapping[str, Any] | None = None
    nested: Mapping[tuple[str, ...], Any] = field(default_factory=dict)
    """Params of foreach iterations and subworkflow instances, read ahead (see
    ``read_nested``), since params are evaluated without waiting on the store."""
    signals: SignalHub | None = None
    """Where the params of the signals this run reads were fetched to."""

    def instance_field(self, name: str) -> Any:
        row = self.instance
        initiator = row.initiator
        fields: dict[str, Any] = {
            "workflow_id": row.workflow_id,
            "workflow_instance_id": row.instance_id,
            "workflow_run_id": row.run_id,
            "owner": row.record.run_properties.owner_name,
            "INITIATOR_TYPE": initiator.get("type"),
            "INITIATOR_TIMEZONE": initiator.get("timezone"),
            "FIRST_TIME_TRIGGER_TIMEZONE": _first_trigger_zone(row),
            "RUN_POLICY": row.record.run_config.policy,
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
        return self._signals().initiator_signal_param(self.instance.initiator, signal, param)

    def signal_dependency_param(self, index: int, param: str) -> Any:
        # The matched dependencies of the step being evaluated ({name, signal_id} each).
        matched = (self.current_step or {}).get(SIGNAL_DEPENDENCIES_KEY) or []
        if not 0 <= index < len(matched):
            raise KeyError(f"Signal dependency index is out of bound [{index} > {len(matched)}]")
        dependency = matched[index]
        return self._signals().signal_value(dependency["name"], dependency.get("signal_id"), param)

    def _signals(self) -> SignalHub:
        if self.signals is None:
            raise KeyError("signal params cannot be read here")
        return self.signals

    def foreach_param(self, foreach_step_id: str, step_id: str, param: str) -> list[Any]:
        key = (foreach_step_id, step_id, param)
        if key not in self.nested:
            raise KeyError(f"no foreach step [{foreach_step_id}] has run in this instance")
        return list(self.nested[key])

    def subworkflow_param(self, subworkflow_step_id: str, step_id: str, param: str) -> Any:
        key = ("subworkflow", subworkflow_step_id, step_id, param)
        if key not in self.nested:
            raise KeyError(f"no subworkflow step [{subworkflow_step_id}] has run in this instance")
        return self.nested[key]

    def next_unique_id(self) -> int:
        return next(_unique)

    def execution_environment(self) -> str:
        return os.environ.get("MAESTOSO_ENVIRONMENT", "local")


_NESTED_CALLS = ("getFromForeach", "getFromSubworkflow")


def nested_calls(expressions: Iterable[str]) -> list[tuple[str, tuple[str, str, str]]]:
    """The ``params.getFromForeach/getFromSubworkflow`` calls with literal arguments."""
    calls = []
    for text in expressions:
        if "getFrom" not in text:
            continue
        try:
            parsed = parse(sanitize(text))
        except SelError:
            continue  # reported when it is evaluated
        for call in parsed.params_calls:
            args = call.args
            if call.method in _NESTED_CALLS and len(args) == 3 and all(args):
                calls.append((call.method, (str(args[0]), str(args[1]), str(args[2]))))
    return calls


async def read_nested(
    store: InstanceStore,
    calls: list[tuple[str, tuple[str, str, str]]],
    step_row: Callable[[str], StepAttemptRow | None],
) -> dict[tuple[str, ...], Any]:
    """What the nested calls will ask for: each foreach iteration's (index = iteration - 1)
    or the subworkflow instance's value of a step param."""
    found: dict[tuple[str, ...], Any] = {}
    for method, (owner, step_id, param) in calls:
        row = step_row(owner)
        if row is None:
            continue
        if method == "getFromForeach":
            artifact = (row.artifacts or {}).get("maestro_foreach") or {}
            workflow_id = artifact.get("foreach_workflow_id")
            if workflow_id:
                total = int(artifact.get("total_loop_count", 0))
                found[(owner, step_id, param)] = [
                    await _param_of(store, (workflow_id, n, 1), step_id, param)
                    for n in range(1, total + 1)
                ]
        else:
            artifact = (row.artifacts or {}).get("maestro_subworkflow") or {}
            if artifact.get("subworkflow_id"):
                key = (
                    str(artifact["subworkflow_id"]),
                    int(artifact["subworkflow_instance_id"]),
                    int(artifact.get("subworkflow_run_id", 1)),
                )
                found[("subworkflow", owner, step_id, param)] = await _param_of(
                    store, key, step_id, param
                )
    return found


async def _param_of(
    store: InstanceStore, key: tuple[str, int, int], step_id: str, param: str
) -> Any:
    row = await store.get_step_attempt(*key, step_id)
    if row is None:
        return None
    return row.record.result(param)


def all_params(params: Mapping[str, ParamDefinition] | None) -> list[ParamDefinition]:
    """The params and the params nested in their maps, depth first."""
    found: list[ParamDefinition] = []
    for param in (params or {}).values():
        found.append(param)
        if isinstance(param.value, dict):
            found.extend(
                all_params({k: v for k, v in param.value.items() if isinstance(v, ParamDefinition)})
            )
    return found
