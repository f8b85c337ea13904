"""Param validators, checked once a param has its result.

A validator is either a built-in rule (``@NotNull``, ``@NotEmpty``, ``@Positive``,
``@Min(n)``, ``@Max(n)``, combinable as ``@NotEmpty @Max(5)``) or a SEL expression in which
``param`` is the evaluated value and which must return true. Maestro stores the validator of
a param but leaves checking it to the services that read the param; Maestoso checks it when
the param is evaluated, so a run never starts with a value its definition rules out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from maestoso.params.errors import ParamError
from maestoso.sel import SelError
from maestoso.sel.maestro import evaluate_param_expression

_RULE = re.compile(r"@(\w+)(?:\(\s*([^)]*?)\s*\))?")
_RULES_ONLY = re.compile(r"^\s*(@\w+(\(\s*[^)]*\))?\s*)+$")


def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, str | list | dict) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _not_null(value: Any, _: str | None) -> str | None:
    return "must not be null" if value is None else None


def _not_empty(value: Any, _: str | None) -> str | None:
    size = _size(value)
    return "must not be empty" if value is None or size == 0 else None


def _positive(value: Any, _: str | None) -> str | None:
    number = _number(value)
    return "must be greater than 0" if number is None or number <= 0 else None


def _bound(limit: str | None, low: bool) -> float:
    try:
        return float(limit or "")
    except ValueError:
        rule = "@Min" if low else "@Max"
        raise ParamError(f"Invalid validator {rule}({limit}): its bound is not a number") from None


def _min(value: Any, limit: str | None) -> str | None:
    bound, number = _bound(limit, True), _number(value)
    return f"must be greater than or equal to {limit}" if number is None or number < bound else None


def _max(value: Any, limit: str | None) -> str | None:
    bound, number = _bound(limit, False), _number(value)
    return f"must be less than or equal to {limit}" if number is None or number > bound else None


_CHECKS: dict[str, Callable[[Any, str | None], str | None]] = {
    "NotNull": _not_null,
    "NotEmpty": _not_empty,
    "Positive": _positive,
    "Min": _min,
    "Max": _max,
}


def check(name: str, validator: str | None, value: Any) -> None:
    """Raise ParamError when ``value`` breaks ``validator``; the message names the param."""
    if validator is None or not validator.strip():
        return
    if _RULES_ONLY.match(validator):
        for rule, argument in _RULE.findall(validator):
            if rule not in _CHECKS:
                raise ParamError(f"Param [{name}] has an unknown validator [@{rule}]")
            problem = _CHECKS[rule](value, argument or None)
            if problem:
                raise ParamError(
                    f"Param [{name}] {problem} (validator [{validator.strip()}], value [{value}])"
                )
        return
    _check_expression(name, validator, value)


def _check_expression(name: str, validator: str, value: Any) -> None:
    # Maestro stores validators without running them, so definitions carry some that cannot
    # run at all (``param.size()`` on an array). Such a validator does not fail the param:
    # only one that runs and answers false does.
    try:
        result = evaluate_param_expression(validator, {"param": value})
    except SelError:
        return
    if result.value is not True:
        raise ParamError(
            f"Param [{name}] with value [{value}] does not satisfy its validator [{validator}]"
        )
