"""Converting a value to a param's declared type, as Maestro's ``Parameter`` classes do.

A value arrives with a *kind*: the SEL type of an expression's result (``LONG``,
``STRING_ARRAY``, ``MAP``...) or, for a literal or a JSON value, the kind its Python type
implies (``LIST`` for a plain list). The rules follow ``Parameter.setEvaluatedResult``:
STRING takes any scalar, LONG takes a LONG or a numeric STRING, DOUBLE takes anything whose
text is a decimal, arrays take arrays or lists, MAP takes maps. Implicit conversions are
reported as Maestro reports them, in the ``info`` or ``warn`` meta of the param.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from maestoso.models import ParamType
from maestoso.params.errors import ParamError
from maestoso.sel.errors import SelError
from maestoso.sel.numbers import parse_long
from maestoso.sel.values import double_to_string

_DECIMAL = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")
SCALAR_KINDS = frozenset({"STRING", "LONG", "DOUBLE", "BOOLEAN"})
ARRAY_KINDS = frozenset({"STRING_ARRAY", "LONG_ARRAY", "DOUBLE_ARRAY", "BOOLEAN_ARRAY", "LIST"})
_JAVA_CLASSES = {
    "STRING": "class java.lang.String",
    "LONG": "class java.lang.Long",
    "DOUBLE": "class java.lang.Double",
    "BOOLEAN": "class java.lang.Boolean",
    "STRING_ARRAY": "class [Ljava.lang.String;",
    "LONG_ARRAY": "class [J",
    "DOUBLE_ARRAY": "class [D",
    "BOOLEAN_ARRAY": "class [Z",
    "LIST": "class java.util.ArrayList",
    "MAP": "class java.util.HashMap",
}


@dataclass(frozen=True, slots=True)
class Converted:
    """A value in its declared type, and the meta notes the conversion adds."""

    value: Any
    notes: dict[str, str] = field(default_factory=dict)


def kind_of(value: Any) -> str:
    """The kind of a plain Python value (a literal, a JSON value, a resolver's answer)."""
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        return "LONG"
    if isinstance(value, float):
        return "DOUBLE"
    if isinstance(value, str):
        return "STRING"
    if isinstance(value, list | tuple):
        return "LIST"
    if isinstance(value, dict):
        return "MAP"
    return type(value).__name__


def java_text(value: Any) -> str:
    """``String.valueOf`` of a scalar: Java's spelling of doubles and booleans."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return double_to_string(value)
    if value is None:
        return "null"
    return str(value)


def _expected(name: str, what: str, kind: str) -> ParamError:
    actual = _JAVA_CLASSES.get(kind, kind)
    return ParamError(
        f"Param [{name}] is expected to be a {what} compatible type but is [{actual}]"
    )


def _invalid(name: str, value: Any) -> ParamError:
    return ParamError(f"Param [{name}] has an invalid evaluated result [{value!r}]")


def _to_string(name: str, value: Any, kind: str) -> Converted:
    if kind not in SCALAR_KINDS:
        raise _expected(name, "String", kind)
    if kind == "STRING":
        return Converted(value)
    note = f"Implicitly converted the evaluated result to a string for type {_JAVA_CLASSES[kind]}"
    return Converted(java_text(value), {"info": note})


LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1


def _to_long(name: str, value: Any, kind: str) -> Converted:
    if kind == "LONG":
        if not LONG_MIN <= value <= LONG_MAX:  # a JSON or YAML literal has no Java bound
            raise ParamError(f"Param [{name}] is out of the range of a Long: [{value}]")
        return Converted(value)
    if kind != "STRING":
        raise _expected(name, "Long", kind)
    try:
        number = parse_long(value)
    except SelError:
        raise ParamError(
            f'Param [{name}] is expected to be a Long but is [{value}]: For input string: "{value}"'
        ) from None
    return Converted(
        number, {"warn": "Implicitly converted the evaluated result to a long for type String"}
    )


def _to_double(name: str, value: Any, kind: str) -> Converted:
    # Maestro reads ``new BigDecimal(String.valueOf(result))``: only decimal text passes.
    text = java_text(value) if kind in SCALAR_KINDS else repr(value)
    if not _DECIMAL.match(text):
        raise ParamError(f"Param [{name}] is not a decimal: [{text}]")
    return Converted(float(Decimal(text)))


def _to_boolean(name: str, value: Any, kind: str) -> Converted:
    if kind == "BOOLEAN":
        return Converted(value)
    if kind != "STRING":
        raise _expected(name, "Boolean", kind)
    if value.lower() not in ("true", "false"):
        raise ParamError(
            f"Param [{name}] is expected to have a Boolean compatible result but is [{value}]"
        )
    warn = "Implicitly converted the evaluated result to a boolean for type String"
    return Converted(value.lower() == "true", {"warn": warn})


def _to_string_array(name: str, value: Any, kind: str) -> Converted:
    if kind not in ARRAY_KINDS:
        raise _invalid(name, value)
    texts = [java_text(item) for item in value]
    if kind == "STRING_ARRAY":
        return Converted(texts)
    note = "Implicitly converted the evaluated result to a string array for type "
    return Converted(texts, {"info": note + _JAVA_CLASSES[kind]})


def _typed_array(element: str, name: str, value: Any, kind: str) -> Converted:
    element_kinds = {"LONG": ("LONG",), "DOUBLE": ("DOUBLE", "LONG"), "BOOLEAN": ("BOOLEAN",)}
    if kind == f"{element}_ARRAY":
        return Converted(list(value))
    if kind != "LIST" or any(kind_of(item) not in element_kinds[element] for item in value):
        raise _invalid(name, value)
    if element == "DOUBLE":
        return Converted([float(item) for item in value])
    return Converted(list(value))


def _to_string_map(name: str, value: Any, kind: str) -> Converted:
    if kind != "MAP":
        raise _invalid(name, value)
    # Maestro casts without checking, then Jackson reads the stored values back as strings;
    # converting now gives the run the value it will see after any reload.
    result: dict[str, str] = {}
    for key, item in value.items():
        if kind_of(item) not in SCALAR_KINDS and item is not None:
            raise ParamError(f"Param [{name}] has a non-string value at key [{key}]: {item!r}")
        result[str(key)] = None if item is None else java_text(item)  # type: ignore[assignment]
    return Converted(result)


def to_declared_type(name: str, param_type: ParamType, value: Any, kind: str) -> Converted:
    """``value`` of ``kind`` as ``param_type``; ParamError names the param and the mismatch."""
    if value is None:
        raise ParamError(f"Param [{name}] evaluated to null, which no param type accepts")
    if param_type is ParamType.STRING:
        return _to_string(name, value, kind)
    if param_type is ParamType.LONG:
        return _to_long(name, value, kind)
    if param_type is ParamType.DOUBLE:
        return _to_double(name, value, kind)
    if param_type is ParamType.BOOLEAN:
        return _to_boolean(name, value, kind)
    if param_type is ParamType.STRING_ARRAY:
        return _to_string_array(name, value, kind)
    if param_type.is_array:
        return _typed_array(param_type.value.removesuffix("_ARRAY"), name, value, kind)
    if param_type is ParamType.STRING_MAP:
        return _to_string_map(name, value, kind)
    if kind != "MAP":
        raise _invalid(name, value)
    return Converted(dict(value))


def literal_kind(param_type: ParamType) -> str:
    """The kind of a literal value already coerced to ``param_type``."""
    if param_type in (ParamType.MAP, ParamType.STRING_MAP):
        return "MAP"
    return param_type.value
