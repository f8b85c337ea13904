"""Time zones (Joda's ``DateTimeZone``) and ISO-chronology calendar arithmetic on millis."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from maestoso.sel.errors import ILLEGAL_FIELD, ILLEGAL_INSTANT, SelError, illegal_argument

DAY_MS = 86_400_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_FIXED = re.compile(r"([+-])(\d{2})(?::?(\d{2}))?")


class Zone:
    """A named tz-database zone, ``UTC`` or a fixed offset."""

    __slots__ = ("fixed_ms", "id", "info")

    def __init__(self, zone_id: str, info: ZoneInfo | None, fixed_ms: int = 0) -> None:
        self.id = zone_id
        self.info = info
        self.fixed_ms = fixed_ms

    def offset(self, instant_ms: int) -> int:
        """The offset from UTC in milliseconds at an instant."""
        if self.info is None:
            return self.fixed_ms
        moment = _EPOCH + timedelta(milliseconds=instant_ms)
        delta = moment.astimezone(self.info).utcoffset()
        assert delta is not None
        return int(delta.total_seconds() * 1000)

    def to_utc(self, local_ms: int, strict: bool = False) -> int:
        """The instant of a local time; a DST gap moves it forward unless ``strict``."""
        if self.info is None:
            return local_ms - self.fixed_ms
        naive = datetime(1970, 1, 1) + timedelta(milliseconds=local_ms)
        aware = naive.replace(tzinfo=self.info, fold=0)
        delta = aware.utcoffset()
        assert delta is not None
        instant = local_ms - int(delta.total_seconds() * 1000)
        if strict and instant + self.offset(instant) != local_ms:
            raise SelError(
                f"Illegal instant due to time zone offset transition: {naive.isoformat()} "
                f"({self.id})",
                kind=ILLEGAL_INSTANT,
            )
        return instant

    def short_name(self, instant_ms: int) -> str:
        if self.info is None:
            return self.id
        moment = _EPOCH + timedelta(milliseconds=instant_ms)
        return moment.astimezone(self.info).tzname() or self.id


UTC_ZONE = Zone("UTC", None)
DEFAULT_ZONE = UTC_ZONE
"""The zone of a DateTime made without one (Joda's JVM default zone); UTC here."""


@lru_cache(maxsize=1)
def _known_ids() -> frozenset[str]:
    return frozenset(available_timezones())


def format_offset(offset_ms: int, colon: bool = True) -> str:
    sign = "-" if offset_ms < 0 else "+"
    total = abs(offset_ms) // 1000
    hours, minutes, seconds = total // 3600, total // 60 % 60, total % 60
    sep = ":" if colon else ""
    text = f"{sign}{hours:02d}{sep}{minutes:02d}"
    return text + (f"{sep}{seconds:02d}" if seconds else "")


@lru_cache(maxsize=512)
def zone_for_id(zone_id: str) -> Zone:
    """``DateTimeZone.forID``: tz ids, ``UTC`` and fixed offsets such as ``+05:30``."""
    if zone_id == "UTC":
        return UTC_ZONE
    match = _FIXED.fullmatch(zone_id)
    if match:
        sign, hours, minutes = match.groups()
        offset = (int(hours) * 60 + int(minutes or 0)) * 60_000
        if offset >= DAY_MS:
            raise illegal_argument(f"The datetime zone id '{zone_id}' is not recognised")
        offset = -offset if sign == "-" else offset
        return UTC_ZONE if offset == 0 else Zone(format_offset(offset), None, offset)
    if zone_id not in _known_ids():
        raise illegal_argument(f"The datetime zone id '{zone_id}' is not recognised")
    return Zone(zone_id, ZoneInfo(zone_id))


# Calendar arithmetic on local millis (milliseconds since 1970-01-01T00:00 local time).


def split_local(local_ms: int) -> tuple[date, int]:
    days, millis = divmod(local_ms, DAY_MS)
    try:
        return date.fromordinal(_EPOCH_ORDINAL + days), millis
    except (ValueError, OverflowError):
        raise SelError(
            "The date is outside the supported years 1-9999", kind=ILLEGAL_FIELD
        ) from None


def join_local(day: date, millis: int) -> int:
    return (day.toordinal() - _EPOCH_ORDINAL) * DAY_MS + millis


def field_error(name: str, value: int, low: int, high: int) -> SelError:
    return SelError(
        f"Value {value} for {name} must be in the range [{low},{high}]", kind=ILLEGAL_FIELD
    )


def checked(name: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise field_error(name, value, low, high)
    return value


def month_length(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - date(year, month, 1)).days


def weeks_in(weekyear: int) -> int:
    return date(weekyear, 12, 28).isocalendar()[1]


def add_months(day: date, months: int) -> date:
    total = day.year * 12 + (day.month - 1) + months
    year, month = divmod(total, 12)
    checked("year", year, 1, 9999)
    return date(year, month + 1, min(day.day, month_length(year, month + 1)))
