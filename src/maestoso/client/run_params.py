"""Run params from plain values: typed by the definition's declaration when it has one.

On the command line ``name=value`` is text, converted to the declared type (``secs=300``
is a LONG when the workflow declares ``secs`` LONG, else the STRING ``"300"``), and
``name:=json`` is a JSON value (``ids:=[1,2]``). In Python a value keeps its type unless the
definition declares another; a ``{"value": …, "type": …}`` dict is sent as it is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from maestoso.models.params import ParamType

_ELEMENT = {
    ParamType.STRING_ARRAY: str,
    ParamType.LONG_ARRAY: int,
    ParamType.DOUBLE_ARRAY: float,
}


class ParamError(ValueError):
    """A run param that cannot be given the type its workflow declares."""


def parse_assignments(pairs: list[str]) -> dict[str, Any]:
    """``["a=text", "b:=[1, 2]"]`` → ``{"a": Text("text"), "b": [1, 2]}``."""
    values: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or not name.rstrip(":"):
            raise ParamError(f"[{pair}] must be name=value or name:=json")
        if name.endswith(":"):
            try:
                values[name[:-1]] = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ParamError(f"[{pair}]: the value is not JSON: {exc.msg}") from None
        else:
            values[name] = Text(text)
    return values


class Text(str):
    """A value written as text, to be converted to the declared type (not only STRING)."""

    __slots__ = ()


def typed_params(values: Mapping[str, Any], declared: Mapping[str, Any]) -> dict[str, Any]:
    """Maestro's run params (``{"value", "type"}``) for ``values``; ``declared`` is the
    definition's ``workflow.params``."""
    params: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, dict) and "type" in value:
            params[name] = value
            continue
        kind = _declared_type(declared.get(name))
        params[name] = (
            {"value": _convert(name, value, kind), "type": kind.value}
            if kind
            else {
                "value": value,
                "type": type_of(value).value,
            }
        )
    return params


def _declared_type(definition: Any) -> ParamType | None:
    if isinstance(definition, dict) and isinstance(definition.get("type"), str):
        try:
            return ParamType(definition["type"])
        except ValueError:
            return None
    return None


def _convert(name: str, value: Any, kind: ParamType) -> Any:
    if not isinstance(value, Text):
        return value
    try:
        return _from_text(str(value), kind)
    except ValueError:
        raise ParamError(f"param [{name}] is {kind.value}; [{value}] is not one") from None


def _from_text(text: str, kind: ParamType) -> Any:
    if kind is ParamType.STRING:
        return text
    if kind is ParamType.LONG:
        return int(text)
    if kind is ParamType.DOUBLE:
        return float(text)
    if kind is ParamType.BOOLEAN:
        if text.lower() not in ("true", "false"):
            raise ValueError(text)
        return text.lower() == "true"
    if kind in _ELEMENT and not text.lstrip().startswith("["):
        return [_ELEMENT[kind](item.strip()) for item in text.split(",") if item.strip()]
    return json.loads(text)


def type_of(value: Any) -> ParamType:
    """The param type of a Python value, as the YAML DSL types literals."""
    if isinstance(value, bool):
        return ParamType.BOOLEAN
    if isinstance(value, int):
        return ParamType.LONG
    if isinstance(value, float):
        return ParamType.DOUBLE
    if isinstance(value, list):
        return _array_type(value)
    if isinstance(value, dict):
        return (
            ParamType.STRING_MAP
            if all(isinstance(v, str) for v in value.values())
            else (ParamType.MAP)
        )
    return ParamType.STRING


def _array_type(items: list[Any]) -> ParamType:
    if not items:
        return ParamType.STRING_ARRAY
    element = type_of(items[0])
    arrays = {
        ParamType.LONG: ParamType.LONG_ARRAY,
        ParamType.DOUBLE: ParamType.DOUBLE_ARRAY,
        ParamType.BOOLEAN: ParamType.BOOLEAN_ARRAY,
    }
    return arrays.get(element, ParamType.STRING_ARRAY)
