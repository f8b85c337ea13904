"""Evaluation of a scope in dependency order: bindings, cycles, steps, nested maps."""

from __future__ import annotations

import json

import pytest
from tests.corpus import require, shared_dir
from tests.unit.params.helpers import NOW, clock, defs

from maestoso.models import WorkflowCreateRequest
from maestoso.params import (
    ParamError,
    StaticContext,
    StepSnapshot,
    evaluate_params,
    evaluate_workflow_params,
)
from maestoso.params.parameter import Parameter


def _param(name: str, value: object) -> Parameter:
    definition = defs(**{name: {"type": "STRING", "value": "x"}})[name]
    return Parameter(name, definition, value, NOW)


def test_params_are_evaluated_after_what_they_read_in_any_order() -> None:
    params = evaluate_params(
        defs(
            c={"type": "LONG", "expression": "b * 10"},
            b={"type": "LONG", "expression": "a + 1"},
            a={"type": "LONG", "value": 1},
            d={"type": "LONG", "expression": "params.get('c') + params['a']"},
            e={"type": "STRING", "expression": "x = 'k'; x + c"},
        ),
        clock=clock(),
    )
    assert list(params) == ["c", "b", "a", "d", "e"]
    assert [params[n].evaluated_result for n in "cbade"] == [20, 2, 1, 21, "k20"]
    assert all(p.evaluated_time == NOW for p in params.values())


@pytest.mark.parametrize(
    ("params", "chain"),
    [
        ({"a": "b", "b": "a"}, "a -> b -> a"),
        ({"a": "b", "b": "c", "c": "b"}, "b -> c -> b"),
        ({"a": "a + 1"}, "a -> a"),
        ({"a": "params.get('b')", "b": "params['a']"}, "a -> b -> a"),
    ],
)
def test_a_cycle_names_its_chain(params: dict[str, str], chain: str) -> None:
    definitions = defs(**{n: {"type": "LONG", "expression": e} for n, e in params.items()})
    with pytest.raises(ParamError) as raised:
        evaluate_params(definitions, clock=clock(), label="workflow [w]")
    assert raised.value.message == f"param cycle: {chain} (in workflow [w])"


def test_a_cycle_through_interpolation_is_found() -> None:
    definitions = defs(a={"type": "STRING", "value": "$b"}, b={"type": "STRING", "value": "$a"})
    with pytest.raises(ParamError, match=r"param cycle: a -> b -> a"):
        evaluate_params(definitions, clock=clock())


def test_expression_errors_name_the_param() -> None:
    with pytest.raises(ParamError, match=r"Param \[a\] has an invalid expression"):
        evaluate_params(defs(a={"type": "LONG", "expression": "1 +"}), clock=clock())
    with pytest.raises(ParamError, match=r"Param \[a\] failed to evaluate: .*Invalid return type"):
        evaluate_params(defs(a={"type": "LONG", "expression": "int x = 1"}), clock=clock())
    with pytest.raises(ParamError, match=r"Param \[a\] is expected to be a Long compatible"):
        evaluate_params(defs(a={"type": "LONG", "expression": "1.5"}), clock=clock())


def test_map_params_evaluate_their_entries_recursively() -> None:
    params = evaluate_params(
        defs(
            base={"type": "LONG", "value": 2},
            m={
                "type": "MAP",
                "value": {
                    "x": {"type": "LONG", "expression": "base * 2"},
                    "s": {"type": "STRING", "value": "v$base"},
                    "inner": {"type": "MAP", "value": {"y": {"type": "DOUBLE", "value": 1}}},
                },
            },
        ),
        clock=clock(),
    )
    assert params["m"].evaluated_result == {"x": 4, "s": "v2", "inner": {"y": 1.0}}


def test_map_entry_validators_are_checked() -> None:
    definitions = defs(
        m={"type": "MAP", "value": {"x": {"type": "LONG", "value": -1, "validator": "@Min(0)"}}}
    )
    with pytest.raises(ParamError, match=r"Param \[m.x\] must be greater than or equal to 0"):
        evaluate_params(definitions, clock=clock())


def test_workflow_params_read_signal_params_through_the_separator() -> None:
    context = StaticContext(signals={"sig": {"p": 7}})
    params = evaluate_params(
        defs(a={"type": "LONG", "expression": "sig__p + 1"}), clock=clock(), context=context
    )
    assert params["a"].evaluated_result == 8
    with pytest.raises(ParamError, match=r"Failed to evaluate the param .*\[nosig__p\]"):
        evaluate_params(defs(a={"type": "LONG", "expression": "nosig__p"}), clock=clock())


def test_step_scope_binding_order() -> None:
    workflow = {"w": _param("w", "W"), "shared": _param("shared", "from workflow")}
    upstream = StepSnapshot("SUCCEEDED", {"out": _param("out", "O")})
    context = StaticContext(
        steps={"up": upstream, "down": StepSnapshot()}, signals={"sg": {"q": 1}}
    )
    params = evaluate_params(
        defs(
            a={"type": "STRING", "expression": "w + b"},
            b={"type": "STRING", "value": "B"},
            c={"type": "STRING", "expression": "up__out + s1__a + sg__q"},
            shared={"type": "STRING", "expression": "shared + '!'"},
            d={"type": "STRING", "expression": "params['w'] + params.get('b')"},
        ),
        clock=clock(),
        context=context,
        step_id="s1",
        workflow_params=workflow,
    )
    assert params["a"].evaluated_result == "WB"
    assert params["c"].evaluated_result == "OWB1"
    assert params["shared"].evaluated_result == "from workflow!"
    assert params["d"].evaluated_result == "WB"


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("nope", "Cannot find the referenced param [nope] in step [s1] or upstream steps"),
        ("s1__nope", "Param [a] referenced a non-existing param [s1__nope] in step [s1]"),
        ("down__x", "Referenced param [x] in step [down] is not evaluated yet"),
    ],
)
def test_step_scope_unknown_references(expression: str, message: str) -> None:
    context = StaticContext(steps={"down": StepSnapshot()})
    with pytest.raises(ParamError) as raised:
        evaluate_params(
            defs(a={"type": "STRING", "expression": expression}),
            clock=clock(),
            context=context,
            step_id="s1",
        )
    assert message in raised.value.message


def test_a_step_id_ending_in_underscore_is_told_apart() -> None:
    one = StepSnapshot("SUCCEEDED", {"foo": _param("foo", "one")})
    context = StaticContext(steps={"step_": one})
    params = evaluate_params(
        defs(a={"type": "STRING", "expression": "step___foo"}),
        clock=clock(),
        context=context,
        step_id="s",
    )
    assert params["a"].evaluated_result == "one"
    both = StaticContext(steps={"step_": one, "step": one})
    with pytest.raises(ParamError, match="ambiguous"):
        evaluate_params(
            defs(a={"type": "STRING", "expression": "step___foo"}),
            clock=clock(),
            context=both,
            step_id="s",
        )


def test_validators_can_be_switched_off() -> None:
    definitions = defs(a={"type": "LONG", "value": -1, "validator": "@Positive"})
    with pytest.raises(ParamError):
        evaluate_params(definitions, clock=clock())
    params = evaluate_params(definitions, clock=clock(), check_validators=False)
    assert params["a"].evaluated_result == -1


def test_sample_dag_test_1_param_foo_is_september() -> None:
    folder = require(shared_dir() / "maestro-samples")
    raw = json.loads((folder / "sample-dag-test-1.json").read_text())
    workflow = WorkflowCreateRequest.model_validate(raw).workflow
    context = StaticContext(instance={"owner": "tester", "workflow_id": workflow.id})
    params = evaluate_workflow_params(
        workflow.params, clock=clock(), context=context, workflow_id=workflow.id
    )
    assert params["foo"].evaluated_result == "September"
    assert params["foo"].to_json()["source"] == "DEFINITION"
