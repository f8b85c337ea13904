"""LONG, DOUBLE and BOOLEAN: constructors, methods and Java's number parsing."""

from __future__ import annotations

import math
import re

from maestoso.sel.classes import CONSTRUCTORS
from maestoso.sel.dispatch import need, no_method, register
from maestoso.sel.errors import class_cast, illegal_argument, number_format
from maestoso.sel.state import State
from maestoso.sel.values import (
    BOOLEAN,
    DOUBLE,
    LONG,
    LONG_MAX,
    LONG_MIN,
    STRING,
    BoolV,
    DoubleV,
    LongV,
    StringV,
    Value,
)

_DECIMAL = re.compile(r"[+-]?(NaN|Infinity|((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[fFdD]?)")
_HEX_FLOAT = re.compile(
    r"[+-]?0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?\d+[fFdD]?"
)


def parse_long(text: str | None) -> int:
    """``Long.parseLong``: an optional sign and ASCII digits, within range."""
    if text is None:
        raise number_format("null")
    body = text[1:] if text[:1] in ("+", "-") else text
    # Over 19 digits is out of range anyway; the check spares int() a huge text.
    if not body or not body.isascii() or not body.isdigit() or len(body.lstrip("0")) > 19:
        raise number_format(text)
    value = int(text)
    if not LONG_MIN <= value <= LONG_MAX:
        raise number_format(text)
    return value


def parse_double(text: str | None) -> float:
    """``Double.parseDouble``: trims, then Java's decimal or hex floating syntax."""
    if text is None:
        raise illegal_argument("null")  # Java raises NullPointerException here
    trimmed = text.strip("".join(chr(c) for c in range(33)))
    if _DECIMAL.fullmatch(trimmed):
        body = trimmed.rstrip("fFdD") if trimmed[-1:] not in ("N", "y") else trimmed
        return float(body)
    if _HEX_FLOAT.fullmatch(trimmed):
        return float.fromhex(trimmed.rstrip("fFdD"))
    raise number_format(text)


def to_long(value: float) -> int:
    """Java's ``(long)`` cast of a double: truncating, saturating, NaN to 0."""
    if value != value:
        return 0
    if math.isinf(value):
        return LONG_MAX if value > 0 else LONG_MIN
    return max(LONG_MIN, min(LONG_MAX, int(value)))


def _new_long(st: State, args: list[Value]) -> Value:
    if len(args) == 1 and isinstance(args[0], LongV):
        return LongV(args[0].v)
    if len(args) == 1 and isinstance(args[0], StringV):
        return LongV(parse_long(args[0].v))
    raise illegal_argument(f"Invalid input argument ({_describe(args)}) for Long constructor")


def _new_double(st: State, args: list[Value]) -> Value:
    if len(args) == 1 and isinstance(args[0], DoubleV):
        return DoubleV(args[0].v)
    if len(args) == 1 and isinstance(args[0], StringV):
        return DoubleV(parse_double(args[0].v))
    raise illegal_argument(f"Invalid input argument ({_describe(args)}) for Double constructor")


def _new_boolean(st: State, args: list[Value]) -> Value:
    if len(args) == 1 and isinstance(args[0], BoolV):
        return BoolV(args[0].v)
    if len(args) == 1 and isinstance(args[0], StringV):
        return BoolV((args[0].v or "").lower() == "true")
    raise illegal_argument(f"Invalid input argument ({_describe(args)}) for Boolean constructor")


def _new_string(st: State, args: list[Value]) -> Value:
    if not args:
        return StringV("")
    if len(args) == 1 and isinstance(args[0], StringV | LongV):
        return StringV(args[0].java_str() if args[0].v is not None else None)
    raise illegal_argument(f"Invalid input argument ({_describe(args)}) for String constructor")


def _describe(args: list[Value]) -> str:
    return ", ".join(arg.to_string() for arg in args)


CONSTRUCTORS.update({LONG: _new_long, DOUBLE: _new_double, BOOLEAN: _new_boolean})
CONSTRUCTORS[STRING] = _new_string


def _long_to_string(st: State, recv: Value, args: list[Value]) -> Value:
    assert isinstance(recv, LongV)
    if not args:
        return StringV(str(recv.v))
    if len(args) == 1 and isinstance(args[0], LongV):
        return StringV(str(args[0].v))
    raise no_method(recv, "toString", args)


def _long_value_of(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 1, recv, "valueOf")
    arg = args[0]
    if isinstance(arg, StringV):
        return LongV(parse_long(arg.v))
    if isinstance(arg, LongV):
        return LongV(arg.v)
    raise no_method(recv, "valueOf", args)


def _parse_long(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 1, recv, "parseLong")
    if not isinstance(args[0], StringV):
        raise class_cast(f"{args[0].T} cannot be cast to class SelString")
    return LongV(parse_long(args[0].v))


def _long_int_value(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 0, recv, "intValue")
    assert isinstance(recv, LongV)
    return LongV(recv.v)


register(LONG, "toString")(_long_to_string)
register(LONG, "valueOf")(_long_value_of)
register(LONG, "parseLong")(_parse_long)
register(LONG, "intValue")(_long_int_value)


def _double_to_string(st: State, recv: Value, args: list[Value]) -> Value:
    assert isinstance(recv, DoubleV)
    if not args:
        return StringV(recv.java_str())
    if len(args) == 1 and isinstance(args[0], DoubleV):
        return StringV(args[0].java_str())
    raise no_method(recv, "toString", args)


def _double_value_of(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 1, recv, "valueOf")
    arg = args[0]
    if isinstance(arg, StringV):
        return DoubleV(parse_double(arg.v))
    if isinstance(arg, DoubleV):
        return DoubleV(arg.v)
    raise no_method(recv, "valueOf", args)


def _parse_double(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 1, recv, "parseDouble")
    if not isinstance(args[0], StringV):
        raise class_cast(f"{args[0].T} cannot be cast to class SelString")
    return DoubleV(parse_double(args[0].v))


def _double_to_long(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 0, recv, "longValue")
    assert isinstance(recv, DoubleV)
    return LongV(to_long(recv.v))


register(DOUBLE, "toString")(_double_to_string)
register(DOUBLE, "valueOf")(_double_value_of)
register(DOUBLE, "parseDouble")(_parse_double)
register(DOUBLE, "intValue")(_double_to_long)
register(DOUBLE, "longValue")(_double_to_long)
