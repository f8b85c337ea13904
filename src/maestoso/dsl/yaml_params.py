"""DSL params: typed keys (``!name<type>(mode)``) and YAML values into Maestro param definitions.

A key is ``name``, optionally led by ``!`` (the value is a SEL expression, of type STRING
unless a type is given), followed by a type in angle brackets and a mode in parentheses:
``'!partition_count<long>(constant)': "1+9"``. Types are Maestro's param types (any case)
plus ``array<string|long|double|boolean>``, ``map`` (STRING_MAP) and ``pmap`` (MAP of nested
params). Without a type, a literal's type follows its YAML value.

Where Maestro rejects an input by a crash rather than a message (a list mixing kinds of items,
a number out of the 64-bit range) a problem is reported instead. Two cases Maestro rejects are
accepted because their meaning is plain: a whole number for a DOUBLE (or in a DOUBLE_ARRAY) and
an empty mapping for a STRING_MAP.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from maestoso.dsl.yaml_fields import is_long, scalar_text
from maestoso.dsl.yaml_problems import Loc, Problems, YamlMap

PARAM_TYPES = frozenset(
    {"STRING", "LONG", "DOUBLE", "BOOLEAN", "STRING_MAP", "STRING_ARRAY", "LONG_ARRAY",
     "DOUBLE_ARRAY", "BOOLEAN_ARRAY", "MAP"}
)  # fmt: skip
PARAM_MODES = frozenset(
    {"CONSTANT", "IMMUTABLE", "MUTABLE", "MUTABLE_ON_START", "MUTABLE_ON_START_RESTART"}
)
_TYPE_ALIASES = {"MAP": "STRING_MAP", "PMAP": "MAP"}
_ARRAY_TYPE = re.compile(r"ARRAY\s*<(.*)>")
_ARRAY_ELEMENTS = ("STRING", "LONG", "DOUBLE", "BOOLEAN")
# Characters of the key syntax, which cannot be part of a name once the syntax is removed.
_SYNTAX_CHARS = re.compile(r"[!<>()]")


class ParamValueError(Exception):
    """A param that cannot be converted; its message becomes a problem."""


@dataclass(frozen=True)
class ParamKey:
    """A parsed param key: its name, whether its value is a literal, its type and mode."""

    name: str
    is_literal: bool
    type: str | None
    mode: str | None


def parse_params(raw: YamlMap, loc: Loc, problems: Problems) -> dict[str, dict[str, Any]]:
    """Convert a mapping of DSL params at ``loc`` into ``{name: param definition}``."""
    result: dict[str, dict[str, Any]] = {}
    for key, value in raw.items():
        at = loc.key(raw, key)
        try:
            param_key = parse_param_key(key)
            definition = _definition(param_key, value, at, problems)
        except ParamValueError as exc:
            problems.add(at, str(exc))
            continue
        if param_key.name in result:
            problems.add(at, f"param [{param_key.name}] is defined more than once")
        result[param_key.name] = definition
    return result


def parse_param_key(key: str) -> ParamKey:
    """Split ``!name<type>(mode)`` into its parts."""
    name = key.strip()
    is_literal = not name.startswith("!")
    if not is_literal:
        name = name[1:]
    mode = None
    mode_start, mode_end = name.rfind("("), name.rfind(")")
    if mode_start > 0 and mode_end > mode_start:
        mode = _param_mode(name[mode_start + 1 : mode_end], name[mode_end + 1 :])
        name = name[:mode_start].strip()
    param_type = None
    type_start, type_end = name.find("<"), name.rfind(">")
    if type_start > 0 and type_end > type_start:
        param_type = _param_type(name[type_start + 1 : type_end], name[type_end + 1 :])
        name = name[:type_start].strip()
    if not name:
        raise ParamValueError(f"param key [{key}] has no name")
    if _SYNTAX_CHARS.search(name):
        raise ParamValueError(
            f"param key [{key}] is malformed: expected name, !name, name<type>, "
            "name(mode) or name<type>(mode)"
        )
    return ParamKey(name, is_literal, param_type, mode)


def _param_mode(text: str, rest: str) -> str:
    mode = text.strip().upper()
    if mode not in PARAM_MODES or rest.strip():
        raise ParamValueError(
            f"invalid param mode [{text.strip()}{rest}]; supported modes are {sorted(PARAM_MODES)}"
        )
    return mode


def _param_type(text: str, rest: str) -> str:
    type_text = text.strip().upper()
    array = _ARRAY_TYPE.fullmatch(type_text)
    if rest.strip():
        raise ParamValueError(f"unexpected [{rest.strip()}] after the param type")
    if array is not None:
        element = array.group(1).strip()
        if element not in _ARRAY_ELEMENTS:
            raise ParamValueError(
                f"unsupported array type [{text.strip()}]; array items may be "
                "string, long, double or boolean"
            )
        return f"{element}_ARRAY"
    param_type = _TYPE_ALIASES.get(type_text, type_text)
    if param_type not in PARAM_TYPES:
        raise ParamValueError(
            f"invalid param type [{text.strip()}]; supported types are {sorted(PARAM_TYPES)}, "
            "array<...>, map and pmap"
        )
    return param_type


def implied_type(value: Any) -> str | None:
    """The param type a YAML value implies (None for an empty list, which has none)."""
    if (scalar_type := _SCALAR_TYPES.get(type(value))) is not None:
        return scalar_type
    if isinstance(value, dict):
        if value and all(isinstance(v, str) for v in value.values()):
            return "STRING_MAP"
        return "MAP"
    if isinstance(value, list):
        if not value:
            return None
        if (element := _SCALAR_TYPES.get(type(value[0]))) is None:
            raise ParamValueError("a list param must hold strings, numbers or booleans")
        return f"{element}_ARRAY"
    raise ParamValueError(f"unsupported param value [{value}]")  # pragma: no cover - not from YAML


_SCALAR_TYPES = {str: "STRING", bool: "BOOLEAN", int: "LONG", float: "DOUBLE"}


def _definition(key: ParamKey, value: Any, loc: Loc, problems: Problems) -> dict[str, Any]:
    if value is None:
        raise ParamValueError(f"param [{key.name}] has no value")
    if key.is_literal:
        param_type = _literal_type(key, value)
        definition = {"value": _literal(param_type, value, loc, problems), "type": param_type}
    else:
        expression = scalar_text(value)
        if expression is None:
            raise ParamValueError(f"the expression of param [{key.name}] must be a string")
        definition = {"expression": expression, "type": key.type or "STRING"}
    if key.mode is not None:
        definition["mode"] = key.mode
    return definition


def _literal_type(key: ParamKey, value: Any) -> str:
    implied = implied_type(value)
    if key.type is None:
        return implied or "STRING_ARRAY"
    compatible = (
        implied is None
        or implied == key.type
        or (key.type, implied) in _COMPATIBLE_TYPES
        or (key.type == "STRING_MAP" and value == {})
    )
    if not compatible:
        raise ParamValueError(
            f"param [{key.name}] is declared as {key.type} but its value [{value}] is {implied}"
        )
    return key.type


# (declared, implied) pairs whose values convert without loss of meaning.
_COMPATIBLE_TYPES = {("MAP", "STRING_MAP"), ("DOUBLE", "LONG"), ("DOUBLE_ARRAY", "LONG_ARRAY")}


def _literal(param_type: str, value: Any, loc: Loc, problems: Problems) -> Any:
    if param_type == "MAP":
        return parse_params(value, loc, problems)
    if param_type == "STRING_MAP":
        return dict(value)
    if param_type.endswith("_ARRAY"):
        element = param_type.removesuffix("_ARRAY")
        return [_scalar(element, item, f"item {index} ") for index, item in enumerate(value)]
    return _scalar(param_type, value, "")


def _scalar(param_type: str, value: Any, what: str) -> Any:
    if param_type == "STRING" and isinstance(value, str):
        return value
    if param_type == "BOOLEAN" and isinstance(value, bool):
        return value
    if param_type == "LONG" and is_long(value):
        return value
    if param_type == "DOUBLE" and (is_long(value) or isinstance(value, float)):
        if math.isfinite(value):
            return float(value)
    raise ParamValueError(f"{what}[{value}] is not a valid {param_type}")
