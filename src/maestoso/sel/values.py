"""SEL values: mutable boxes, as in SEL, whose aliasing rules the language exposes.

Every value has its SEL type name in ``T``. Instances whose class sets ``frozen`` are
shared (the built-in names such as ``Long`` or ``String``, and the boolean results of
comparisons); they are copied wherever SEL binds an object by reference, and assigning to
them is an error, so that no evaluation can change what another one sees.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import ClassVar

LONG = "LONG"
DOUBLE = "DOUBLE"
STRING = "STRING"
BOOLEAN = "BOOLEAN"
NULL_T = "NULL"
VOID_T = "VOID"
MAP = "MAP"
STRING_ARRAY = "STRING_ARRAY"
LONG_ARRAY = "LONG_ARRAY"
DOUBLE_ARRAY = "DOUBLE_ARRAY"
BOOLEAN_ARRAY = "BOOLEAN_ARRAY"
ARRAY_TYPES = frozenset({STRING_ARRAY, LONG_ARRAY, DOUBLE_ARRAY, BOOLEAN_ARRAY})
DATA_TYPES = frozenset({LONG, DOUBLE, STRING, BOOLEAN, MAP}) | ARRAY_TYPES
ELEMENT_OF = {STRING_ARRAY: STRING, LONG_ARRAY: LONG, DOUBLE_ARRAY: DOUBLE, BOOLEAN_ARRAY: BOOLEAN}
ARRAY_OF = {v: k for k, v in ELEMENT_OF.items()}

LONG_MIN = -(1 << 63)
LONG_MAX = (1 << 63) - 1
_MASK64 = (1 << 64) - 1


def wrap_long(value: int) -> int:
    """Java ``long`` two's-complement wrap-around."""
    if LONG_MIN <= value <= LONG_MAX:
        return value
    return ((value - LONG_MIN) & _MASK64) + LONG_MIN


def int_value(value: int) -> int:
    """Java's ``(int)`` cast of a long."""
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def double_to_string(d: float) -> str:
    """Java's ``Double.toString`` (the shortest repr that round-trips, Java's layout)."""
    if d != d:
        return "NaN"
    if math.isinf(d):
        return "Infinity" if d > 0 else "-Infinity"
    if d == 0:
        return "-0.0" if math.copysign(1.0, d) < 0 else "0.0"
    if 1e-3 <= abs(d) < 1e7:
        text = repr(d)
        return text if "e" not in text else format(Decimal(text), "f")
    dec = Decimal(repr(d))
    sign, digits, _ = dec.as_tuple()
    text = "".join(map(str, digits)).rstrip("0") or "0"
    mantissa = text[0] + "." + (text[1:] or "0")
    return ("-" if sign else "") + f"{mantissa}E{dec.adjusted()}"


def java_hash(text: str) -> int:
    """``String.hashCode`` over UTF-16 code units."""
    data = text.encode("utf-16-le", "surrogatepass")
    h = 0
    for i in range(0, len(data), 2):
        h = (31 * h + (data[i] | data[i + 1] << 8)) & 0xFFFFFFFF
    return h


def hashmap_order(keys: list[str]) -> list[str]:
    """The iteration order of a ``java.util.HashMap`` holding ``keys`` (inserted in order)."""
    capacity = 16
    while len(keys) > capacity * 0.75:
        capacity *= 2

    def bucket(item: tuple[int, str]) -> tuple[int, int]:
        h = java_hash(item[1])
        return ((h ^ (h >> 16)) & (capacity - 1), item[0])

    return [key for _, key in sorted(enumerate(keys), key=bucket)]


class Value:
    """A SEL value; ``T`` is its SEL type name."""

    __slots__ = ()
    T: ClassVar[str] = "?"
    frozen: ClassVar[bool] = False

    def java_str(self) -> str:
        """Java's ``String.valueOf`` of the value's internal Java object."""
        raise NotImplementedError  # pragma: no cover

    def to_string(self) -> str:
        """The value's own ``toString`` (as shown inside a map's string)."""
        return self.java_str()

    def is_null(self) -> bool:
        """Whether the internal Java object is null (what ``null == x`` tests)."""
        return False

    def thaw(self) -> Value:
        """A mutable copy of a frozen value; a mutable value itself."""
        return self


class LongV(Value):
    __slots__ = ("v",)
    T = LONG

    def __init__(self, v: int) -> None:
        self.v = v

    def java_str(self) -> str:
        return str(self.v)

    def thaw(self) -> Value:
        return LongV(self.v) if self.frozen else self


class DoubleV(Value):
    __slots__ = ("v",)
    T = DOUBLE

    def __init__(self, v: float) -> None:
        self.v = v

    def java_str(self) -> str:
        return double_to_string(self.v)

    def thaw(self) -> Value:
        return DoubleV(self.v) if self.frozen else self


class StringV(Value):
    __slots__ = ("v",)
    T = STRING

    def __init__(self, v: str | None) -> None:
        self.v = v

    def java_str(self) -> str:
        return "null" if self.v is None else self.v

    def is_null(self) -> bool:
        return self.v is None

    def thaw(self) -> Value:
        return StringV(self.v) if self.frozen else self


class BoolV(Value):
    __slots__ = ("v",)
    T = BOOLEAN

    def __init__(self, v: bool) -> None:
        self.v = v

    def java_str(self) -> str:
        return "true" if self.v else "false"

    def thaw(self) -> Value:
        return BoolV(self.v) if self.frozen else self


class NullV(Value):
    __slots__ = ()
    T = NULL_T

    def java_str(self) -> str:
        return "null"

    def to_string(self) -> str:
        return "NULL"

    def is_null(self) -> bool:
        return True


class VoidV(Value):
    __slots__ = ()
    T = VOID_T

    def java_str(self) -> str:
        return "null"

    def to_string(self) -> str:
        return "VOID"

    def is_null(self) -> bool:
        return True


class ArrayV(Value):
    """A one-dimensional array of element boxes (``a[i]`` returns the box itself)."""

    __slots__ = ("T", "v")

    def __init__(self, type_name: str, items: list[Value]) -> None:
        self.T = type_name  # type: ignore[misc]
        self.v = items

    def java_str(self) -> str:
        # Java prints an identity hash here; an array's content is the useful part.
        return "[" + ", ".join(item.java_str() for item in self.v) + "]"


class MapV(Value):
    """A ``HashMap<String, SEL value>``; ``v`` is None for a declared-but-unset map."""

    __slots__ = ("v",)
    T = MAP

    def __init__(self, v: dict[str, Value] | None) -> None:
        self.v = v

    def java_str(self) -> str:
        if self.v is None:
            return "null"
        entries = self.v
        return (
            "{"
            + ", ".join(f"{k}={entries[k].to_string()}" for k in hashmap_order(list(entries)))
            + "}"
        )

    def is_null(self) -> bool:
        return self.v is None


class _FrozenBool(BoolV):
    __slots__ = ()
    frozen = True


class _FrozenLong(LongV):
    __slots__ = ()
    frozen = True


class _FrozenDouble(DoubleV):
    __slots__ = ()
    frozen = True


class _FrozenString(StringV):
    __slots__ = ()
    frozen = True


class _FrozenMap(MapV):
    __slots__ = ()
    frozen = True

    def thaw(self) -> Value:
        return MapV(self.v)


NULL = NullV()
VOID = VoidV()
TRUE: BoolV = _FrozenBool(True)
FALSE: BoolV = _FrozenBool(False)
LONG_STANDIN: LongV = _FrozenLong(0)
DOUBLE_STANDIN: DoubleV = _FrozenDouble(0.0)
BOOLEAN_STANDIN: BoolV = _FrozenBool(False)
STRING_STANDIN: StringV = _FrozenString(None)
MAP_STANDIN: MapV = _FrozenMap(None)


def new_default(type_name: str) -> Value | None:
    """A fresh default value of a data type (``T x;``), or None for other types."""
    if type_name == LONG:
        return LongV(0)
    if type_name == DOUBLE:
        return DoubleV(0.0)
    if type_name == BOOLEAN:
        return BoolV(False)
    if type_name == STRING:
        return StringV(None)
    if type_name == MAP:
        return MapV(None)
    if type_name in ARRAY_TYPES:
        return ArrayV(type_name, [])
    return None


def new_element(type_name: str) -> Value:
    """A default array element: 0, 0.0, false or a null string."""
    value = new_default(type_name)
    assert value is not None
    return value


def copy_scalar(value: Value) -> Value:
    """A fresh box holding the same scalar (array initializers copy their elements)."""
    if isinstance(value, LongV):
        return LongV(value.v)
    if isinstance(value, DoubleV):
        return DoubleV(value.v)
    if isinstance(value, BoolV):
        return BoolV(value.v)
    if isinstance(value, StringV):
        return StringV(value.v)
    return value
