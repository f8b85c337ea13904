"""Joda's ``DateTimeZone``, ``DateTimeFormat``, ``DateTime.Property`` and ``Days``."""

from __future__ import annotations

from dataclasses import dataclass

from maestoso.sel.classes import DEFAULTS, STATICS
from maestoso.sel.dispatch import FIELDS, failed, need, register
from maestoso.sel.errors import class_cast
from maestoso.sel.joda import (
    DATETIME,
    DATETIME_ZONE,
    FIELD_GETTERS,
    DateTime,
    DateTimeV,
    ZoneV,
    datetime_arg,
    field_range,
    set_field,
    zone_arg,
)
from maestoso.sel.jodaformat import DAYS, MONTHS, parse_instant, print_instant, tokenize_pattern
from maestoso.sel.state import State
from maestoso.sel.values import LongV, StringV, Value
from maestoso.sel.zones import DAY_MS, DEFAULT_ZONE, UTC_ZONE, Zone, zone_for_id

FORMATTER = "DATETIME_FORMATTER"
PROPERTY = "DATETIME_PROPERTY"
DAYS_T = "DATETIME_DAYS"


@dataclass(frozen=True, slots=True)
class Formatter:
    pattern: str
    zone: Zone | None


class FormatterV(Value):
    __slots__ = ("v",)
    T = FORMATTER

    def __init__(self, v: Formatter | None) -> None:
        self.v = v

    def java_str(self) -> str:
        return "null" if self.v is None else f"DateTimeFormatter[{self.v.pattern}]"

    def is_null(self) -> bool:
        return self.v is None


class PropertyV(Value):
    __slots__ = ("v",)
    T = PROPERTY

    def __init__(self, v: tuple[DateTime, str] | None) -> None:
        self.v = v

    def java_str(self) -> str:
        return "null" if self.v is None else f"Property[{self.v[1]}]"

    def is_null(self) -> bool:
        return self.v is None


class DaysV(Value):
    __slots__ = ("v",)
    T = DAYS_T

    def __init__(self, v: int | None) -> None:
        self.v = v

    def java_str(self) -> str:
        return "null" if self.v is None else f"P{self.v}D"

    def is_null(self) -> bool:
        return self.v is None


class _FrozenFormatter(FormatterV):
    __slots__ = ()
    frozen = True

    def thaw(self) -> Value:
        return FormatterV(self.v)


class _FrozenProperty(PropertyV):
    __slots__ = ()
    frozen = True

    def thaw(self) -> Value:
        return PropertyV(self.v)


class _FrozenDays(DaysV):
    __slots__ = ()
    frozen = True

    def thaw(self) -> Value:
        return DaysV(self.v)


STATICS.update(dict.fromkeys(("DateTimeFormat", "DateTimeFormatter"), _FrozenFormatter(None)))
STATICS.update({"Property": _FrozenProperty(None), "Days": _FrozenDays(None)})
DEFAULTS.update(
    {
        FORMATTER: lambda: FormatterV(None),
        PROPERTY: lambda: PropertyV(None),
        DAYS_T: lambda: DaysV(None),
    }
)


def _string(value: Value, name: str, args: list[Value]) -> str:
    if not isinstance(value, StringV) or value.v is None:
        raise failed(name, args)
    return value.v


# DateTimeZone


def _for_id(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 1, recv, "forID")
    return ZoneV(zone_for_id(_string(args[0], "forID", args)))


def _get_offset(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 1, recv, "getOffset")
    zone = zone_arg(recv, "getOffset", args)
    arg = args[0]
    instant = arg.v if isinstance(arg, LongV) else datetime_arg(arg, "getOffset", args).millis
    return LongV(zone.offset(instant))


register(DATETIME_ZONE, "forID")(_for_id)
register(DATETIME_ZONE, "getOffset")(_get_offset)
FIELDS[DATETIME_ZONE] = {"UTC": lambda st, recv: ZoneV(UTC_ZONE)}


# DateTimeFormat / DateTimeFormatter


def _formatter(recv: Value, name: str, args: list[Value]) -> Formatter:
    assert isinstance(recv, FormatterV)
    if recv.v is None:
        raise failed(name, args)
    return recv.v


def _for_pattern(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 1, recv, "forPattern")
    pattern = _string(args[0], "forPattern", args)
    tokenize_pattern(pattern)
    return FormatterV(Formatter(pattern, None))


def _formatter_with_zone(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 1, recv, "withZone")
    fmt = _formatter(recv, "withZone", args)
    if not isinstance(args[0], ZoneV):
        raise class_cast(f"class {args[0].T} cannot be cast to class SelJodaDateTimeZone")
    return FormatterV(Formatter(fmt.pattern, zone_arg(args[0], "withZone", args)))


def _parse(fmt: Formatter, text: str) -> DateTime:
    zone = fmt.zone or DEFAULT_ZONE
    return DateTime(parse_instant(fmt.pattern, text, zone), zone)


def _parse_datetime(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 1, recv, "parseDateTime")
    fmt = _formatter(recv, "parseDateTime", args)
    arg = args[0]
    text = arg.java_str() if isinstance(arg, LongV) else _string(arg, "parseDateTime", args)
    return DateTimeV(_parse(fmt, text))


def _parse_millis(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 1, recv, "parseMillis")
    fmt = _formatter(recv, "parseMillis", args)
    if not isinstance(args[0], StringV):
        raise class_cast(f"class {args[0].T} cannot be cast to class SelString")
    return LongV(_parse(fmt, _string(args[0], "parseMillis", args)).millis)


def _print(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 1, recv, "print")
    fmt = _formatter(recv, "print", args)
    arg = args[0]
    if isinstance(arg, LongV):
        return StringV(print_instant(fmt.pattern, arg.v, fmt.zone or DEFAULT_ZONE))
    dt = datetime_arg(arg, "print", args)
    return StringV(print_instant(fmt.pattern, dt.millis, fmt.zone or dt.zone))


def _datetime_parse(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 2, recv, "parse")
    if not isinstance(args[1], FormatterV):
        raise failed("parse", args)
    fmt = _formatter(args[1], "parse", args)
    return DateTimeV(_parse(fmt, _string(args[0], "parse", args)))


for _name, _fn in (
    ("forPattern", _for_pattern),
    ("withZone", _formatter_with_zone),
    ("parseDateTime", _parse_datetime),
    ("parseMillis", _parse_millis),
    ("print", _print),
):
    register(FORMATTER, _name)(_fn)
register(DATETIME, "parse")(_datetime_parse)


# DateTime.Property


def _property(name: str) -> None:
    def method(st: State, recv: Value, args: list[Value]) -> Value:
        need(args, 0, recv, name)
        assert isinstance(recv, DateTimeV)
        if recv.v is None:
            raise failed(name, args)
        return PropertyV((recv.v, name))

    register(DATETIME, name)(method)


for _field in FIELD_GETTERS:
    if _field not in ("year",):
        _property(_field)


def _prop(recv: Value, name: str, args: list[Value]) -> tuple[DateTime, str]:
    assert isinstance(recv, PropertyV)
    if recv.v is None:
        raise failed(name, args)
    return recv.v


def _prop_get(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 0, recv, "get")
    dt, field = _prop(recv, "get", args)
    return LongV(FIELD_GETTERS[field](dt.local))


def _as_text(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 0, recv, "getAsText")
    dt, field = _prop(recv, "getAsText", args)
    value = FIELD_GETTERS[field](dt.local)
    if field == "dayOfWeek":
        return StringV(DAYS[value - 1])
    if field == "monthOfYear":
        return StringV(MONTHS[value - 1])
    return StringV(str(value))


def _with_extreme(name: str, maximum: bool) -> None:
    def method(st: State, recv: Value, args: list[Value]) -> Value:
        need(args, 0, recv, name)
        dt, field = _prop(recv, name, args)
        low, high = field_range(field, dt.local)
        return DateTimeV(dt.with_local(set_field(dt.local, field, high if maximum else low)))

    register(PROPERTY, name)(method)


register(PROPERTY, "get")(_prop_get)
register(PROPERTY, "getAsText")(_as_text)
_with_extreme("withMinimumValue", False)
_with_extreme("withMaximumValue", True)


# Days


def _days_between(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 2, recv, "daysBetween")
    start = datetime_arg(args[0], "daysBetween", args)
    end = datetime_arg(args[1], "daysBetween", args)
    zone = start.zone
    diff = (end.millis + zone.offset(end.millis)) - (start.millis + zone.offset(start.millis))
    days = abs(diff) // DAY_MS
    return DaysV(days if diff >= 0 else -days)


def _get_days(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 0, recv, "getDays")
    assert isinstance(recv, DaysV)
    if recv.v is None:
        raise failed("getDays", args)
    return LongV(recv.v)


register(DAYS_T, "daysBetween")(_days_between)
register(DAYS_T, "getDays")(_get_days)
