"""``Util``: Maestro's date-int, range and JSON helpers."""

from __future__ import annotations

import json
import re

from maestoso.sel.classes import STATICS
from maestoso.sel.convert import unbox
from maestoso.sel.dispatch import args_text, register
from maestoso.sel.errors import class_cast, illegal_argument, number_format, unsupported
from maestoso.sel.joda import DateTime, DateTimeV
from maestoso.sel.jodaformat import parse_instant, print_instant
from maestoso.sel.numbers import parse_long
from maestoso.sel.state import State
from maestoso.sel.values import (
    LONG_ARRAY,
    ArrayV,
    DoubleV,
    LongV,
    MapV,
    StringV,
    Value,
    double_to_string,
    hashmap_order,
    int_value,
)
from maestoso.sel.zones import DAY_MS, UTC_ZONE, zone_for_id

UTIL = "PRESET_UTIL_FUNCTION"
DATE_INT = "YYYYMMdd"
_PERIOD = re.compile(r"\s*(-?\d+)\s+(year|month|week|day|hour|minute|second|millisecond)s?\s*")
_UNIT_MS = {"week": 7 * DAY_MS, "day": DAY_MS, "hour": 3_600_000, "minute": 60_000}
_UNIT_MS.update({"second": 1000, "millisecond": 1})


class UtilV(Value):
    __slots__ = ()
    T = UTIL
    frozen = True

    def java_str(self) -> str:
        return "null"


STATICS["Util"] = UtilV()


def as_str(value: Value) -> str:
    if isinstance(value, LongV):
        return str(value.v)
    if isinstance(value, StringV) and value.v is not None:
        return value.v
    raise illegal_argument(f"Invalid input argument ({value.to_string()}) for String constructor")


def as_long(value: Value) -> int:
    if isinstance(value, LongV):
        return value.v
    if isinstance(value, StringV):
        return parse_long(value.v)
    raise illegal_argument(f"Invalid input argument ({value.to_string()}) for Long constructor")


def _date_int(value: Value) -> int:
    return parse_instant(DATE_INT, as_str(value), UTC_ZONE)


def _print_date_int(millis: int) -> str:
    return print_instant(DATE_INT, millis, UTC_ZONE)


def _long_array(st: State, values: list[int]) -> Value:
    st.charge_array(len(values))
    return ArrayV(LONG_ARRAY, [LongV(v) for v in values])


def _date_int_to_ts(st: State, args: list[Value]) -> Value:
    return LongV(_date_int(args[0]))


def _ts_to_date_int(st: State, args: list[Value]) -> Value:
    return StringV(_print_date_int(as_long(args[0])))


def _increment_date_int(st: State, args: list[Value]) -> Value:
    if not isinstance(args[1], LongV):
        raise class_cast(f"class {args[1].T} cannot be cast to class SelLong")
    start = _date_int(args[0])
    return StringV(_print_date_int(start + int_value(args[1].v) * DAY_MS))


def _date_int_hour_to_ts(st: State, args: list[Value]) -> Value:
    zone = zone_for_id(as_str(args[2]))
    instant = parse_instant(DATE_INT + "HH", as_str(args[0]) + as_str(args[1]), zone)
    dt = DateTime(instant, zone)
    local = dt.local - int_value(as_long(args[3])) * DAY_MS
    moved = dt.with_local(local)
    return LongV(moved.millis - int_value(as_long(args[4])) * 3_600_000)


def parse_period_ms(text: str) -> int:
    """Joda's ``PeriodFormat.wordBased()`` (English) as a standard duration."""
    total = 0
    parts = re.split(r",|\band\b", text)
    for part in parts:
        match = _PERIOD.fullmatch(part)
        if not match:
            raise illegal_argument(f'Invalid format: "{text}"')
        amount, unit = int(match.group(1)), match.group(2)
        if unit not in _UNIT_MS:
            raise unsupported(f"Cannot convert to Duration as this period contains {unit}s")
        total += amount * _UNIT_MS[unit]
    return total


def _timeout(st: State, deadline_ms: int, duration: Value) -> Value:
    remaining = max(deadline_ms + parse_period_ms(as_str(duration)) - st.clock.now_ms(), 0)
    return StringV(f"{remaining} milliseconds")


def _timeout_for_datetime(st: State, args: list[Value]) -> Value:
    value = args[0]
    if not isinstance(value, DateTimeV) or value.v is None:
        raise class_cast(f"class {value.T} cannot be cast to class SelJodaDateTime")
    return _timeout(st, value.v.millis, args[1])


def _timeout_for_date_int(st: State, args: list[Value]) -> Value:
    return _timeout(st, _date_int(args[0]), args[1])


def _step(value: Value) -> int:
    text = value.java_str()
    if not re.fullmatch(r"[+-]?\d+", text) or not -(1 << 31) <= int(text) < (1 << 31):
        raise number_format(text)
    step = int(text)
    if step == 0:
        raise illegal_argument("Invalid incremental interval value: 0")
    return step


def _date_ints_between(st: State, args: list[Value]) -> Value:
    step = _step(args[2])
    start, end = _date_int(args[0]), _date_int(args[1])
    low, high = (start, end) if step > 0 else (end, start)
    count = max(0, -(-(high - low) // (abs(step) * DAY_MS)))
    st.check_array_size(count)
    st.charge_array(count)
    days = [low + i * abs(step) * DAY_MS for i in range(count)]
    if step < 0:
        days.reverse()
    return _long_array(st, [int(_print_date_int(day)) for day in days])


def _ints_between(st: State, args: list[Value]) -> Value:
    start, end, step = (int_value(as_long(arg)) for arg in args)
    if step == 0:
        if start > end:
            raise illegal_argument("Invalid incremental interval value: 0")
        return _long_array(st, [])
    numbers = range(start, end, step)
    st.check_array_size(len(numbers))
    st.charge_array(len(numbers))
    return _long_array(st, list(numbers))


def to_json(value: Value) -> str:
    """Jackson's ``writeValueAsString`` of a SEL value (maps in HashMap order)."""
    if isinstance(value, MapV) and value.v is not None:
        entries = value.v
        body = ",".join(
            json.dumps(k, ensure_ascii=False) + ":" + to_json(entries[k])
            for k in hashmap_order(list(entries))
        )
        return "{" + body + "}"
    if isinstance(value, ArrayV):
        return "[" + ",".join(to_json(item) for item in value.v) + "]"
    if isinstance(value, DoubleV):
        return double_to_string(value.v)
    return json.dumps(unbox(value), ensure_ascii=False, separators=(",", ":"))


def _to_json(st: State, args: list[Value]) -> Value:
    return StringV(to_json(args[0]))


_FUNCTIONS = {
    ("dateIntToTs", 1): _date_int_to_ts,
    ("tsToDateInt", 1): _ts_to_date_int,
    ("incrementDateInt", 2): _increment_date_int,
    ("dateIntHourToTs", 5): _date_int_hour_to_ts,
    ("timeoutForDateTimeDeadline", 2): _timeout_for_datetime,
    ("timeoutForDateIntDeadline", 2): _timeout_for_date_int,
    ("dateIntsBetween", 3): _date_ints_between,
    ("intsBetween", 3): _ints_between,
    ("toJson", 1): _to_json,
}


def _dispatch(name: str) -> None:
    def method(st: State, recv: Value, args: list[Value]) -> Value:
        function = _FUNCTIONS.get((name, len(args)))
        if function is None:
            raise unsupported(
                f"{UTIL} DO NOT support calling method: {name} with args: {args_text(args)}"
            )
        return function(st, args)

    register(UTIL, name)(method)


for _name in {name for name, _ in _FUNCTIONS}:
    _dispatch(_name)
