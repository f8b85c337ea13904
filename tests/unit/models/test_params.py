"""Param definitions: types, value coercion and rejection, value xor expression, MAP nesting."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from maestoso.models import ParamDefinition, ParamMode, ParamType
from maestoso.models.params import MAP_SIZE_LIMIT, coerce_value


def _param(data: dict[str, Any]) -> ParamDefinition:
    return ParamDefinition.model_validate(data)


def _error(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        _param(data)
    return str(caught.value)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("STRING", ParamType.STRING),
        ("string", ParamType.STRING),
        ("String_array", ParamType.STRING_ARRAY),
        ("long_Array", ParamType.LONG_ARRAY),
        ("string_map", ParamType.STRING_MAP),
        ("map", ParamType.MAP),
        ("Boolean", ParamType.BOOLEAN),
        ("double", ParamType.DOUBLE),
    ],
)
def test_types_are_case_insensitive(given: str, expected: ParamType) -> None:
    assert ParamType(given) is expected


def test_unknown_type_is_rejected() -> None:
    assert "type" in _error({"type": "INTEGER", "value": 1})


def test_is_array() -> None:
    arrays = {t for t in ParamType if t.is_array}
    assert arrays == {
        ParamType.STRING_ARRAY,
        ParamType.LONG_ARRAY,
        ParamType.DOUBLE_ARRAY,
        ParamType.BOOLEAN_ARRAY,
    }


@pytest.mark.parametrize(
    ("param_type", "value", "expected"),
    [
        ("STRING", "text", "text"),
        ("STRING", 15, "15"),
        ("STRING", 1.5, "1.5"),
        ("STRING", True, "true"),
        ("STRING", False, "false"),
        ("STRING", "", ""),
        ("LONG", 15, 15),
        ("LONG", "15", 15),
        ("LONG", " -15 ", -15),
        ("LONG", "+7", 7),
        ("LONG", 0, 0),
        ("DOUBLE", 1.5, 1.5),
        ("DOUBLE", 2, 2),
        ("DOUBLE", "2.25", 2.25),
        ("DOUBLE", "-1e3", -1000.0),
        ("DOUBLE", ".5", 0.5),
        ("BOOLEAN", True, True),
        ("BOOLEAN", False, False),
        ("BOOLEAN", "true", True),
        ("BOOLEAN", "FALSE", False),
        ("STRING_ARRAY", ["a", 1, True], ["a", "1", "true"]),
        ("STRING_ARRAY", [], []),
        ("LONG_ARRAY", [1, "2", -3], [1, 2, -3]),
        ("DOUBLE_ARRAY", [1, 1.5, "2.5"], [1, 1.5, 2.5]),
        ("BOOLEAN_ARRAY", [True, "false"], [True, False]),
        ("STRING_MAP", {"a": "x", "b": 2, "c": False}, {"a": "x", "b": "2", "c": "false"}),
        ("STRING_MAP", {}, {}),
    ],
)
def test_values_are_coerced_to_their_type(param_type: str, value: Any, expected: Any) -> None:
    param = _param({"type": param_type, "value": value})
    assert param.value == expected
    assert [type(v) for v in _listed(param.value)] == [type(v) for v in _listed(expected)]


def _listed(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value.values())
    return [value]


@pytest.mark.parametrize(
    ("param_type", "value", "message"),
    [
        ("STRING", {"a": 1}, "[{'a': 1}] is not a STRING"),
        ("STRING", ["a"], "is not a STRING"),
        ("LONG", 1.5, "[1.5] is not a LONG"),
        ("LONG", True, "[True] is not a LONG"),
        ("LONG", "abc", "['abc'] is not a LONG"),
        ("LONG", "1.0", "['1.0'] is not a LONG"),
        ("LONG", "--5", "['--5'] is not a LONG"),
        ("LONG", "+-5", "['+-5'] is not a LONG"),
        ("LONG", "", "[''] is not a LONG"),
        ("DOUBLE", "abc", "['abc'] is not a DOUBLE"),
        ("DOUBLE", True, "[True] is not a DOUBLE"),
        ("DOUBLE", "nan", "['nan'] is not a DOUBLE"),
        ("DOUBLE", "Infinity", "['Infinity'] is not a DOUBLE"),
        ("DOUBLE", float("inf"), "[inf] is not a DOUBLE"),
        ("DOUBLE", "1_000", "['1_000'] is not a DOUBLE"),
        ("BOOLEAN", "yes", "['yes'] is not a BOOLEAN"),
        ("BOOLEAN", 1, "[1] is not a BOOLEAN"),
        ("STRING_ARRAY", "a", "a STRING_ARRAY value must be a JSON array"),
        ("LONG_ARRAY", {"a": 1}, "a LONG_ARRAY value must be a JSON array"),
        ("LONG_ARRAY", [1, 2, "x"], "element [2]: ['x'] is not a LONG"),
        ("DOUBLE_ARRAY", [1.0, "y"], "element [1]: ['y'] is not a DOUBLE"),
        ("BOOLEAN_ARRAY", ["no"], "element [0]: ['no'] is not a BOOLEAN"),
        ("STRING_ARRAY", ["a", None], "element [1]: [None] is not a STRING"),
        ("STRING_ARRAY", [["nested"]], "element [0]: [['nested']] is not a STRING"),
        ("STRING_MAP", ["a"], "a STRING_MAP value must be a JSON object"),
        ("STRING_MAP", {"ok": "x", "bad": None}, "entry [bad]: [None] is not a STRING"),
        ("STRING_MAP", {"bad": {"a": 1}}, "entry [bad]: [{'a': 1}] is not a STRING"),
        ("MAP", "x", "a MAP value must be a JSON object"),
        ("MAP", {"a": "x"}, "entry [a]: Input should be a valid dictionary"),
        ("MAP", {"a": {"value": 1}}, "entry [a].type: Field required"),
        ("MAP", {"a": {"type": "LONG", "value": "x"}}, "entry [a]: ['x'] is not a LONG"),
        (
            "MAP",
            {"a": {"type": "MAP", "value": {"b": {"type": "LONG", "value": "x"}}}},
            "entry [a]: entry [b]: ['x'] is not a LONG",
        ),
        ("MAP", {"a": {"type": "LONG"}}, "entry [a]: exactly one of value and expression"),
    ],
)
def test_values_that_do_not_fit_are_rejected(param_type: str, value: Any, message: str) -> None:
    text = _error({"type": param_type, "value": value})
    assert message in text
    assert "Value error, Value error" not in text
    assert "entry [a]: Value error" not in text


@pytest.mark.parametrize("param_type", ["STRING_MAP", "MAP"])
def test_map_size_limit(param_type: str) -> None:
    entry: Any = "v" if param_type == "STRING_MAP" else {"type": "STRING", "value": "v"}
    full = {f"k{i}": entry for i in range(MAP_SIZE_LIMIT)}
    assert len(_param({"type": param_type, "value": full}).value) == MAP_SIZE_LIMIT
    over = {**full, "one_more": entry}
    assert f"a {param_type} value has more than {MAP_SIZE_LIMIT} entries" in _error(
        {"type": param_type, "value": over}
    )


@pytest.mark.parametrize(
    "data",
    [
        {"type": "LONG"},
        {"type": "LONG", "value": None},
        {"type": "LONG", "value": 1, "expression": "1 + 1"},
        {"type": "STRING", "value": "", "expression": ""},
    ],
)
def test_exactly_one_of_value_and_expression(data: dict[str, Any]) -> None:
    assert "exactly one of value and expression must be set" in _error(data)


def test_an_expression_is_kept_unevaluated() -> None:
    param = _param({"type": "long_array", "expression": "Util.intsBetween(1, 3, 1)"})
    assert param.value is None
    assert param.expression == "Util.intsBetween(1, 3, 1)"
    assert param.to_json() == {"expression": "Util.intsBetween(1, 3, 1)", "type": "LONG_ARRAY"}


def test_type_is_required() -> None:
    assert "type" in _error({"value": 1})


def test_nested_map_params_are_definitions() -> None:
    param = _param(
        {
            "type": "MAP",
            "value": {
                "image": {"value": "busybox", "type": "string"},
                "env": {"type": "STRING_MAP", "value": {"A": 1}},
                "inner": {"type": "map", "value": {"n": {"type": "LONG", "value": "3"}}},
                "later": {"type": "LONG", "expression": "1 + 1"},
            },
        }
    )
    value = param.value
    assert set(value) == {"image", "env", "inner", "later"}
    assert all(isinstance(v, ParamDefinition) for v in value.values())
    assert value["image"].type is ParamType.STRING
    assert value["env"].value == {"A": "1"}
    assert value["inner"].value["n"].value == 3
    assert param.to_json() == {
        "value": {
            "image": {"value": "busybox", "type": "STRING"},
            "env": {"value": {"A": "1"}, "type": "STRING_MAP"},
            "inner": {"value": {"n": {"value": 3, "type": "LONG"}}, "type": "MAP"},
            "later": {"expression": "1 + 1", "type": "LONG"},
        },
        "type": "MAP",
    }


def test_coerce_value_accepts_ready_definitions_in_a_map() -> None:
    inner = ParamDefinition(type=ParamType.LONG, value=1)
    assert coerce_value(ParamType.MAP, {"x": inner}) == {"x": inner}


def test_map_keys_become_strings() -> None:
    assert coerce_value(ParamType.STRING_MAP, {1: "a"}) == {"1": "a"}


def test_extra_keys_are_kept_as_meta_and_written_back() -> None:
    data = {
        "value": "x",
        "type": "STRING",
        "source": "DEFINITION",
        "internal_mode": "OPTIONAL",
    }
    param = _param(data)
    assert param.extras == {"source": "DEFINITION", "internal_mode": "OPTIONAL"}
    assert param.to_json() == data


def test_nested_extra_keys_are_kept() -> None:
    param = _param(
        {"type": "MAP", "value": {"a": {"type": "LONG", "value": 1, "internal_mode": "REQUIRED"}}}
    )
    assert param.to_json()["value"]["a"] == {
        "value": 1,
        "type": "LONG",
        "internal_mode": "REQUIRED",
    }


def test_serialisation_key_order_and_nulls_omitted() -> None:
    param = _param(
        {
            "meta_key": 1,
            "mode": "mutable_on_start",
            "tags": ["runtime"],
            "validator": "@Positive",
            "type": "boolean",
            "expression": "x > 0",
            "name": "flag",
        }
    )
    out = param.to_json()
    assert list(out) == ["name", "expression", "type", "validator", "tags", "mode", "meta_key"]
    assert out["mode"] == "MUTABLE_ON_START"
    assert out["type"] == "BOOLEAN"


@pytest.mark.parametrize("mode", list(ParamMode))
def test_modes_are_case_insensitive(mode: ParamMode) -> None:
    param = _param({"type": "STRING", "value": "x", "mode": mode.value.lower()})
    assert param.mode is mode


def test_unknown_mode_is_rejected() -> None:
    assert "mode" in _error({"type": "STRING", "value": "x", "mode": "SOMETIMES"})


def test_param_tags_reject_duplicates() -> None:
    assert "duplicate tag name [t]" in _error({"type": "STRING", "value": "x", "tags": ["t", "t"]})
