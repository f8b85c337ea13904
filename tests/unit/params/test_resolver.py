"""The params.* helpers answered through an InstanceContext."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.params.helpers import NOW, defs

from maestoso.params import InstanceParamsResolver, Parameter, StepSnapshot
from maestoso.params.context import StaticContext
from maestoso.sel import SelError, evaluate


class RecordingContext:
    """A hand-written InstanceContext: each answer is fixed, each call recorded."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        out = Parameter("out", defs(out={"type": "LONG", "value": 1})["out"], 42, NOW)
        self.steps = {"up": StepSnapshot("SUCCEEDED", {"out": out}, end_time=NOW)}

    def _record(self, name: str, *args: Any) -> None:
        self.calls.append((name, args))

    def instance_field(self, name: str) -> Any:
        self._record("instance_field", name)
        return {"workflow_id": "wf", "owner": "me", "RUN_POLICY": None}.get(name)

    def step_field(self, name: str) -> Any:
        self._record("step_field", name)
        return {"step_id": "s1", "step_attempt_id": 2}[name]

    def step(self, step_id: str) -> StepSnapshot | None:
        return self.steps.get(step_id)

    def signal_param(self, signal: str | None, param: str) -> Any:
        self._record("signal_param", signal, param)
        return f"{signal}:{param}"

    def signal_dependency_param(self, index: int, param: str) -> Any:
        self._record("signal_dependency_param", index, param)
        return index * 10

    def foreach_param(self, foreach_step_id: str, step_id: str, param: str) -> list[Any]:
        return [1, 2, 3]

    def subworkflow_param(self, subworkflow_step_id: str, step_id: str, param: str) -> Any:
        return f"{subworkflow_step_id}/{step_id}/{param}"

    def next_unique_id(self) -> int:
        return 77

    def execution_environment(self) -> str:
        return "prod"


def _eval(expression: str, *, in_step: bool = True) -> Any:
    resolver = InstanceParamsResolver(RecordingContext(), in_step=in_step)
    return evaluate(expression, params=resolver).value


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("params.getFromStep('up', 'out');", 42),
        ("params.getFromStep('up', 'MAESTRO_STEP_STATUS');", "SUCCEEDED"),
        ("params.getFromStep('up', 'MAESTRO_STEP_END_TIME');", NOW),
        ("params.getFromStep('step_attempt_id');", 2),
        ("params.getFromInstance('workflow_id');", "wf"),
        ("params.getFromInstance('RUN_POLICY');", ""),
        ("params.getFromSignal('sig', 'p');", "sig:p"),
        ("params.getFromSignal('p');", "None:p"),
        ("params.getFromSignalDependency('2', 'p');", 20),
        ("params.getFromForeach('loop', 'inner', 'x');", [1, 2, 3]),
        ("params.getFromSubworkflow('sub', 'inner', 'x');", "sub/inner/x"),
        ("params.nextUniqueId();", 77),
        ("params.getExecutionEnvironment();", "prod"),
    ],
)
def test_helpers_delegate_to_the_context(expression: str, expected: Any) -> None:
    assert _eval(expression) == expected


def test_owner_is_readable_only_in_workflow_params() -> None:
    assert _eval("params.getFromInstance('owner');", in_step=False) == "me"
    with pytest.raises(SelError, match=r"Invalid field \[owner\] for getFromInstance"):
        _eval("params.getFromInstance('owner');")


@pytest.mark.parametrize(
    ("expression", "in_step", "message"),
    [
        ("params.getFromStep('nope', 'x');", True, "Step [nope] is not found"),
        ("params.getFromStep('up', 'missing');", True, "Param [missing] of step [up] is not"),
        ("params.getFromStep('step_id');", False, "can only be used in step params"),
        ("params.getFromStep('bogus');", True, "Invalid field [bogus] for getFromStep"),
        ("params.getFromInstance('bogus');", True, "Invalid field [bogus]"),
    ],
)
def test_helper_errors(expression: str, in_step: bool, message: str) -> None:
    with pytest.raises(SelError) as raised:
        _eval(expression, in_step=in_step)
    assert message in raised.value.message


def test_a_missing_end_time_is_an_error() -> None:
    context = RecordingContext()
    context.steps["up"] = StepSnapshot("RUNNING")
    resolver = InstanceParamsResolver(context, in_step=True)
    with pytest.raises(SelError, match="has no end time yet"):
        evaluate("params.getFromStep('up', 'MAESTRO_STEP_END_TIME');", params=resolver)


def test_static_context_answers_from_plain_data() -> None:
    context = StaticContext(
        instance={"workflow_id": "w"},
        current_step={"step_id": "s"},
        signals={"sig": {"p": 1}},
        signal_dependencies=[{"p": 2}],
        foreach={("f", "i", "p"): [3]},
        subworkflows={("s", "i", "p"): 4},
    )
    assert context.instance_field("workflow_id") == "w"
    assert context.step_field("step_id") == "s"
    assert context.step("x") is None
    assert context.signal_param("sig", "p") == 1
    assert context.signal_dependency_param(0, "p") == 2
    assert context.foreach_param("f", "i", "p") == [3]
    assert context.subworkflow_param("s", "i", "p") == 4
    assert [context.next_unique_id(), context.next_unique_id()] == [1, 2]
    assert context.execution_environment() == "test"
    with pytest.raises(KeyError):
        StaticContext().step_field("step_id")
