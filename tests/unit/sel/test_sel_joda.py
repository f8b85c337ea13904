"""Joda-Time: zones, DateTime arithmetic, formats, properties and Days."""

from __future__ import annotations

import pytest

from maestoso.sel import SelError, evaluate
from maestoso.sel.jodaformat import parse_instant, print_instant, tokenize_pattern
from maestoso.sel.zones import UTC_ZONE, format_offset, zone_for_id

LA = "DateTimeZone.forID('America/Los_Angeles')"
T0 = "new DateTime(12345, DateTimeZone.UTC)"


def value(expression: str) -> object:
    return evaluate(expression).value


def kind(expression: str) -> str:
    with pytest.raises(SelError) as caught:
        evaluate(expression)
    return caught.value.kind


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (f"new DateTime(0, {LA}).toString();", "1969-12-31T16:00:00.000-08:00"),
        ("new DateTime('2019-01-01T10:30:00+02:00').toString();", "2019-01-01T08:30:00.000Z"),
        ("new DateTime('2019-03-05T01:02:03.4Z').getMillisOfSecond();", 400),
        (f"new DateTime('2019-06-01', {LA}).getMillis();", 1559372400000),
        (f"new DateTime(new DateTime(0), {LA}).getHourOfDay();", 16),
        (
            "new DateTime(2021, 1, 31, 0, 0, 0, 0, DateTimeZone.UTC)"
            ".plusMonths(1).getDayOfMonth();",
            28,
        ),
        (f"new DateTime(2021, 3, 13, 12, 0, 0, 0, {LA}).plusDays(1).getHourOfDay();", 12),
        (f"new DateTime(2021, 3, 13, 12, 0, 0, 0, {LA}).plusHours(24).getHourOfDay();", 13),
        (
            f"new DateTime(2021, 11, 7, 1, 30, 0, 0, {LA}).toString();",
            "2021-11-07T01:30:00.000-07:00",
        ),
        (
            f"{T0}.plusYears(1).plusWeeks(1).minusMinutes(1).toString('yyyy-MM-dd HH:mm');",
            "1971-01-07 23:59",
        ),
        (
            f"{T0}.toString('G C YY xxxx ww e E EEEE MMM MMMM D a h K k');",
            "AD 19 70 1970 01 4 Thu Thursday Jan January 1 AM 12 0 24",
        ),
        (f"{T0}.toString(\"SSSS z Z ZZ ZZZ 'q''t' ''\");", "3450 UTC +0000 +00:00 UTC q't '"),
        (f"new DateTime(0, {LA}).toString('Z ZZ');", "-0800 -08:00"),
        (f"{T0}.withMinuteOfHour(5).withSecondOfMinute(6).getSecondOfDay();", 306),
        (f"{T0}.getMinuteOfDay();", 0),
        (f"{T0}.withYear(2020).withDayOfYear(366).getDayOfMonth();", 31),
        (f"{T0}.withWeekyear(2020).withWeekOfWeekyear(53).getWeekOfWeekyear();", 53),
        (f"{T0}.withHourOfDay(23).withMillisOfSecond(9).getMillisOfDay();", 82812009),
        (f"{T0}.dayOfMonth().withMaximumValue().getDayOfMonth();", 31),
        (f"{T0}.monthOfYear().getAsText();", "January"),
        (f"{T0}.hourOfDay().getAsText();", "0"),
        (f"{T0}.weekOfWeekyear().withMinimumValue().toString('yyyy-MM-dd');", "1970-01-01"),
        (f"{T0}.isEqual({T0});", True),
        (
            "Days.daysBetween(new DateTime('2019-02-01'), new DateTime('2019-01-01')).getDays();",
            -31,
        ),
        ("DateTimeFormat.forPattern('dd MMM yyyy').parseMillis('05 feb 2019');", 1549324800000),
        (
            "DateTimeFormat.forPattern('EEEE, yyyy-DDD hh:mm a').parseDateTime("
            "'Tuesday, 2019-032 01:30 PM').toString();",
            "2019-02-01T13:30:00.000Z",
        ),
        (
            "DateTimeFormat.forPattern('xxxx-ww-e').parseDateTime('2020-53-5').toString('yyyyMMdd');",
            "20210101",
        ),
        (
            "DateTimeFormat.forPattern('yyyy-MM-dd HH:mmZ').parseMillis('1970-01-01 01:00+01:00');",
            0,
        ),
        ("DateTimeFormat.forPattern('kk:mm').parseDateTime('24:00').getHourOfDay();", 0),
        (f"DateTimeFormat.forPattern('HH').withZone({LA}).print(0);", "16"),
        (f"DateTimeFormat.forPattern('HH').print(new DateTime(0, {LA}));", "16"),
        ("DateTimeZone.forID('+05:30').getOffset(0);", 19800000),
        ("String.valueOf(DateTimeZone.forID('-08'));", "-08:00"),
        ("String.valueOf(DateTimeZone.forID('+00:00'));", "UTC"),
        (f"{LA}.getOffset(1559372400000);", -25200000),
        ("DateTime d; null == d;", True),
        ("d = new DateTime(0); d = new DateTime(5); d.getMillis();", 5),
        ("String.valueOf(Days.daysBetween(new DateTime(0), new DateTime(86400000)));", "P1D"),
        ("Util.dateIntHourToTs('20190310', '02', 'America/Los_Angeles', 0, 0);", 1552212000000),
    ],
)
def test_datetime(expression: str, expected: object) -> None:
    assert value(expression) == expected


@pytest.mark.parametrize(
    ("expression", "error"),
    [
        (f"new DateTime(2021, 3, 14, 2, 30, 0, 0, {LA});", "IllegalInstantException"),
        ("new DateTime(2021, 2, 30, 0, 0, 0, 0, DateTimeZone.UTC);", "IllegalFieldValueException"),
        ("new DateTime(1, 2, 3);", "IllegalArgumentException"),
        ("new DateTime(true);", "IllegalArgumentException"),
        ("new DateTime('2019-13-01');", "IllegalFieldValueException"),
        ("new DateTime('yesterday');", "IllegalArgumentException"),
        (f"{T0}.withMonthOfYear(13);", "IllegalFieldValueException"),
        (f"{T0}.plusDays(5000000000);", "IllegalArgumentException"),
        (f"{T0}.plusYears(20000);", "IllegalFieldValueException"),
        (f"{T0}.toString('bb');", "IllegalArgumentException"),
        (f"{T0}.toString(1);", "UnsupportedOperationException"),
        (f"{T0}.withZone(1);", "IllegalArgumentException"),
        (f"{T0}.isAfter(1);", "IllegalArgumentException"),
        ("DateTime d; d.getMillis();", "IllegalArgumentException"),
        ("DateTimeZone.forID('utc');", "IllegalArgumentException"),
        ("DateTimeZone.forID('+25:00');", "IllegalArgumentException"),
        ("DateTimeZone z; z.getOffset(0);", "IllegalArgumentException"),
        ("DateTimeFormat.forPattern('q');", "IllegalArgumentException"),
        ("DateTimeFormat.forPattern('yyyy').parseMillis(2019);", "ClassCastException"),
        ("DateTimeFormat.forPattern('yyyy').parseMillis('20x');", "IllegalArgumentException"),
        ("DateTimeFormat.forPattern('yyyy-MM').parseMillis('2019-');", "IllegalArgumentException"),
        ("DateTimeFormat.forPattern('G yyyy').parseMillis('AD 2019');", "IllegalArgumentException"),
        ("DateTimeFormat.forPattern('MMM').parseMillis('Foo');", "IllegalArgumentException"),
        ("DateTimeFormat.forPattern('Z').parseMillis('x');", "IllegalArgumentException"),
        ("DateTimeFormatter f; f.print(1);", "IllegalArgumentException"),
        ("DateTime.parse('2019', 1);", "IllegalArgumentException"),
        ("Property p; p.get();", "IllegalArgumentException"),
        ("Days d; d.getDays();", "IllegalArgumentException"),
        ("DateTime d; d.dayOfWeek();", "IllegalArgumentException"),
    ],
)
def test_datetime_errors(expression: str, error: str) -> None:
    assert kind(expression) == error


def test_format_helpers() -> None:
    assert format_offset(-(5 * 3600 + 30 * 60 + 15) * 1000) == "-05:30:15"
    assert format_offset(3600_000, colon=False) == "+0100"
    assert zone_for_id("UTC") is UTC_ZONE
    assert [t.letter for t in tokenize_pattern("yyyy'T'")] == ["y", ""]
    assert print_instant("yy", 0, UTC_ZONE) == "70"
    assert parse_instant("yyyyMMdd", "2019011", UTC_ZONE) == 1546300800000
