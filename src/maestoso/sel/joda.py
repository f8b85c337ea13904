"""Joda-Time's ``DateTime`` as a SEL value: an instant in a zone, with ISO chronology."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from maestoso.sel.classes import CONSTRUCTORS, DEFAULTS, STATICS
from maestoso.sel.dispatch import failed, java_int, need, no_method, register
from maestoso.sel.errors import SelError, illegal_argument
from maestoso.sel.jodaformat import print_instant
from maestoso.sel.state import State
from maestoso.sel.values import BoolV, LongV, StringV, Value
from maestoso.sel.zones import (
    DAY_MS,
    DEFAULT_ZONE,
    Zone,
    add_months,
    checked,
    format_offset,
    join_local,
    month_length,
    split_local,
    weeks_in,
)

DATETIME = "DATETIME"
DATETIME_ZONE = "DATETIME_ZONE"
_ISO = re.compile(
    r"([+-]?\d{4,9})(?:-(\d{1,2})(?:-(\d{1,2}))?)?"
    r"(?:T(\d{1,2})(?::(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,9}))?)?)?)?"
    r"(Z|[+-]\d{2}(?::?\d{2})?)?"
)


class DateTime:
    """An immutable instant (epoch millis) shown in a zone."""

    __slots__ = ("millis", "zone")

    def __init__(self, millis: int, zone: Zone) -> None:
        self.millis = millis
        self.zone = zone

    @property
    def local(self) -> int:
        return self.millis + self.zone.offset(self.millis)

    def with_local(self, local: int, strict: bool = False) -> DateTime:
        return DateTime(self.zone.to_utc(local, strict), self.zone)

    def iso(self) -> str:
        day, millis = split_local(self.local)
        offset = self.zone.offset(self.millis)
        zone_text = "Z" if offset == 0 else format_offset(offset)
        hours, rest = divmod(millis, 3_600_000)
        minutes, rest = divmod(rest, 60_000)
        seconds, ms = divmod(rest, 1000)
        return (
            f"{day.year:04d}-{day.month:02d}-{day.day:02d}T"
            f"{hours:02d}:{minutes:02d}:{seconds:02d}.{ms:03d}{zone_text}"
        )


class ZoneV(Value):
    __slots__ = ("v",)
    T = DATETIME_ZONE

    def __init__(self, v: Zone | None) -> None:
        self.v = v

    def java_str(self) -> str:
        return "null" if self.v is None else self.v.id

    def is_null(self) -> bool:
        return self.v is None


class DateTimeV(Value):
    __slots__ = ("v",)
    T = DATETIME

    def __init__(self, v: DateTime | None) -> None:
        self.v = v

    def java_str(self) -> str:
        return "null" if self.v is None else self.v.iso()

    def is_null(self) -> bool:
        return self.v is None


class _FrozenDateTime(DateTimeV):
    __slots__ = ()
    frozen = True

    def thaw(self) -> Value:
        return DateTimeV(self.v)


class _FrozenZone(ZoneV):
    __slots__ = ()
    frozen = True

    def thaw(self) -> Value:
        return ZoneV(self.v)


def zone_arg(value: Value, name: str, args: list[Value]) -> Zone:
    if not isinstance(value, ZoneV) or value.v is None:
        raise failed(name, args)
    return value.v


def datetime_arg(value: Value, name: str, args: list[Value]) -> DateTime:
    if not isinstance(value, DateTimeV) or value.v is None:
        raise failed(name, args)
    return value.v


def parse_iso(text: str, zone: Zone) -> int:
    """Joda's ISO ``dateTimeParser``: a local date-time in ``zone`` or with its offset."""
    match = _ISO.fullmatch(text.strip())
    if not match:
        raise illegal_argument(f'Invalid format: "{text}"')
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    y = checked("year", int(year), 1, 9999)
    m = checked("monthOfYear", int(month or 1), 1, 12)
    d = checked("dayOfMonth", int(day or 1), 1, month_length(y, m))
    h = checked("hourOfDay", int(hour or 0), 0, 23)
    mi = checked("minuteOfHour", int(minute or 0), 0, 59)
    s = checked("secondOfMinute", int(second or 0), 0, 59)
    ms = int((fraction or "0")[:3].ljust(3, "0"))
    local = join_local(date(y, m, d), ((h * 60 + mi) * 60 + s) * 1000 + ms)
    if offset is None:
        return zone.to_utc(local)
    if offset == "Z":
        return local
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    return local - sign * (int(digits[:2]) * 60 + int(digits[2:] or 0)) * 60_000


def _from_fields(args: list[Value]) -> DateTime:
    numbers = [java_int(arg, "constructor", args) for arg in args[:7]]
    zone = zone_arg(args[7], "constructor", args)
    year, month, day, hour, minute, second, millis = numbers
    checked("year", year, 1, 9999)
    checked("monthOfYear", month, 1, 12)
    checked("dayOfMonth", day, 1, month_length(year, month))
    checked("hourOfDay", hour, 0, 23)
    checked("minuteOfHour", minute, 0, 59)
    checked("secondOfMinute", second, 0, 59)
    checked("millisOfSecond", millis, 0, 999)
    local = join_local(date(year, month, day), ((hour * 60 + minute) * 60 + second) * 1000 + millis)
    return DateTime(zone.to_utc(local, strict=True), zone)


def _instant(st: State, value: Value, zone: Zone) -> int:
    if isinstance(value, LongV):
        return value.v
    if isinstance(value, StringV) and value.v is not None:
        return parse_iso(value.v, zone)
    if isinstance(value, DateTimeV) and value.v is not None:
        return value.v.millis
    raise illegal_argument(f"Invalid input argument ({value.to_string()}) for DateTime constructor")


def _new_datetime(st: State, args: list[Value]) -> Value:
    if not args:
        return DateTimeV(DateTime(st.clock.now_ms(), DEFAULT_ZONE))
    if len(args) == 1:
        return DateTimeV(DateTime(_instant(st, args[0], DEFAULT_ZONE), DEFAULT_ZONE))
    if len(args) == 2:
        zone = zone_arg(args[1], "constructor", args)
        return DateTimeV(DateTime(_instant(st, args[0], zone), zone))
    if len(args) == 8:
        return DateTimeV(_from_fields(args))
    raise illegal_argument(f"Invalid input arguments ({len(args)}) for DateTime constructor")


CONSTRUCTORS[DATETIME] = _new_datetime
DEFAULTS[DATETIME] = lambda: DateTimeV(None)
DEFAULTS[DATETIME_ZONE] = lambda: ZoneV(None)
STATICS["DateTime"] = _FrozenDateTime(None)
STATICS["DateTimeZone"] = _FrozenZone(None)


# Fields: how to read one from local millis, its range there, and how to set it.

Getter = Callable[[int], int]


def _get_day(local: int) -> date:
    return split_local(local)[0]


def _ms_of_day(local: int) -> int:
    return split_local(local)[1]


FIELD_GETTERS: dict[str, Getter] = {
    "year": lambda t: _get_day(t).year,
    "weekyear": lambda t: _get_day(t).isocalendar()[0],
    "monthOfYear": lambda t: _get_day(t).month,
    "weekOfWeekyear": lambda t: _get_day(t).isocalendar()[1],
    "dayOfYear": lambda t: _get_day(t).timetuple().tm_yday,
    "dayOfMonth": lambda t: _get_day(t).day,
    "dayOfWeek": lambda t: _get_day(t).isoweekday(),
    "hourOfDay": lambda t: _ms_of_day(t) // 3_600_000,
    "minuteOfDay": lambda t: _ms_of_day(t) // 60_000,
    "minuteOfHour": lambda t: _ms_of_day(t) // 60_000 % 60,
    "secondOfDay": lambda t: _ms_of_day(t) // 1000,
    "secondOfMinute": lambda t: _ms_of_day(t) // 1000 % 60,
    "millisOfDay": _ms_of_day,
    "millisOfSecond": lambda t: _ms_of_day(t) % 1000,
}
_TIME_UNITS = {
    "hourOfDay": (3_600_000, 24),
    "minuteOfDay": (60_000, 1440),
    "minuteOfHour": (60_000, 60),
    "secondOfDay": (1000, 86_400),
    "secondOfMinute": (1000, 60),
    "millisOfDay": (1, DAY_MS),
    "millisOfSecond": (1, 1000),
}


def field_range(field: str, local: int) -> tuple[int, int]:
    day = _get_day(local)
    if field in _TIME_UNITS:
        return 0, _TIME_UNITS[field][1] - 1
    return {
        "year": (1, 9999),
        "weekyear": (1, 9999),
        "monthOfYear": (1, 12),
        "weekOfWeekyear": (1, weeks_in(day.isocalendar()[0])),
        "dayOfYear": (1, 366 if month_length(day.year, 2) == 29 else 365),
        "dayOfMonth": (1, month_length(day.year, day.month)),
        "dayOfWeek": (1, 7),
    }[field]


def set_field(local: int, field: str, value: int) -> int:
    """Local millis with one field set (Joda's ``withX``), checking the value's range."""
    low, high = field_range(field, local)
    checked(field, value, low, high)
    day, millis = split_local(local)
    if field in _TIME_UNITS:
        unit, size = _TIME_UNITS[field]
        current = millis // unit % size
        return local + (value - current) * unit
    year, week, weekday = day.isocalendar()
    if field == "year":
        new_day = date(value, day.month, min(day.day, month_length(value, day.month)))
    elif field == "weekyear":
        new_day = date.fromisocalendar(value, min(week, weeks_in(value)), weekday)
    elif field == "monthOfYear":
        new_day = add_months(day, value - day.month)
    elif field == "weekOfWeekyear":
        new_day = date.fromisocalendar(year, value, weekday)
    elif field == "dayOfWeek":
        new_day = date.fromisocalendar(year, week, value)
    elif field == "dayOfYear":
        new_day = date.fromordinal(date(day.year, 1, 1).toordinal() + value - 1)
    else:
        new_day = day.replace(day=value)
    return join_local(new_day, millis)


def _self(recv: Value, name: str, args: list[Value]) -> DateTime:
    assert isinstance(recv, DateTimeV)
    if recv.v is None:
        raise failed(name, args)
    return recv.v


def _datetime(dt: DateTime) -> DateTimeV:
    return DateTimeV(dt)


def _make_getter(name: str, field: str) -> None:
    def method(st: State, recv: Value, args: list[Value]) -> Value:
        need(args, 0, recv, name)
        return LongV(FIELD_GETTERS[field](_self(recv, name, args).local))

    register(DATETIME, name)(method)


def _make_setter(name: str, field: str) -> None:
    def method(st: State, recv: Value, args: list[Value]) -> Value:
        need(args, 1, recv, name)
        dt = _self(recv, name, args)
        value = java_int(args[0], name, args)
        changed = dt.with_local(set_field(dt.local, field, value))
        if FIELD_GETTERS[field](changed.local) != value:
            changed = dt.with_local(set_field(dt.local, field, value), strict=True)
        return _datetime(changed)

    register(DATETIME, name)(method)


for _field in FIELD_GETTERS:
    _cap = _field[0].upper() + _field[1:]
    _make_getter("get" + _cap, _field)
    if _field not in ("minuteOfDay", "secondOfDay"):
        _make_setter("with" + _cap, _field)


def _plus(dt: DateTime, unit: str, amount: int) -> DateTime:
    if unit in ("Hours", "Minutes", "Seconds", "Millis"):
        size = {"Hours": 3_600_000, "Minutes": 60_000, "Seconds": 1000, "Millis": 1}[unit]
        return DateTime(dt.millis + amount * size, dt.zone)
    day, millis = split_local(dt.local)
    if unit in ("Years", "Months"):
        new_day = add_months(day, amount * (12 if unit == "Years" else 1))
    else:
        ordinal = day.toordinal() + amount * (7 if unit == "Weeks" else 1)
        new_day = date.fromordinal(checked("dayOfYear", ordinal, 1, date.max.toordinal()))
    return dt.with_local(join_local(new_day, millis))


def _make_plus(name: str, unit: str, sign: int) -> None:
    def method(st: State, recv: Value, args: list[Value]) -> Value:
        need(args, 1, recv, name)
        dt = _self(recv, name, args)
        return _datetime(_plus(dt, unit, sign * java_int(args[0], name, args)))

    register(DATETIME, name)(method)


for _unit in ("Years", "Months", "Weeks", "Days", "Hours", "Minutes", "Seconds", "Millis"):
    _make_plus("plus" + _unit, _unit, 1)
    _make_plus("minus" + _unit, _unit, -1)


def _to_string(st: State, recv: Value, args: list[Value]) -> Value:
    dt = _self(recv, "toString", args)
    if not args:
        return StringV(dt.iso())
    if len(args) == 1 and isinstance(args[0], StringV) and args[0].v is not None:
        try:
            return StringV(print_instant(args[0].v, dt.millis, dt.zone))
        except SelError:
            raise failed("toString", args) from None
    raise no_method(recv, "toString", args)


def _with_zone(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 1, recv, "withZone")
    dt = _self(recv, "withZone", args)
    return _datetime(DateTime(dt.millis, zone_arg(args[0], "withZone", args)))


def _compare(name: str) -> None:
    def method(st: State, recv: Value, args: list[Value]) -> Value:
        need(args, 1, recv, name)
        mine = _self(recv, name, args).millis
        other = datetime_arg(args[0], name, args).millis
        if name == "isAfter":
            return BoolV(mine > other)
        return BoolV(mine < other) if name == "isBefore" else BoolV(mine == other)

    register(DATETIME, name)(method)


def _start_of_day(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 0, recv, "withTimeAtStartOfDay")
    dt = _self(recv, "withTimeAtStartOfDay", args)
    return _datetime(dt.with_local(dt.local - dt.local % DAY_MS))


def _get_millis(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 0, recv, "getMillis")
    return LongV(_self(recv, "getMillis", args).millis)


register(DATETIME, "toString")(_to_string)
register(DATETIME, "withZone")(_with_zone)
register(DATETIME, "toDateTime")(_with_zone)
register(DATETIME, "withTimeAtStartOfDay")(_start_of_day)
register(DATETIME, "getMillis")(_get_millis)
for _name in ("isAfter", "isBefore", "isEqual"):
    _compare(_name)
