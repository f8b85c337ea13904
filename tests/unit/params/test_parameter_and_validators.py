"""The Parameter's JSON shape, restart definitions, and validators."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.params.helpers import NOW, clock, defs

from maestoso.models import ParamMode, ParamType
from maestoso.params import ParamError, Parameter, evaluate_params
from maestoso.params.parameter import derived
from maestoso.params.validators import check


def test_json_shape_and_key_order() -> None:
    params = evaluate_params(
        defs(p={"type": "STRING", "expression": "1 + 1", "validator": "@NotEmpty",
                "tags": ["t"], "mode": "MUTABLE", "source": "DEFINITION"}),
        clock=clock(),
    )  # fmt: skip
    body = params["p"].to_json()
    assert list(body) == [
        "expression", "type", "validator", "tags", "mode",
        "evaluated_result", "evaluated_time", "source", "info",
    ]  # fmt: skip
    assert body["evaluated_result"] == "2" and body["evaluated_time"] == NOW
    assert body["info"].endswith("class java.lang.Long")
    again = Parameter.from_json("p", body)
    assert again.to_json() == body
    assert again.meta["source"] == "DEFINITION"


def test_from_json_needs_the_evaluated_fields_and_a_valid_definition() -> None:
    with pytest.raises(ParamError, match="evaluated result and evaluated time should be set"):
        Parameter.from_json("p", {"type": "LONG", "value": 1})
    with pytest.raises(ParamError, match=r"Param \[p\] has an invalid definition"):
        Parameter.from_json(
            "p", {"type": "LONG", "value": "x", "evaluated_result": 1, "evaluated_time": 1}
        )
    bare = Parameter.from_json(
        "p", {"type": "LONG", "mode": "MUTABLE", "evaluated_result": 1, "evaluated_time": 1}
    )
    assert bare.type is ParamType.LONG and bare.mode is ParamMode.MUTABLE


def test_to_definition_keeps_the_result_unless_immutable() -> None:
    params = evaluate_params(
        defs(
            m={"type": "MAP", "expression": "m = new HashMap(); m.put('a', 1); m.put('b', "
               "new String[]{'x'}); m.put('c', new HashMap()); m;"},
            n={"type": "MAP", "value": {"k": {"type": "LONG", "expression": "2"}}},
            i={"type": "LONG", "expression": "3", "mode": "IMMUTABLE"},
        ),
        clock=clock(),
    )  # fmt: skip
    m = params["m"].to_definition()
    assert m.expression is None
    assert {k: (v.type, v.value) for k, v in m.value.items() if k != "c"} == {
        "a": (ParamType.LONG, 1),
        "b": (ParamType.STRING_ARRAY, ["x"]),
    }
    assert m.value["c"].type is ParamType.MAP
    n = params["n"].to_definition()
    assert n.value["k"].value == 2 and n.value["k"].expression is None
    assert params["i"].to_definition().expression == "3"
    assert derived("e", []).type is ParamType.STRING_ARRAY
    assert derived("d", [1.5]).type is ParamType.DOUBLE_ARRAY


@pytest.mark.parametrize(
    ("validator", "value"),
    [
        ("@NotNull", 0),
        ("@NotEmpty", "a"),
        ("@NotEmpty", [1]),
        ("@Positive", 1),
        ("@Min(0)", 0),
        ("@Max(5)", 5.0),
        ("@NotNull @Max(3)", 2),
        ("param != null && param.length() > 1", "ab"),
        ("  ", 1),
    ],
)
def test_validators_accept(validator: str, value: Any) -> None:
    check("p", validator, value)


@pytest.mark.parametrize(
    ("validator", "value", "message"),
    [
        ("@NotNull", None, "Param [p] must not be null (validator [@NotNull], value [None])"),
        ("@NotEmpty", "", "Param [p] must not be empty"),
        ("@NotEmpty", {}, "Param [p] must not be empty"),
        ("@Positive", 0, "Param [p] must be greater than 0"),
        ("@Positive", "5", "Param [p] must be greater than 0"),
        ("@Min(2)", 1, "Param [p] must be greater than or equal to 2"),
        ("@Max(2)", 3, "Param [p] must be less than or equal to 2"),
        ("@NotNull @Max(2)", 3, "Param [p] must be less than or equal to 2"),
        ("@Min(x)", 3, "Invalid validator @Min(x): its bound is not a number"),
        ("@Email", "a", "Param [p] has an unknown validator [@Email]"),
        ("param > 5", 3, "Param [p] with value [3] does not satisfy its validator [param > 5]"),
    ],
)
def test_validators_reject(validator: str, value: Any, message: str) -> None:
    with pytest.raises(ParamError) as raised:
        check("p", validator, value)
    assert message in raised.value.message


def test_validators_run_after_evaluation() -> None:
    with pytest.raises(ParamError, match=r"Param \[a\] must be greater than 0"):
        evaluate_params(defs(a={"type": "LONG", "expression": "0", "validator": "@Positive"}),
                        clock=clock())  # fmt: skip


@pytest.mark.parametrize("validator", ["param.foo(", "param != null && param.size() > 2"])
def test_validators_that_cannot_run_are_not_enforced(validator: str) -> None:
    # Maestro never runs validators, so a definition may carry one that cannot run on its
    # value (arrays have no size()); it must not fail the param.
    check("p", validator, [1, 2, 3])
