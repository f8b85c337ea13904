"""Conversion of results to the declared type (Maestro's Parameter.setEvaluatedResult)."""

from __future__ import annotations

from typing import Any

import pytest

from maestoso.models import ParamType
from maestoso.params import ParamError
from maestoso.params.convert import java_text, kind_of, to_declared_type


@pytest.mark.parametrize(
    ("param_type", "value", "kind", "expected", "notes"),
    [
        (ParamType.STRING, "a", "STRING", "a", {}),
        (ParamType.STRING, 5, "LONG", "5", {"info": "Implicitly converted the evaluated result "
                                               "to a string for type class java.lang.Long"}),
        (ParamType.STRING, 1.0, "DOUBLE", "1.0", {"info": "Implicitly converted the evaluated "
                                                  "result to a string for type class "
                                                  "java.lang.Double"}),
        (ParamType.STRING, True, "BOOLEAN", "true", {"info": "Implicitly converted the evaluated "
                                                     "result to a string for type class "
                                                     "java.lang.Boolean"}),
        (ParamType.LONG, 7, "LONG", 7, {}),
        (ParamType.LONG, "12", "STRING", 12, {"warn": "Implicitly converted the evaluated result "
                                              "to a long for type String"}),
        (ParamType.DOUBLE, 5, "LONG", 5.0, {}),
        (ParamType.DOUBLE, "5.5", "STRING", 5.5, {}),
        (ParamType.DOUBLE, 2.5, "DOUBLE", 2.5, {}),
        (ParamType.BOOLEAN, False, "BOOLEAN", False, {}),
        (ParamType.BOOLEAN, "TRUE", "STRING", True, {"warn": "Implicitly converted the evaluated "
                                                     "result to a boolean for type String"}),
        (ParamType.STRING_ARRAY, ["a"], "STRING_ARRAY", ["a"], {}),
        (ParamType.STRING_ARRAY, [1, 2], "LONG_ARRAY", ["1", "2"], {"info": "Implicitly "
                                        "converted the evaluated result to a string array for "
                                        "type class [J"}),
        (ParamType.STRING_ARRAY, [1.5, True], "LIST", ["1.5", "true"], {"info": "Implicitly "
                                        "converted the evaluated result to a string array for "
                                        "type class java.util.ArrayList"}),
        (ParamType.LONG_ARRAY, [1, 2], "LONG_ARRAY", [1, 2], {}),
        (ParamType.LONG_ARRAY, [1, 2], "LIST", [1, 2], {}),
        (ParamType.DOUBLE_ARRAY, [1.5], "DOUBLE_ARRAY", [1.5], {}),
        (ParamType.DOUBLE_ARRAY, [1, 2.5], "LIST", [1.0, 2.5], {}),
        (ParamType.BOOLEAN_ARRAY, [True], "BOOLEAN_ARRAY", [True], {}),
        (ParamType.BOOLEAN_ARRAY, [False], "LIST", [False], {}),
        (ParamType.MAP, {"a": [1]}, "MAP", {"a": [1]}, {}),
        (ParamType.STRING_MAP, {"a": 1, "b": True, "c": "x"}, "MAP",
         {"a": "1", "b": "true", "c": "x"}, {}),
    ],
)  # fmt: skip
def test_accepted_conversions(
    param_type: ParamType, value: Any, kind: str, expected: Any, notes: dict[str, str]
) -> None:
    converted = to_declared_type("p", param_type, value, kind)
    assert converted.value == expected
    assert type(converted.value) is type(expected)
    assert converted.notes == notes


@pytest.mark.parametrize(
    ("param_type", "value", "kind", "message"),
    [
        (ParamType.STRING, [1], "LONG_ARRAY",
         "Param [p] is expected to be a String compatible type but is [class [J]"),
        (ParamType.STRING, {}, "MAP",
         "Param [p] is expected to be a String compatible type but is [class java.util.HashMap]"),
        (ParamType.LONG, 1.5, "DOUBLE",
         "Param [p] is expected to be a Long compatible type but is [class java.lang.Double]"),
        (ParamType.LONG, True, "BOOLEAN",
         "Param [p] is expected to be a Long compatible type but is [class java.lang.Boolean]"),
        (ParamType.LONG, "foo", "STRING", 'For input string: "foo"'),
        (ParamType.DOUBLE, "x", "STRING", "Param [p] is not a decimal: [x]"),
        (ParamType.DOUBLE, True, "BOOLEAN", "Param [p] is not a decimal: [true]"),
        (ParamType.DOUBLE, "NaN", "STRING", "Param [p] is not a decimal: [NaN]"),
        (ParamType.DOUBLE, [1.0], "DOUBLE_ARRAY", "Param [p] is not a decimal"),
        (ParamType.BOOLEAN, "yes", "STRING",
         "Param [p] is expected to have a Boolean compatible result but is [yes]"),
        (ParamType.BOOLEAN, 1, "LONG",
         "Param [p] is expected to be a Boolean compatible type but is [class java.lang.Long]"),
        (ParamType.STRING_ARRAY, "a", "STRING", "Param [p] has an invalid evaluated result"),
        (ParamType.LONG_ARRAY, [1.5], "DOUBLE_ARRAY", "Param [p] has an invalid evaluated result"),
        (ParamType.LONG_ARRAY, ["1"], "LIST", "Param [p] has an invalid evaluated result"),
        (ParamType.DOUBLE_ARRAY, [1], "LONG_ARRAY", "Param [p] has an invalid evaluated result"),
        (ParamType.BOOLEAN_ARRAY, [1], "LIST", "Param [p] has an invalid evaluated result"),
        (ParamType.MAP, [1], "LIST", "Param [p] has an invalid evaluated result"),
        (ParamType.STRING_MAP, "a", "STRING", "Param [p] has an invalid evaluated result"),
        (ParamType.STRING_MAP, {"k": [1]}, "MAP", "Param [p] has a non-string value at key [k]"),
        (ParamType.STRING, None, "NULL", "Param [p] evaluated to null"),
    ],
)  # fmt: skip
def test_rejected_conversions_name_the_param(
    param_type: ParamType, value: Any, kind: str, message: str
) -> None:
    with pytest.raises(ParamError) as raised:
        to_declared_type("p", param_type, value, kind)
    assert message in raised.value.message


def test_kinds_and_java_text() -> None:
    assert [kind_of(v) for v in (True, 1, 1.0, "a", [1], {})] == [
        "BOOLEAN", "LONG", "DOUBLE", "STRING", "LIST", "MAP",
    ]  # fmt: skip
    assert kind_of(None) == "NoneType"
    assert java_text(1e20) == "1.0E20"
    assert java_text(None) == "null"
