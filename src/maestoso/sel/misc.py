"""``Math``, ``UUID`` and the ``System``/``Arrays``/``DateTimeConstants`` object."""

from __future__ import annotations

import math
import random

from maestoso.sel.classes import DEFAULTS, STATICS
from maestoso.sel.dispatch import FIELDS, need, register
from maestoso.sel.errors import class_cast
from maestoso.sel.state import State
from maestoso.sel.values import DoubleV, LongV, StringV, Value

MATH = "MATH"
UUID = "UUID"
MISC = "PRESET_MISC_FUNC_FIELDS"


class MathV(Value):
    __slots__ = ()
    T = MATH
    frozen = True

    def java_str(self) -> str:
        return "null"


class MiscV(Value):
    __slots__ = ()
    T = MISC
    frozen = True

    def java_str(self) -> str:
        return "null"


class UuidV(Value):
    __slots__ = ("v",)
    T = UUID

    def __init__(self, v: str | None) -> None:
        self.v = v

    def java_str(self) -> str:
        return "null" if self.v is None else self.v

    def is_null(self) -> bool:
        return self.v is None


class _FrozenUuid(UuidV):
    __slots__ = ()
    frozen = True

    def thaw(self) -> Value:
        return UuidV(self.v)


def java_pow(a: float, b: float) -> float:
    """``Math.pow`` with Java's special cases where C's differ, and no OverflowError."""
    if b != b or (a != a and b != 0):
        return math.nan
    if abs(a) == 1.0 and math.isinf(b):
        return math.nan
    try:
        return math.pow(a, b)
    except OverflowError:
        negative = a < 0 and b == int(b) and int(b) % 2 == 1
        return -math.inf if negative else math.inf
    except ValueError:
        return math.nan


def _longs(args: list[Value]) -> tuple[int, int]:
    a, b = args
    if not isinstance(a, LongV) or not isinstance(b, LongV):
        raise class_cast("Math.min and Math.max take two longs")
    return a.v, b.v


def _min(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 2, recv, "min")
    return LongV(min(_longs(args)))


def _max(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 2, recv, "max")
    return LongV(max(_longs(args)))


def _pow(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 2, recv, "pow")
    a, b = args
    if not isinstance(a, LongV | DoubleV) or not isinstance(b, LongV | DoubleV):
        raise class_cast("Math.pow takes two numbers")
    return DoubleV(java_pow(float(a.v), float(b.v)))


def _random(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 0, recv, "random")
    return DoubleV(random.random())


for _name, _fn in (("min", _min), ("max", _max), ("pow", _pow), ("random", _random)):
    register(MATH, _name)(_fn)


def random_uuid() -> str:
    # Two random longs, as SEL builds it: no version or variant bits are set.
    text = f"{random.getrandbits(128):032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def _random_uuid(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 0, recv, "randomUUID")
    return UuidV(random_uuid())


def _uuid_to_string(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 0, recv, "toString")
    return StringV(recv.java_str())


register(UUID, "randomUUID")(_random_uuid)
register(UUID, "toString")(_uuid_to_string)
DEFAULTS[UUID] = lambda: UuidV(None)


def _current_time_millis(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 0, recv, "currentTimeMillis")
    return LongV(st.clock.now_ms())


def _as_list(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 1, recv, "asList")
    return args[0]


register(MISC, "currentTimeMillis")(_current_time_millis)
register(MISC, "asList")(_as_list)
FIELDS[MISC] = {"SUNDAY": lambda st, recv: LongV(7)}

_MISC = MiscV()
STATICS.update({"Math": MathV(), "UUID": _FrozenUuid(None)})
STATICS.update(dict.fromkeys(("DateTimeConstants", "System", "Arrays"), _MISC))
