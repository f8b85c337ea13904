"""The class names SEL knows: declaration types, constructors and the built-in names."""

from __future__ import annotations

from collections.abc import Callable

from maestoso.sel.errors import illegal_argument, unsupported
from maestoso.sel.state import State
from maestoso.sel.values import (
    ARRAY_OF,
    BOOLEAN,
    BOOLEAN_STANDIN,
    DOUBLE,
    DOUBLE_STANDIN,
    LONG,
    LONG_STANDIN,
    MAP,
    MAP_STANDIN,
    STRING,
    STRING_STANDIN,
    Value,
    new_default,
)

Constructor = Callable[[State, list[Value]], Value]

CLASS_TYPES: dict[str, str] = {
    **dict.fromkeys(("int", "long", "Integer", "Long"), LONG),
    **dict.fromkeys(("float", "double", "Float", "Double"), DOUBLE),
    **dict.fromkeys(("boolean", "Boolean"), BOOLEAN),
    "String": STRING,
    **dict.fromkeys(("Map", "HashMap", "LinkedHashMap"), MAP),
    "DateTime": "DATETIME",
    "DateTimeZone": "DATETIME_ZONE",
    **dict.fromkeys(("DateTimeFormat", "DateTimeFormatter"), "DATETIME_FORMATTER"),
    "Property": "DATETIME_PROPERTY",
    "Days": "DATETIME_DAYS",
    "UUID": "UUID",
}
"""Java class name -> SEL type, for declarations and ``new``."""

CONSTRUCTORS: dict[str, Constructor] = {}
"""SEL type -> ``new T(args)``."""
DEFAULTS: dict[str, Callable[[], Value]] = {}
"""SEL type of the non-data types -> the empty object ``T x;`` binds."""

STATICS: dict[str, Value] = {
    **dict.fromkeys(("Integer", "Long"), LONG_STANDIN),
    **dict.fromkeys(("Float", "Double"), DOUBLE_STANDIN),
    "Boolean": BOOLEAN_STANDIN,
    "String": STRING_STANDIN,
    **dict.fromkeys(("Map", "HashMap", "LinkedHashMap"), MAP_STANDIN),
}
"""The built-in names every evaluation starts with (read-only objects)."""


def class_type(name: str) -> str:
    """The SEL type of a Java class name, or SEL's error for an unknown class."""
    kind = CLASS_TYPES.get(name)
    if kind is None:
        raise unsupported(
            "Please check the manual for supported classes, which does not include class:  " + name
        )
    return kind


def array_type(element: str) -> str:
    kind = ARRAY_OF.get(element)
    if kind is None:
        raise illegal_argument(f"Cannot create an array of {element}")
    return kind


def default_value(kind: str) -> Value:
    """A fresh empty object of a type (``T x;``)."""
    value = new_default(kind)
    if value is not None:
        return value
    factory = DEFAULTS.get(kind)
    if factory is None:
        raise unsupported(f"Not support creating an empty object for type {kind}")
    return factory()


def construct(st: State, kind: str, args: list[Value]) -> Value:
    constructor = CONSTRUCTORS.get(kind)
    if constructor is None:
        raise unsupported(f"{kind} DO NOT support calling constructor")
    return constructor(st, args)
