"""Method and field dispatch through explicit per-type tables (never Python attributes)."""

from __future__ import annotations

from collections.abc import Callable

from maestoso.sel.errors import SelError, illegal_argument, unsupported
from maestoso.sel.state import State
from maestoso.sel.values import NULL_T, LongV, StringV, Value, int_value

Method = Callable[[State, Value, list[Value]], Value]
FieldGetter = Callable[[State, Value], Value]

METHODS: dict[str, dict[str, Method]] = {}
"""SEL type name -> method name -> implementation."""
FIELDS: dict[str, dict[str, FieldGetter]] = {}
"""SEL type name -> field name -> getter."""
FALLBACK_METHODS: dict[str, Callable[[State, Value, str, list[Value]], Value]] = {}
"""SEL type name -> handler of the method names its table lacks."""
FALLBACK_FIELDS: dict[str, Callable[[State, Value, str], Value]] = {}
"""SEL type name -> handler of the field names its table lacks."""

_INT_MAX = (1 << 31) - 1


def register(type_name: str, name: str) -> Callable[[Method], Method]:
    def add(fn: Method) -> Method:
        METHODS.setdefault(type_name, {})[name] = fn
        return fn

    return add


def args_text(args: list[Value]) -> str:
    return "[" + ", ".join(arg.to_string() for arg in args) + "]"


def no_method(recv: Value, name: str, args: list[Value]) -> SelError:
    kind = recv.T
    if kind == NULL_T or kind.endswith("_ARRAY") or kind == "BOOLEAN":
        return unsupported(f"{kind} DO NOT support calling {name}")
    return unsupported(f"{kind} DO NOT support calling method: {name} with args: {args_text(args)}")


def call_method(st: State, recv: Value, name: str, args: list[Value]) -> Value:
    table = METHODS.get(recv.T)
    method = table.get(name) if table is not None else None
    if method is None:
        fallback = FALLBACK_METHODS.get(recv.T)
        if fallback is not None:
            return fallback(st, recv, name, args)
        raise no_method(recv, name, args)
    return method(st, recv, args)


def get_field(st: State, recv: Value, name: str) -> Value:
    table = FIELDS.get(recv.T)
    getter = table.get(name) if table is not None else None
    if getter is None:
        fallback = FALLBACK_FIELDS.get(recv.T)
        if fallback is not None:
            return fallback(st, recv, name)
        raise unsupported(f"{recv.T} DO NOT support accessing field: {name}")
    return getter(st, recv)


def failed(name: str, args: list[Value]) -> SelError:
    """SEL's wrapping of any Java failure inside a method."""
    return illegal_argument(f"Failed calling method {name}{len(args)}")


def java_int(value: Value, name: str, args: list[Value]) -> int:
    """An ``int`` parameter: a LONG up to ``Integer.MAX_VALUE``, truncated below it."""
    if not isinstance(value, LongV) or value.v > _INT_MAX:
        raise failed(name, args)
    return int_value(value.v)


def java_string(value: Value, name: str, args: list[Value]) -> str:
    """A non-null ``String`` parameter."""
    if not isinstance(value, StringV) or value.v is None:
        raise failed(name, args)
    return value.v


def need(args: list[Value], count: int, recv: Value, name: str) -> None:
    if len(args) != count:
        raise no_method(recv, name, args)
