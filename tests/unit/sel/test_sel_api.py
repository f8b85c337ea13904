"""The public API, limits, params helpers, conversions and Maestro's layer."""

from __future__ import annotations

import time

import pytest

from maestoso.errors import UserError
from maestoso.sel import (
    DEFAULT_LIMITS,
    Limits,
    MappingParamsResolver,
    Result,
    SelError,
    evaluate,
    parse,
)
from maestoso.sel.convert import box, unbox
from maestoso.sel.maestro import evaluate_param_expression, sanitize, to_param_type


def error(expression: str, **kwargs: object) -> SelError:
    with pytest.raises(SelError) as caught:
        evaluate(expression, **kwargs)  # type: ignore[arg-type]
    return caught.value


def test_sel_error_is_a_user_error() -> None:
    assert issubclass(SelError, UserError)
    assert str(SelError("boom", kind="X")) == "X: boom"


def test_limits_from_mappings() -> None:
    assert Limits.of(None) is DEFAULT_LIMITS
    assert Limits.of({"stack": 5, "length": None}) == Limits(stack=5)
    limits = Limits(loop=3)
    assert Limits.of(limits) is limits
    with pytest.raises(SelError):
        Limits.of({"bogus": 1})


@pytest.mark.parametrize(
    ("expression", "limits", "message"),
    [
        ("1;", {"length": 2}, "Expression length is over the limit: 2 vs length: 2"),
        # Java's length: a character beyond the BMP is two UTF-16 units.
        ("'\U0001f600';", {"length": 5}, "Expression length is over the limit: 5 vs length: 5"),
        ("'\u00e9\U0001f600';", {"length": 6}, "over the limit: 6 vs length: 6"),
        ("while (true) {}", {"loop": 5}, "over the loop limit 5"),
        ("new int[5];", {"array": 5}, "New array size is over the limit: 5 vs length: 5"),
        ("new int[]{1, 2};", {"array": 2}, "over the limit: 2 vs length: 2"),
        ("1;", {"visit": 2}, "too many operations over the limit 2"),
        ("1 + 2;", {"memory": 64}, "too much memory (in byte) over the limit 64"),
        ("s = 'ab'; while (true) s += s;", {"memory": 10_000, "loop": 100}, "too much memory"),
        ("Util.intsBetween(0, 1000, 1);", {"memory": 1000}, "too much memory"),
        ("'a,b'.split(',');", {"array": 2}, "over the limit: 2 vs length: 2"),
        ("Util.dateIntsBetween(20190101, 20190201, 1);", {"array": 10}, "over the limit"),
        ("1 + (2 + (3 + 4));", {"stack": 3}, "out of bounds for length 3"),
    ],
)
def test_limits(expression: str, limits: dict[str, int], message: str) -> None:
    assert message in error(expression, limits=limits).message


def test_memory_counts_long_strings() -> None:
    text = "'" + "x" * 100 + "';"
    assert evaluate(text, limits={"memory": 300}).value == "x" * 100
    assert "memory" in error(text, limits={"memory": 200}).message
    replace = "'abcdefgh'.replace('', 'xxxxxxxxxx');"
    assert evaluate(replace, limits={"memory": 300}).value.count("x") == 90  # type: ignore[union-attr]
    assert "memory" in error(replace, limits={"memory": 250}).message


def test_deadline_stops_a_long_loop() -> None:
    started = time.monotonic()
    err = error("while (true) {}", limits=Limits(loop=10**12, timeout_ms=200))
    assert err.kind == "TimeoutException"
    assert time.monotonic() - started < 2


def test_unexpected_python_errors_become_sel_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    from maestoso.sel import misc

    def boom() -> float:
        raise ValueError("broken")

    monkeypatch.setattr(misc.random, "random", boom)
    assert error("Math.random();").kind == "RuntimeException"


def test_evaluate_accepts_a_parsed_expression_and_reuses_it() -> None:
    expr = parse("x * 2;")
    assert evaluate(expr, {"x": 4}).value == 8
    assert evaluate(expr, {"x": 5}).value == 10


def test_results_of_each_type() -> None:
    assert evaluate("new long[]{1};") == Result([1], "LONG_ARRAY")
    assert evaluate("new double[]{1.5};") == Result([1.5], "DOUBLE_ARRAY")
    assert evaluate("new boolean[]{true};") == Result([True], "BOOLEAN_ARRAY")
    assert evaluate("new String[1];") == Result([None], "STRING_ARRAY")
    assert evaluate("Map m; m;") == Result(None, "MAP")
    datetime = evaluate("new DateTime(0);")
    assert datetime == Result("1970-01-01T00:00:00.000Z", "DATETIME")
    assert not datetime.is_data
    assert evaluate("params;", {"a": 1}) == Result("{a=1}", "PRESET_PARAMS")
    assert evaluate("UUID;").value == "null"
    assert evaluate("Math;").type == "MATH"
    assert evaluate("Util;").type == "PRESET_UTIL_FUNCTION"
    assert evaluate("System;").type == "PRESET_MISC_FUNC_FIELDS"


def test_boxing_inputs() -> None:
    assert unbox(box({"a": [1.5, 2], "b": ["x", None], "c": [True]})) == {
        "a": [1.5, 2.0],
        "b": ["x", None],
        "c": [True],
    }
    assert box([]).T == "STRING_ARRAY"
    assert box(None).T == "NULL"
    same = box(1)
    assert box(same) is same
    for bad in ({"k": None}, {1: "x"}, [[1]], object(), 2**64, [1, "x"]):
        with pytest.raises(SelError):
            box(bad)


def test_params_access() -> None:
    variables = {"a": "x", "n": 2}
    assert evaluate("params.get('a') + params['n'] + params.a;", variables).value == "x2x"
    assert evaluate("params.containsKey('n');", variables).value is True
    assert error("params.get(1);").kind == "ClassCastException"
    assert error("params.containsKey();").kind == "UnsupportedOperationException"
    assert error("params.getFromStep('a', 'b');").kind == "UnsupportedOperationException"


def test_params_helpers_use_the_resolver() -> None:
    resolver = MappingParamsResolver(
        steps={"s1": {"p": 5}},
        step={"step_id": "s2"},
        instance={"workflow_id": "wf", "owner": None},
        signals={"sig": {"q": "v"}},
        signal_params={"r": 1},
        signal_dependencies=[{"d": 3}],
        foreach={"fe": {"inner": {"x": [1, 2]}}},
        subworkflows={"sub": {"s": {"y": True}}},
        environment="prod",
    )
    calls = {
        "params.getFromStep('s1', 'p');": 5,
        "params.getFromStep('step_id');": "s2",
        "params.getFromInstance('workflow_id');": "wf",
        "params.getFromInstance('owner');": "",
        "params.getFromSignal('sig', 'q');": "v",
        "params.getFromSignal('r');": 1,
        "params.getFromSignalOrDefault('sig', 'zz', 'dflt');": "dflt",
        "params.getFromSignalOrDefault('sig', 'q', 'dflt');": "v",
        "params.getFromSignalDependency('0', 'd');": 3,
        "params.getFromForeach('fe', 'inner', 'x');": [1, 2],
        "params.getFromSubworkflow('sub', 's', 'y');": True,
        "params.nextUniqueId() + params.nextUniqueId();": 3,
        "params.getExecutionEnvironment();": "prod",
    }
    for expression, expected in calls.items():
        assert evaluate(expression, params=resolver).value == expected, expression
    for expression in (
        "params.getFromStep('s1', 'zz');",
        "params.getFromStep('zz');",
        "params.getFromInstance('zz');",
        "params.getFromSignal('zz');",
        "params.getFromSignalDependency('5', 'd');",
        "params.getFromSignalDependency('0', 'zz');",
        "params.getFromForeach('fe', 'inner', 'zz');",
        "params.getFromSubworkflow('sub', 's', 'zz');",
        "params.getFromStep(1, 'p');",
        "params.unknownHelper('a');",
    ):
        with pytest.raises(SelError):
            evaluate(expression, params=resolver)


def test_resolver_failures_become_internal_errors() -> None:
    class Broken(MappingParamsResolver):
        def get_execution_environment(self) -> str:
            raise RuntimeError("db down")

    err = error("params.getExecutionEnvironment();", params=Broken())
    assert err.kind == "MaestroInternalError"


def test_sanitize() -> None:
    assert sanitize(" 1 + 1 ") == "1 + 1;"
    assert sanitize("x;") == "x;"
    assert sanitize("") == ""
    assert sanitize("new long[]{1}") == "new long[]{1}"
    assert sanitize('{"a": 1}') == '{"a": 1};'


@pytest.mark.parametrize(
    ("expression", "kind"),
    [
        ("null", "MaestroInvalidExpressionException"),
        ("int x = 1", "MaestroInvalidExpressionException"),
        ("1 +", "MaestroInvalidExpressionException"),
        ("new DateTime(0)", "MaestroInvalidExpressionException"),
        ("throw 'no'", "MaestroInvalidExpressionException"),
    ],
)
def test_maestro_layer_rejects_non_data(expression: str, kind: str) -> None:
    with pytest.raises(SelError) as caught:
        evaluate_param_expression(expression)
    assert caught.value.kind == kind


def test_maestro_layer_timeout_is_internal() -> None:
    with pytest.raises(SelError) as caught:
        evaluate_param_expression("while (true) {}", limits=Limits(loop=10**9, timeout_ms=50))
    assert caught.value.kind == "MaestroInternalError"


@pytest.mark.parametrize(
    ("result", "param_type", "expected"),
    [
        (Result(1.5, "DOUBLE"), "STRING", Result("1.5", "STRING")),
        (Result(True, "BOOLEAN"), "STRING", Result("true", "STRING")),
        (Result(5, "LONG"), "LONG", Result(5, "LONG")),
        (Result(5, "LONG"), "DOUBLE", Result(5.0, "DOUBLE")),
        (Result("5.5", "STRING"), "DOUBLE", Result(5.5, "DOUBLE")),
        (Result(True, "BOOLEAN"), "BOOLEAN", Result(True, "BOOLEAN")),
        (
            Result([1.5, None], "DOUBLE_ARRAY"),
            "STRING_ARRAY",
            Result(["1.5", None], "STRING_ARRAY"),
        ),
        (Result([True], "BOOLEAN_ARRAY"), "BOOLEAN_ARRAY", Result([True], "BOOLEAN_ARRAY")),
        (Result({"a": "b"}, "MAP"), "STRING_MAP", Result({"a": "b"}, "MAP")),
    ],
)
def test_param_type_conversion(result: Result, param_type: str, expected: Result) -> None:
    assert to_param_type(result, param_type, "p") == expected


@pytest.mark.parametrize(
    ("result", "param_type", "kind"),
    [
        (Result([1], "LONG_ARRAY"), "STRING", "IllegalArgumentException"),
        (Result("x", "STRING"), "DOUBLE", "NumberFormatException"),
        (Result(True, "BOOLEAN"), "DOUBLE", "NumberFormatException"),
        (Result(1, "LONG"), "BOOLEAN", "IllegalArgumentException"),
        (Result(1, "LONG"), "STRING_ARRAY", "MaestroInternalError"),
        (Result([1], "LONG_ARRAY"), "DOUBLE_ARRAY", "MaestroInternalError"),
        (Result(1, "LONG"), "MAP", "MaestroInternalError"),
    ],
)
def test_param_type_conversion_errors(result: Result, param_type: str, kind: str) -> None:
    with pytest.raises(SelError) as caught:
        to_param_type(result, param_type, "p")
    assert caught.value.kind == kind
