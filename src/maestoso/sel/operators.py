"""SEL's operators: dispatched on the left operand's type, with Java's arithmetic."""

from __future__ import annotations

import math

from maestoso.sel.errors import ARITHMETIC, SelError, class_cast, type_mismatch, unsupported
from maestoso.sel.values import (
    ARRAY_TYPES,
    BOOLEAN,
    DOUBLE,
    FALSE,
    LONG,
    MAP,
    NULL_T,
    STRING,
    TRUE,
    BoolV,
    DoubleV,
    LongV,
    StringV,
    Value,
    wrap_long,
)

_EQUALITY = frozenset({"==", "!="})
_LONG_OPS = "int/Integer/long/Long"
_DOUBLE_OPS = "float/Float/double/Doubles"
# Values whose `=` copies a reference to the same storage rather than the content.
_REFERENCE_TYPES = ARRAY_TYPES | {MAP, "DATETIME", "DATETIME_ZONE", "DATETIME_FORMATTER"}
_REFERENCE_TYPES |= {"DATETIME_PROPERTY", "DATETIME_DAYS", "UUID"}


def truth(flag: bool) -> BoolV:
    return TRUE if flag else FALSE


def long_div(a: int, b: int) -> int:
    if b == 0:
        raise SelError("/ by zero", kind=ARITHMETIC)
    q = abs(a) // abs(b)
    return wrap_long(q if (a < 0) == (b < 0) else -q)


def long_mod(a: int, b: int) -> int:
    if b == 0:
        raise SelError("/ by zero", kind=ARITHMETIC)
    r = abs(a) % abs(b)
    return -r if a < 0 else r


def double_div(a: float, b: float) -> float:
    if b == 0.0:
        if a != a or a == 0.0:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def double_mod(a: float, b: float) -> float:
    if b == 0.0 or math.isinf(a) or a != a or b != b:
        return math.nan
    if math.isinf(b):
        return a
    return math.fmod(a, b)


def _long_arith(op: str, a: int, b: int) -> Value:
    if op == "+":
        return LongV(wrap_long(a + b))
    if op == "-":
        return LongV(wrap_long(a - b))
    if op == "*":
        return LongV(wrap_long(a * b))
    if op == "/":
        return LongV(long_div(a, b))
    if op == "%":
        return LongV(long_mod(a, b))
    raise unsupported(f"{_LONG_OPS} DO NOT support expression operation {op}")


def _compare(op: str, a: float, b: float) -> Value | None:
    if op == "==":
        return truth(a == b)
    if op == "!=":
        return truth(a != b)
    if op == "<":
        return truth(a < b)
    if op == ">":
        return truth(a > b)
    if op == "<=":
        return truth(a <= b)
    if op == ">=":
        return truth(a >= b)
    return None


def _long_op(op: str, a: LongV, b: Value) -> Value:
    kind = b.T
    if kind == NULL_T and op in _EQUALITY:
        return _null_op(op, b, a)
    if kind == DOUBLE:
        return _double_op(op, DoubleV(float(a.v)), b)
    if kind == STRING:
        return _string_op(op, StringV(str(a.v)), b)
    if kind != LONG:
        raise type_mismatch(LONG, kind)
    assert isinstance(b, LongV)
    result = _compare(op, a.v, b.v)
    return result if result is not None else _long_arith(op, a.v, b.v)


def _double_op(op: str, a: DoubleV, b: Value) -> Value:
    kind = b.T
    if kind == NULL_T:
        if op in _EQUALITY:
            return _null_op(op, b, a)
        raise unsupported(f"DOUBLE DO NOT support {op} for rhs with NULL value")
    if kind == STRING:
        return _string_op(op, StringV(a.java_str()), b)
    if not isinstance(b, LongV | DoubleV):
        raise class_cast(f"{kind} cannot be cast to class java.lang.Number")
    x, y = a.v, float(b.v)
    result = _compare(op, x, y)
    if result is not None:
        return result
    if op == "+":
        return DoubleV(x + y)
    if op == "-":
        return DoubleV(x - y)
    if op == "*":
        return DoubleV(x * y)
    if op == "/":
        return DoubleV(double_div(x, y))
    if op == "%":
        return DoubleV(double_mod(x, y))
    raise unsupported(f"{_DOUBLE_OPS} DO NOT support expression operation {op}")


def _string_op(op: str, a: StringV, b: Value) -> Value:
    if b.T != NULL_T and op in _EQUALITY and b.T != STRING:
        raise type_mismatch(STRING, b.T)
    if op == "+":
        return StringV(a.java_str() + b.java_str())
    if op in _EQUALITY:
        other = None if b.is_null() else b.java_str()
        return truth((a.v == other) == (op == "=="))
    raise unsupported(f"STRING DO NOT support expression operation {op}")


def _bool_op(op: str, a: BoolV, b: Value) -> Value:
    if b.T == NULL_T and op in _EQUALITY:
        return _null_op(op, b, a)
    if not isinstance(b, BoolV):
        raise type_mismatch(BOOLEAN, b.T)
    if op == "&&":
        return truth(a.v and b.v)
    if op == "||":
        return truth(a.v or b.v)
    if op == "==":
        return truth(a.v == b.v)
    if op == "!=":
        return truth(a.v != b.v)
    raise unsupported(f"BOOLEAN DO NOT support expression operation {op}")


def _null_op(op: str, _: Value, b: Value) -> Value:
    if op == "==":
        return truth(b.is_null())
    if op == "!=":
        return truth(not b.is_null())
    if op in ("<", ">"):
        return FALSE
    if op == "+":
        return StringV("null" + b.java_str())
    raise unsupported(f"NULL DO NOT support expression operation {op}")


def binary(op: str, a: Value, b: Value) -> Value:
    """``a op b`` for any two SEL values (both already evaluated)."""
    kind = a.T
    if kind == LONG:
        assert isinstance(a, LongV)
        return _long_op(op, a, b)
    if kind == DOUBLE:
        assert isinstance(a, DoubleV)
        return _double_op(op, a, b)
    if kind == STRING:
        assert isinstance(a, StringV)
        return _string_op(op, a, b)
    if kind == BOOLEAN:
        assert isinstance(a, BoolV)
        return _bool_op(op, a, b)
    if kind == NULL_T:
        return _null_op(op, a, b)
    raise unsupported(f"{kind} DO NOT support expression operation {op}")


def unary(op: str, a: Value) -> Value:
    """``-a``, ``+a`` or ``!a``; SEL applies them as ``a op a`` with a unary operator."""
    if isinstance(a, LongV):
        if op == "-":
            return LongV(wrap_long(-a.v))
        if op == "+":
            return LongV(a.v)
        raise unsupported(f"{_LONG_OPS} DO NOT support expression operation {op}")
    if isinstance(a, DoubleV):
        if op == "-":
            return DoubleV(-a.v)
        if op == "+":
            return DoubleV(a.v)
        raise unsupported(f"{_DOUBLE_OPS} DO NOT support expression operation {op}")
    if isinstance(a, BoolV) and op == "!":
        return truth(not a.v)
    raise unsupported(f"{a.T} DO NOT support expression operation {op}")


def _assign_long(lhs: LongV, op: str, rhs: Value) -> None:
    if not isinstance(rhs, LongV) or rhs.T != LONG:
        raise type_mismatch(LONG, rhs.T)
    if op == "=":
        lhs.v = rhs.v
        return
    result = _long_arith(op[0], lhs.v, rhs.v)
    assert isinstance(result, LongV)
    lhs.v = result.v


def _assign_double(lhs: DoubleV, op: str, rhs: Value) -> None:
    if not isinstance(rhs, DoubleV):
        raise type_mismatch(DOUBLE, rhs.T)
    if op == "=":
        lhs.v = rhs.v
        return
    result = _double_op(op[0], lhs, rhs)
    assert isinstance(result, DoubleV)
    lhs.v = result.v


def _assign_other(lhs: Value, op: str, rhs: Value) -> None:
    kind = lhs.T
    if isinstance(lhs, StringV):
        if op == "+=":
            lhs.v = lhs.java_str() + rhs.java_str()
            return
        if op != "=":
            raise unsupported(f"STRING DO NOT support assignment operation {op}")
        if not isinstance(rhs, StringV):
            raise type_mismatch(STRING, rhs.T)
        lhs.v = rhs.v
        return
    if isinstance(lhs, BoolV):
        if op != "=":
            raise unsupported(f"boolean/Boolean DO NOT support assignment operation {op}")
        if not isinstance(rhs, BoolV):
            raise type_mismatch(BOOLEAN, rhs.T)
        lhs.v = rhs.v
        return
    if kind in _REFERENCE_TYPES and op == "=":
        if rhs.T != kind:
            raise type_mismatch(kind, rhs.T)
        lhs.v = rhs.v  # type: ignore[attr-defined]
        return
    raise unsupported(f"{kind} DO NOT support assignment operation {op}")


def assign(lhs: Value, op: str, rhs: Value) -> None:
    """``lhs op= rhs``, changing ``lhs`` in place (so every alias of it sees the change)."""
    if lhs.frozen:
        raise unsupported(f"The built-in {lhs.T} object is read-only: cannot apply {op}")
    if isinstance(lhs, LongV):
        _assign_long(lhs, op, rhs)
    elif isinstance(lhs, DoubleV):
        _assign_double(lhs, op, rhs)
    else:
        _assign_other(lhs, op, rhs)
