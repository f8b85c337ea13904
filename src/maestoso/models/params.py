"""Typed parameter definitions: a ``value`` or an ``expression`` of a declared type."""

from __future__ import annotations

import math
import re
from typing import Any

from pydantic import ValidationError, model_validator

from maestoso.models.base import CaseInsensitiveEnum, OpenMaestroModel
from maestoso.models.users import TagList

MAP_SIZE_LIMIT = 128
_LONG_TEXT = re.compile(r"^[+-]?[0-9]+$")
_DOUBLE_TEXT = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")


class ParamType(CaseInsensitiveEnum):
    STRING = "STRING"
    LONG = "LONG"
    DOUBLE = "DOUBLE"
    BOOLEAN = "BOOLEAN"
    STRING_MAP = "STRING_MAP"
    STRING_ARRAY = "STRING_ARRAY"
    LONG_ARRAY = "LONG_ARRAY"
    DOUBLE_ARRAY = "DOUBLE_ARRAY"
    BOOLEAN_ARRAY = "BOOLEAN_ARRAY"
    MAP = "MAP"

    @property
    def is_array(self) -> bool:
        return self.value.endswith("_ARRAY")


class ParamMode(CaseInsensitiveEnum):
    CONSTANT = "CONSTANT"
    IMMUTABLE = "IMMUTABLE"
    MUTABLE = "MUTABLE"
    MUTABLE_ON_START = "MUTABLE_ON_START"
    MUTABLE_ON_START_RESTART = "MUTABLE_ON_START_RESTART"


def _is_long(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_double(value: Any) -> bool:
    return _is_long(value) or isinstance(value, float)


def _to_long(value: Any) -> int:
    if _is_long(value):
        return int(value)
    if isinstance(value, str) and _LONG_TEXT.match(value.strip()):
        return int(value)
    raise ValueError(f"[{value!r}] is not a LONG")


def _to_double(value: Any) -> float | int:
    # Maestro reads doubles as BigDecimal: decimal text only, never NaN or infinities.
    if _is_double(value) and math.isfinite(value):
        return value  # type: ignore[no-any-return]
    if isinstance(value, str) and _DOUBLE_TEXT.match(value.strip()):
        return float(value)
    raise ValueError(f"[{value!r}] is not a DOUBLE")


def _to_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValueError(f"[{value!r}] is not a BOOLEAN")


def _to_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    raise ValueError(f"[{value!r}] is not a STRING")


_SCALARS = {
    ParamType.STRING: _to_string,
    ParamType.LONG: _to_long,
    ParamType.DOUBLE: _to_double,
    ParamType.BOOLEAN: _to_boolean,
}
_ELEMENTS = {
    ParamType.STRING_ARRAY: _to_string,
    ParamType.LONG_ARRAY: _to_long,
    ParamType.DOUBLE_ARRAY: _to_double,
    ParamType.BOOLEAN_ARRAY: _to_boolean,
}


class ParamDefinition(OpenMaestroModel):
    """A param as a definition declares it. Extra keys (``source``, ``internal_mode``…) are
    kept as meta, as Maestro does. For ``MAP`` the value is a map of nested definitions."""

    name: str | None = None
    value: Any = None
    expression: str | None = None
    type: ParamType
    validator: str | None = None
    tags: TagList | None = None
    mode: ParamMode | None = None

    @model_validator(mode="after")
    def _check_value(self) -> ParamDefinition:
        if (self.value is None) == (self.expression is None):
            raise ValueError("exactly one of value and expression must be set")
        if self.value is not None:
            self.value = coerce_value(self.type, self.value)
        return self


def coerce_value(param_type: ParamType, value: Any) -> Any:
    """The value in the canonical form of its type; ValueError names what does not fit."""
    if param_type in _SCALARS:
        return _SCALARS[param_type](value)
    if param_type in _ELEMENTS:
        if not isinstance(value, list):
            raise ValueError(f"a {param_type.value} value must be a JSON array")
        return [_element(_ELEMENTS[param_type], item, index) for index, item in enumerate(value)]
    if not isinstance(value, dict):
        raise ValueError(f"a {param_type.value} value must be a JSON object")
    if len(value) > MAP_SIZE_LIMIT:
        raise ValueError(f"a {param_type.value} value has more than {MAP_SIZE_LIMIT} entries")
    if param_type is ParamType.STRING_MAP:
        return {str(k): _entry(_to_string, v, k) for k, v in value.items()}
    return {str(k): _nested(v, k) for k, v in value.items()}


def _element(convert: Any, item: Any, index: int) -> Any:
    try:
        return convert(item)
    except ValueError as exc:
        raise ValueError(f"element [{index}]: {exc}") from None


def _entry(convert: Any, item: Any, key: str) -> Any:
    try:
        return convert(item)
    except ValueError as exc:
        raise ValueError(f"entry [{key}]: {exc}") from None


def _nested(item: Any, key: str) -> ParamDefinition:
    if isinstance(item, ParamDefinition):
        return item
    try:
        return ParamDefinition.model_validate(item)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        suffix = f".{where}" if where else ""
        message = first["msg"].removeprefix("Value error, ")
        raise ValueError(f"entry [{key}]{suffix}: {message}") from None


ParamMap = dict[str, ParamDefinition]
