"""Conversion between plain Python values and SEL values."""

from __future__ import annotations

from collections.abc import Mapping

from maestoso.sel.errors import illegal_argument, unsupported
from maestoso.sel.values import (
    BOOLEAN_ARRAY,
    DATA_TYPES,
    DOUBLE_ARRAY,
    LONG_ARRAY,
    LONG_MAX,
    LONG_MIN,
    NULL,
    STRING_ARRAY,
    ArrayV,
    BoolV,
    DoubleV,
    LongV,
    MapV,
    NullV,
    StringV,
    Value,
    VoidV,
)

Plain = int | float | str | bool | None | list["Plain"] | dict[str, "Plain"]


def _long(value: int) -> LongV:
    if not LONG_MIN <= value <= LONG_MAX:
        raise illegal_argument(f"Integer {value} does not fit in a 64-bit long")
    return LongV(value)


def _array(items: list[object]) -> ArrayV:
    if all(isinstance(item, str) or item is None for item in items):
        return ArrayV(STRING_ARRAY, [StringV(item) for item in items])  # type: ignore[arg-type]
    if all(isinstance(item, bool) for item in items):
        return ArrayV(BOOLEAN_ARRAY, [BoolV(bool(item)) for item in items])
    if all(isinstance(item, int) and not isinstance(item, bool) for item in items):
        return ArrayV(LONG_ARRAY, [_long(item) for item in items])  # type: ignore[arg-type]
    if all(isinstance(item, int | float) and not isinstance(item, bool) for item in items):
        return ArrayV(DOUBLE_ARRAY, [DoubleV(float(item)) for item in items])  # type: ignore[arg-type]
    raise unsupported(f"Not support to box a list of mixed or nested values: {items!r}")


def _map_entry(value: object) -> Value:
    if value is None or (isinstance(value, list) and not value):
        raise illegal_argument(f"Invalid map entry type ({value!r}) for Map constructor")
    return box(value)


def box(value: object) -> Value:
    """A fresh SEL value for a Python input: int -> LONG, list of str -> STRING_ARRAY..."""
    if value is None:
        return NULL
    if isinstance(value, Value):
        return value
    if isinstance(value, bool):
        return BoolV(value)
    if isinstance(value, int):
        return _long(value)
    if isinstance(value, float):
        return DoubleV(value)
    if isinstance(value, str):
        return StringV(value)
    if isinstance(value, list | tuple):
        return _array(list(value))
    if isinstance(value, Mapping):
        entries: dict[str, Value] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise illegal_argument(f"Invalid map key ({key!r}): keys are strings")
            entries[key] = _map_entry(item)
        return MapV(entries)
    raise unsupported(f"Not support to box an object of type {type(value).__name__}")


def unbox(value: Value) -> Plain:
    """The plain Python value of a data value (arrays and maps deeply)."""
    if isinstance(value, LongV | DoubleV | StringV | BoolV):
        return value.v
    if isinstance(value, ArrayV):
        return [unbox(item) for item in value.v]
    if isinstance(value, MapV):
        if value.v is None:
            return None
        result: dict[str, Plain] = {}
        for key, item in value.v.items():
            if item.T not in DATA_TYPES:
                raise unsupported(
                    f"Invalid type, not support having map entry value {item.to_string()} "
                    f"for key {key}"
                )
            result[key] = unbox(item)
        return result
    if isinstance(value, NullV | VoidV):
        return None
    return value.java_str()
