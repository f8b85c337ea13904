"""DSL params: typed keys, type inference from YAML values, and their problems."""

from __future__ import annotations

from textwrap import dedent, indent
from typing import Any

import pytest

from maestoso.dsl.yaml_dsl import parse_workflow_yaml
from maestoso.dsl.yaml_params import ParamKey, parse_param_key
from maestoso.errors import ValidationError


def workflow_with(params_yaml: str) -> str:
    body = indent(dedent(params_yaml).strip(), "  ")
    return f"Workflow:\n  id: wf\n  jobs:\n    - job: {{id: a, type: NoOp}}\n{body}\n"


def params_of(params_yaml: str) -> dict[str, Any]:
    params: dict[str, Any] = parse_workflow_yaml(workflow_with(params_yaml))["workflow"]["params"]
    return params


def errors_of(params_yaml: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        parse_workflow_yaml(workflow_with(params_yaml))
    return caught.value.errors


def test_param_parser_cases_of_maestro() -> None:
    """Java: ParamParserTest.testParamParser (the YAML forms of its inputs)."""
    params = params_of(
        """
        plain_str: foo
        '!expr_str': 1 + 1
        typed_long<long>: 100
        typed_double: 1.23
        typed_bool: true
        mode_param(constant): bar
        combo<long>(immutable): 100
        '!expr_typed<long>(constant)': 1 * 2
        str_array1: [a, b, c]
        long_array1: [1, 2, 3]
        double_array1: [1.1, 1.2, 1.3]
        bool_array1: [true, false, true]
        typed_array<array<string>>: [x, y, z]
        empty_long_array<array<long>>: []
        empty_default: []
        string_map: {k1: v1, k2: v2}
        empty_map: {}
        map: {foo: {bar: 123, baz: bat}}
        pmap<pmap>: {k1: v1, k2: v2}
        """
    )
    assert params == {
        "plain_str": {"value": "foo", "type": "STRING"},
        "expr_str": {"expression": "1 + 1", "type": "STRING"},
        "typed_long": {"value": 100, "type": "LONG"},
        "typed_double": {"value": 1.23, "type": "DOUBLE"},
        "typed_bool": {"value": True, "type": "BOOLEAN"},
        "mode_param": {"value": "bar", "type": "STRING", "mode": "CONSTANT"},
        "combo": {"value": 100, "type": "LONG", "mode": "IMMUTABLE"},
        "expr_typed": {"expression": "1 * 2", "type": "LONG", "mode": "CONSTANT"},
        "str_array1": {"value": ["a", "b", "c"], "type": "STRING_ARRAY"},
        "long_array1": {"value": [1, 2, 3], "type": "LONG_ARRAY"},
        "double_array1": {"value": [1.1, 1.2, 1.3], "type": "DOUBLE_ARRAY"},
        "bool_array1": {"value": [True, False, True], "type": "BOOLEAN_ARRAY"},
        "typed_array": {"value": ["x", "y", "z"], "type": "STRING_ARRAY"},
        "empty_long_array": {"value": [], "type": "LONG_ARRAY"},
        "empty_default": {"value": [], "type": "STRING_ARRAY"},
        "string_map": {"value": {"k1": "v1", "k2": "v2"}, "type": "STRING_MAP"},
        "empty_map": {"value": {}, "type": "MAP"},
        "map": {
            "value": {
                "foo": {
                    "value": {
                        "bar": {"value": 123, "type": "LONG"},
                        "baz": {"value": "bat", "type": "STRING"},
                    },
                    "type": "MAP",
                }
            },
            "type": "MAP",
        },
        "pmap": {
            "value": {
                "k1": {"value": "v1", "type": "STRING"},
                "k2": {"value": "v2", "type": "STRING"},
            },
            "type": "MAP",
        },
    }


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("x<STRING>: hi", {"value": "hi", "type": "STRING"}),
        ("x<Double>: 2.5", {"value": 2.5, "type": "DOUBLE"}),
        ("x<double>: 2", {"value": 2.0, "type": "DOUBLE"}),
        ("x<boolean>: false", {"value": False, "type": "BOOLEAN"}),
        ("x<map>: {a: b}", {"value": {"a": "b"}, "type": "STRING_MAP"}),
        ("x<string_map>: {}", {"value": {}, "type": "STRING_MAP"}),
        ("x<map>: {}", {"value": {}, "type": "STRING_MAP"}),
        ("x<array<double>>: [1, 2.5]", {"value": [1.0, 2.5], "type": "DOUBLE_ARRAY"}),
        ("x< array< boolean > >: [true]", {"value": [True], "type": "BOOLEAN_ARRAY"}),
        ("x<long_array>: [4]", {"value": [4], "type": "LONG_ARRAY"}),
        ("x<string_array>: []", {"value": [], "type": "STRING_ARRAY"}),
        ("'!x<boolean>': a > 1", {"expression": "a > 1", "type": "BOOLEAN"}),
        ("'!x<array<long>>': Util.intsBetween(1, 3, 1)",
         {"expression": "Util.intsBetween(1, 3, 1)", "type": "LONG_ARRAY"}),
        ("'!x<pmap>': m", {"expression": "m", "type": "MAP"}),
        ("'!x': 42", {"expression": "42", "type": "STRING"}),
        ("'!x(mutable_on_start)': RUN_TS", {"expression": "RUN_TS", "type": "STRING",
                                           "mode": "MUTABLE_ON_START"}),
        ("x (Mutable_On_Start_Restart): 1",
         {"value": 1, "type": "LONG", "mode": "MUTABLE_ON_START_RESTART"}),
        ("' x <long> ( constant ) ': 1", {"value": 1, "type": "LONG", "mode": "CONSTANT"}),
        ("x: 12:30", {"value": "12:30", "type": "STRING"}),
        ("x: 2024-01-31", {"value": "2024-01-31", "type": "STRING"}),
        ("x: '15'", {"value": "15", "type": "STRING"}),
        ("x: 9223372036854775807", {"value": 9223372036854775807, "type": "LONG"}),
        ("x: {a: 1, b: two}", {"value": {"a": {"value": 1, "type": "LONG"},
                                          "b": {"value": "two", "type": "STRING"}},
                               "type": "MAP"}),
        ("x<pmap>: {'!a<long>': 1+1, b<array<string>>: []}",
         {"value": {"a": {"expression": "1+1", "type": "LONG"},
                    "b": {"value": [], "type": "STRING_ARRAY"}},
          "type": "MAP"}),
    ],
)  # fmt: skip
def test_typed_keys_and_inferred_types(entry: str, expected: dict[str, Any]) -> None:
    assert params_of(entry) == {"x": expected}


def test_string_map_values_are_plain_data() -> None:
    value = params_of("x: {a: b}")["x"]["value"]
    assert type(value) is dict


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("foo", ParamKey("foo", True, None, None)),
        ("!foo", ParamKey("foo", False, None, None)),
        ("foo<long>", ParamKey("foo", True, "LONG", None)),
        ("!foo<string>(provided)", None),
        ("foo<array<long>>", ParamKey("foo", True, "LONG_ARRAY", None)),
        ("foo<map>", ParamKey("foo", True, "STRING_MAP", None)),
        ("foo<pmap>", ParamKey("foo", True, "MAP", None)),
        ("foo<long>(constant)", ParamKey("foo", True, "LONG", "CONSTANT")),
    ],
)
def test_parse_param_key(key: str, expected: ParamKey | None) -> None:
    if expected is None:
        with pytest.raises(Exception, match=r"invalid param mode \[provided\]"):
            parse_param_key(key)
    else:
        assert parse_param_key(key) == expected


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        # Java: ParamParserTest.testInvalidCases
        ("foo(invalid): bar", "invalid param mode [invalid]"),
        ("foo<unknown>: 123", "invalid param type [unknown]"),
        ("num<long>: invalid", "param [num] is declared as LONG but its value [invalid] is STRING"),
        ("longVal<long>: 1.5", "param [longVal] is declared as LONG but its value [1.5] is DOUBLE"),
        ("invalidType: [{a: 1}]", "a list param must hold strings, numbers or booleans"),
        # Beyond Maestro's tests
        ("x<nosuchtype>: 1", "invalid param type [nosuchtype]"),
        ("x<array<map>>: []", "unsupported array type [array<map>]"),
        ("x<long>junk: 1", "unexpected [junk] after the param type"),
        ("x(constant)junk: 1", "invalid param mode [constantjunk]"),
        ("x<long: 1", "param key [x<long] is malformed"),
        ("'(constant)': 1", "param key [(constant)] is malformed"),
        ("'!': 1", "param key [!] has no name"),
        ("'<long>': 1", "param key [<long>] is malformed"),
        ("x:", "param [x] has no value"),
        ("'!x': [a]", "the expression of param [x] must be a string"),
        ("x<string>: 5", "param [x] is declared as STRING but its value [5] is LONG"),
        ("x<map>: {a: 1}", "param [x] is declared as STRING_MAP but its value"),
        ("x: [1, two]", "item 1 [two] is not a valid LONG"),
        ("x: [a, 1]", "item 1 [1] is not a valid STRING"),
        ("x: [true, 1]", "item 1 [1] is not a valid BOOLEAN"),
        ("x: [1.5, a]", "item 1 [a] is not a valid DOUBLE"),
        ("x: [[1]]", "a list param must hold strings, numbers or booleans"),
        ("x: 9223372036854775808", "[9223372036854775808] is not a valid LONG"),
        ("x: .inf", "[inf] is not a valid DOUBLE"),
        ("x: {a: ~}", "param [a] has no value"),
    ],
)
def test_param_problems(entry: str, message: str) -> None:
    errors = errors_of(entry)
    assert len(errors) == 1, errors
    assert errors[0].startswith("Workflow."), errors
    assert message in errors[0]
    assert errors[0].endswith("(line 5)")


def test_nested_param_problems_name_their_path_as_written() -> None:
    errors = errors_of(
        """
        outer:
          inner<pmap>:
            bad<long>: x
        """
    )
    assert errors == [
        "Workflow.outer.inner<pmap>.bad<long>: param [bad] is declared as LONG but its value [x] "
        "is STRING (line 7)"
    ]


def test_the_same_name_twice_is_a_problem() -> None:
    errors = errors_of("foo: 1\nfoo<long>: 2\n'!foo': x")
    assert errors == [
        "Workflow.foo<long>: param [foo] is defined more than once (line 6)",
        "Workflow.!foo: param [foo] is defined more than once (line 7)",
    ]


def test_every_param_problem_is_reported() -> None:
    errors = errors_of("a<bad>: 1\nb: [1, x]\nc(nomode): 2")
    assert [error.split(":")[0] for error in errors] == [
        "Workflow.a<bad>",
        "Workflow.b",
        "Workflow.c(nomode)",
    ]


def test_a_list_starting_with_null_is_a_problem() -> None:
    assert errors_of("x: [~, 1]") == [
        "Workflow.x: a list param must hold strings, numbers or booleans (line 5)"
    ]
