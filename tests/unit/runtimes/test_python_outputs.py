"""What a Python step's function gets and what its returned dict becomes."""

from __future__ import annotations

import pytest

from maestoso.runtimes.python import keyword_arguments, typed_outputs


def test_the_function_gets_the_step_s_own_params_only() -> None:
    params = {
        "entrypoint": "jobs.work:double",
        "working_dir": "/srv",
        "env": {"A": "b"},
        "interpreter": "python3",
        "step_id": "double",
        "workflow_instance_id": 1,
        "step_instance_uuid": "u",
        "step_attempt_id": 1,
        "n": 21,
        "names": ["a"],
    }
    assert keyword_arguments(params) == {"n": 21, "names": ["a"]}


def test_returned_values_are_typed_as_the_yaml_dsl_types_literals() -> None:
    returned = {
        "n": 42,
        "ratio": 0.5,
        "ok": True,
        "name": "x",
        "days": [20240101, 20240102],
        "labels": {"a": "b"},
        "nested": {"count": 2, "parts": ["p"], "inner": {"deep": 1.5}},
        "none": [],
    }
    outputs = typed_outputs(returned, {}, 1_000)
    assert outputs.error is None
    params = outputs.params
    assert {name: p["type"] for name, p in params.items()} == {
        "n": "LONG",
        "ratio": "DOUBLE",
        "ok": "BOOLEAN",
        "name": "STRING",
        "days": "LONG_ARRAY",
        "labels": "STRING_MAP",
        "nested": "MAP",
        "none": "STRING_ARRAY",
    }
    assert params["nested"]["evaluated_result"] == returned["nested"]
    assert params["n"]["source"] == "OUTPUT_PARAMETER" and params["n"]["evaluated_time"] == 1_000


def test_a_declared_param_keeps_its_type() -> None:
    declared = {"total": {"value": 0, "type": "DOUBLE"}, "label": {"value": "", "type": "STRING"}}
    outputs = typed_outputs({"total": 3, "label": 42}, declared, 1)
    assert outputs.error is None
    assert {n: (p["type"], p["evaluated_result"]) for n, p in outputs.params.items()} == {
        "total": ("DOUBLE", 3.0),
        "label": ("STRING", "42"),
    }
    refused = typed_outputs({"total": "many"}, declared, 1)
    assert refused.fatal and refused.params == {}
    assert str(refused.error).startswith("Invalid output parameter [total]:")


def test_a_value_no_param_can_hold_fails_for_good() -> None:
    outputs = typed_outputs({"mixed": [{"a": 1}]}, {}, 1)
    assert outputs.fatal
    assert outputs.error == (
        "Invalid output parameter [mixed]: a list param must hold strings, numbers or booleans"
    )


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("step_id", "[step_id] is set by the engine"),
        ("maestro_x", "[maestro_x] is a reserved param name"),
        ("a__b", "param name [a__b] must not contain __"),
        ("9lives", "param name [9lives] must start with a letter or _"),
    ],
)
def test_a_name_no_param_may_have_fails_for_good(name: str, problem: str) -> None:
    outputs = typed_outputs({name: 1}, {}, 1)
    assert outputs.fatal and outputs.error == f"Invalid output parameter [{name}]: {problem}"
