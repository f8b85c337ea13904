"""Maestro's layer over SEL: expression sanitizing, accepted results, declared param types."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from maestoso.sel.api import Result, evaluate
from maestoso.sel.convert import Plain
from maestoso.sel.errors import (
    ILLEGAL_ARGUMENT,
    NUMBER_FORMAT,
    THROWN,
    TIMEOUT,
    SelError,
)
from maestoso.sel.limits import Limits
from maestoso.sel.numbers import parse_long
from maestoso.sel.resolver import ParamsResolver
from maestoso.sel.state import NowSource
from maestoso.sel.values import DATA_TYPES, double_to_string

INVALID_EXPRESSION = "MaestroInvalidExpressionException"
INTERNAL_ERROR = "MaestroInternalError"
_JAVA_CLASSES = {
    "STRING": "class java.lang.String",
    "LONG": "class java.lang.Long",
    "DOUBLE": "class java.lang.Double",
    "BOOLEAN": "class java.lang.Boolean",
    "STRING_ARRAY": "class [Ljava.lang.String;",
    "LONG_ARRAY": "class [J",
    "DOUBLE_ARRAY": "class [D",
    "BOOLEAN_ARRAY": "class [Z",
    "MAP": "class java.util.HashMap",
}


def sanitize(expression: str) -> str:
    """Maestro's ``ExprEvaluator`` adds the final ``;`` a user usually leaves out."""
    text = expression.strip()
    if not text or text.endswith(";") or (not text.startswith('{"') and text.endswith("}")):
        return text
    return text + ";"


def evaluate_param_expression(
    expression: str,
    variables: Mapping[str, object] | None = None,
    *,
    limits: Limits | Mapping[str, int | None] | None = None,
    clock: NowSource | None = None,
    params: ParamsResolver | None = None,
) -> Result:
    """Evaluate as Maestro does for a parameter: only a data value is a valid result."""
    text = sanitize(expression)
    try:
        result = evaluate(text, variables, limits=limits, clock=clock, params=params)
    except SelError as error:
        if error.kind == THROWN:
            raise SelError(
                f"Expression throws an error [ERROR: {error.message}] for expr=[{text}]",
                kind=INVALID_EXPRESSION,
            ) from error
        if error.kind == TIMEOUT:
            raise SelError(
                # Maestro's message, and which limit ended it.
                f"Expression evaluation is failed with an exception for expr=[{text}]: "
                f"{error.message}",
                kind=INTERNAL_ERROR,
            ) from error
        raise SelError(
            f"Expression evaluation throws an exception for expr=[{text}]: {error}",
            kind=INVALID_EXPRESSION,
            line=error.line,
            column=error.column,
        ) from error
    if result.type not in DATA_TYPES:
        raise SelError(
            f"Invalid return type [{result.type}] for expr=[{text}]", kind=INVALID_EXPRESSION
        )
    return result


def _text(result: Result) -> str:
    value = result.value
    if result.type == "DOUBLE":
        assert isinstance(value, float)
        return double_to_string(value)
    if result.type == "BOOLEAN":
        return "true" if value else "false"
    return str(value)


def _expected(name: str, what: str, result: Result) -> SelError:
    actual = _JAVA_CLASSES.get(result.type, result.type)
    return SelError(
        f"Param [{name}] is expected to be a {what} compatible type but is [{actual}]",
        kind=ILLEGAL_ARGUMENT,
    )


def _to_double(name: str, result: Result) -> float:
    try:
        return float(Decimal(_text(result)))
    except InvalidOperation:
        raise SelError(
            f"Param [{name}] is not a decimal: {_text(result)}", kind=NUMBER_FORMAT
        ) from None


def _to_boolean(name: str, result: Result) -> bool:
    if result.type == "BOOLEAN":
        return bool(result.value)
    if result.type != "STRING":
        raise _expected(name, "Boolean", result)
    text = str(result.value)
    if text.lower() not in ("true", "false"):
        raise SelError(
            f"Param [{name}] is expected to have a Boolean compatible result but is [{text}]",
            kind=ILLEGAL_ARGUMENT,
        )
    return text.lower() == "true"


def _array_texts(name: str, result: Result) -> list[str | None]:
    if not result.type.endswith("_ARRAY"):
        raise SelError(f"Param [{name}] has an invalid evaluated result", kind=INTERNAL_ERROR)
    items = result.value
    assert isinstance(items, list)
    element = result.type.removesuffix("_ARRAY")
    return [None if item is None else _text(Result(item, element)) for item in items]


def to_param_type(result: Result, param_type: str, name: str) -> Result:
    """Convert a result to a parameter's declared type, as Maestro's Parameter classes do."""
    if param_type == "STRING":
        if result.type not in ("STRING", "LONG", "DOUBLE", "BOOLEAN"):
            raise _expected(name, "String", result)
        return Result(_text(result), "STRING")
    if param_type == "LONG":
        if result.type == "STRING":
            return Result(parse_long(str(result.value)), "LONG")
        if result.type != "LONG":
            raise _expected(name, "Long", result)
        return result
    if param_type == "DOUBLE":
        return Result(_to_double(name, result), "DOUBLE")
    if param_type == "BOOLEAN":
        return Result(_to_boolean(name, result), "BOOLEAN")
    if param_type == "STRING_ARRAY":
        texts: list[Plain] = list(_array_texts(name, result))
        return Result(texts, "STRING_ARRAY")
    if param_type in ("MAP", "STRING_MAP"):
        accepted = {"MAP"}
    else:
        accepted = {param_type}
    if result.type not in accepted:
        raise SelError(
            f"Param [{name}] has an invalid evaluated result [{result.value}]",
            kind=INTERNAL_ERROR,
        )
    return Result(result.value, "MAP" if param_type == "STRING_MAP" else param_type)
