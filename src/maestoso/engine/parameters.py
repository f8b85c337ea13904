"""Evaluating a scope of param definitions into Maestro's evaluated params.

Each param is a definition plus ``evaluated_result`` and ``evaluated_time``. Expressions may
read other params of the same scope (evaluated first) and the variables of outer scopes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from maestoso.errors import ValidationError
from maestoso.models import ParamDefinition, ParamType
from maestoso.sel import SelError, parse
from maestoso.sel.maestro import evaluate_param_expression, to_param_type
from maestoso.sel.params import ParamsResolver
from maestoso.sel.state import NowSource


def evaluate_scope(
    definitions: Mapping[str, ParamDefinition],
    outer: Mapping[str, Any],
    *,
    now_ms: int,
    clock: NowSource | None = None,
    resolver: ParamsResolver | None = None,
    where: str = "params",
) -> dict[str, dict[str, Any]]:
    """Evaluated params (JSON-ready) in definition order; ValidationError names the param."""
    results: dict[str, Any] = {}
    for name in _dependency_order(definitions, where):
        results[name] = _evaluate(
            name, definitions[name], {**outer, **results}, clock, resolver, where
        )
    evaluated = {}
    for name, definition in definitions.items():
        body = definition.to_json()
        body["evaluated_result"] = results[name]
        body["evaluated_time"] = now_ms
        evaluated[name] = body
    return evaluated


def results_of(evaluated: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """name → evaluated result."""
    return {name: param.get("evaluated_result") for name, param in evaluated.items()}


def _evaluate(
    name: str,
    definition: ParamDefinition,
    variables: Mapping[str, Any],
    clock: NowSource | None,
    resolver: ParamsResolver | None,
    where: str,
) -> Any:
    if definition.expression is None:
        return _plain(definition.value)
    try:
        result = evaluate_param_expression(
            definition.expression, variables, clock=clock, params=resolver
        )
        return to_param_type(result, definition.type.value, name).value
    except SelError as exc:
        raise ValidationError(
            f"Failed to evaluate param [{name}]: {exc.message}",
            [f"{where}.{name}.expression: {exc.message}"],
        ) from None


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _plain(v.value if isinstance(v, ParamDefinition) else v) for k, v in value.items()
        }
    return value


def _dependency_order(definitions: Mapping[str, ParamDefinition], where: str) -> list[str]:
    """Params so that each comes after the params of the scope its expression reads."""
    reads: dict[str, set[str]] = {}
    for name, definition in definitions.items():
        if definition.expression is None or definition.type is ParamType.MAP:
            reads[name] = set()
            continue
        try:
            free = set(parse(_statement(definition.expression)).free_names)
        except SelError:
            free = set()  # reported when it is evaluated
        reads[name] = (free & definitions.keys()) - {name}
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = " -> ".join([*path[path.index(name) :], name])
            raise ValidationError(f"param cycle: {cycle}", [f"{where}.{name}: cycle {cycle}"])
        state[name] = 1
        for dependency in sorted(reads[name]):
            visit(dependency, [*path, name])
        state[name] = 2
        order.append(name)

    for name in definitions:
        visit(name, [])
    return order


def _statement(expression: str) -> str:
    from maestoso.sel.maestro import sanitize

    return sanitize(expression)
