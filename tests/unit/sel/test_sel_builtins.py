"""String, number, map, Math, UUID, System and Util built-ins."""

from __future__ import annotations

import math

import pytest

from maestoso.clock import FakeClock
from maestoso.sel import SelError, evaluate
from maestoso.sel.javafmt import java_format
from maestoso.sel.misc import java_pow
from maestoso.sel.numbers import parse_double, parse_long, to_long
from maestoso.sel.util import parse_period_ms


def value(expression: str, **variables: object) -> object:
    return evaluate(expression, variables).value


def kind(expression: str, **variables: object) -> str:
    with pytest.raises(SelError) as caught:
        evaluate(expression, variables)
    return caught.value.kind


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("' a '.trim();", "a"),
        ("'Ab'.toUpperCase() + 'Ab'.toLowerCase();", "ABab"),
        ("''.isEmpty();", True),
        ("'a😀'.length();", 3),
        ("'abcabc'.lastIndexOf('c');", 5),
        ("'abc'.contains('b');", True),
        ("'abc'.startsWith('ab') && 'abc'.endsWith('bc');", True),
        ("'abc'.equals(1);", False),
        ("'abc'.equals('abc');", True),
        ("'abc'.compareTo('abd');", -1),
        ("'ab'.compareTo('abcd');", -2),
        ("'abc'.substring(1);", "bc"),
        ("'aaa'.replace('a', 'bb');", "bbbbbb"),
        ("'ab'.replace('', '-');", "-a-b-"),
        ("'a1b22'.replaceAll('[0-9]+', '#');", "a#b#"),
        ("'a,b,,c,,'.split(',').length;", 4),
        ("'a,b,,c,,'.split(',', -1).length;", 6),
        ("'a.b.c'.split('.').length;", 0),
        ("String.valueOf(null);", "null"),
        ("String.valueOf(1.0E7);", "1.0E7"),
        ("String.valueOf(new long[]{1, 2});", "[1, 2]"),
        (
            "String.format('%05d|%-4s|%.2f|%x|%b|%%|%n', 42, 'ab', 3.14159, 255, null);",
            "00042|ab  |3.14|ff|false|%|\n",
        ),
        ("String.format('%s', new String[]{'a'});", "[a]"),
        ("String.join('-', new String[]{'a', 'b'});", "a-b"),
        ("'a\\tb'.escape();", "a\\tb"),
        ("new String(5);", "5"),
        ("new Long('-12');", -12),
        ("new Long(3);", 3),
        ("new Double('1.5');", 1.5),
        ("new Double(2.5);", 2.5),
        ("new Boolean('TRUE');", True),
        ("new Boolean('yes');", False),
        ("new Boolean(true);", True),
        ("Long.valueOf('+12');", 12),
        ("Integer.valueOf(4).intValue();", 4),
        ("Long.toString();", "0"),
        ("x = 16; x.toString(5);", "5"),
        ("Double.parseDouble(' 1e2 ');", 100.0),
        ("Double.valueOf('0x1p3');", 8.0),
        ("Double.toString(1.0E-5);", "1.0E-5"),
        ("x = -2.7; x.intValue();", -2),
        ("Math.max(3, 9) - Math.min(3, 9);", 6),
        ("Math.pow(2, 0.5) > 1.41;", True),
        ("Math.random() < 1.0;", True),
        ("UUID.randomUUID().toString().length();", 36),
        ("Arrays.asList('x');", "x"),
        ("System.SUNDAY;", 7),
        ("m = new HashMap(); m.put('a', 1); m.getOrDefault('b', 2) + m.getOrDefault('a', 0);", 3),
        ("Util.toJson(1.5);", "1.5"),
        ("Util.toJson(true);", "true"),
        ("Util.toJson(null);", "null"),
        (
            "m = new Map(); m.put('b', new long[]{1}); m.put('a', 'x'); Util.toJson(m);",
            '{"a":"x","b":[1]}',
        ),
        ("Util.tsToDateInt(-1);", "19691231"),
        ("Util.incrementDateInt('20190101', -1);", "20181231"),
        ("Util.intsBetween(3, 1, 0).length;", None),
        ("Util.intsBetween(1, 3, 0).length;", 0),
    ],
)
def test_builtins(expression: str, expected: object) -> None:
    if expected is None:
        assert kind(expression) == "IllegalArgumentException"
        return
    assert value(expression) == expected


@pytest.mark.parametrize(
    ("expression", "error"),
    [
        ("'abc'.substring(5);", "IllegalArgumentException"),
        ("'abc'.substring(1, 5000000000);", "IllegalArgumentException"),
        ("'abc'.substring(1.5);", "IllegalArgumentException"),
        ("'abc'.contains(null);", "IllegalArgumentException"),
        ("'x'.replaceAll('x', '$1');", "IllegalArgumentException"),
        ("'x'.replaceAll('(', 'y');", "IllegalArgumentException"),
        ("'x'.split('[');", "IllegalArgumentException"),
        ("String s; s.length();", "IllegalArgumentException"),
        ("'x'.valueOf(1);", "IllegalArgumentException"),
        ("String.format();", "IllegalArgumentException"),
        ("String.format('%s|%s', new String[]{'a', 'b'});", "MissingFormatArgumentException"),
        ("String.format('%d', 1.5);", "IllegalFormatException"),
        ("String.join(',', 1);", "ClassCastException"),
        ("String.join(',', new long[]{1});", "ClassCastException"),
        ("String.join();", "UnsupportedOperationException"),
        ("'x'.escape('a', 'b');", "IllegalArgumentException"),
        ("'x'.unknown();", "UnsupportedOperationException"),
        ("new String(true);", "IllegalArgumentException"),
        ("new Long(1.5);", "IllegalArgumentException"),
        ("new Double(1);", "IllegalArgumentException"),
        ("new Boolean(1);", "IllegalArgumentException"),
        ("new Map(1);", "IllegalArgumentException"),
        ("Long.valueOf(' 12');", "NumberFormatException"),
        ("Long.valueOf(1.5);", "UnsupportedOperationException"),
        ("Long.parseLong(1);", "ClassCastException"),
        ("Long.toString(1.5);", "UnsupportedOperationException"),
        ("Double.valueOf(1);", "UnsupportedOperationException"),
        ("Double.parseDouble(1.0);", "ClassCastException"),
        ("Double.toString('x');", "UnsupportedOperationException"),
        ("Boolean.valueOf('true');", "UnsupportedOperationException"),
        ("Map m; m.get('a');", "NullPointerException"),
        ("m = new Map(); m.get();", "UnsupportedOperationException"),
        ("Math.pow('a', 1);", "ClassCastException"),
        ("Math.max(1.5, 2);", "ClassCastException"),
        ("UUID.randomUUID() + 'x';", "UnsupportedOperationException"),
        ("Util.intsBetween(0, 10, 1)[0] = 'x';", "ParseException"),
        ("Util.toJson();", "UnsupportedOperationException"),
        ("Util.tsToDateInt(1.5);", "IllegalArgumentException"),
        ("Util.dateIntToTs(true);", "IllegalArgumentException"),
        ("Util.dateIntsBetween(20190101, 20190105, 5000000000);", "NumberFormatException"),
        ("Util.timeoutForDateTimeDeadline(1, '1 day');", "ClassCastException"),
        ("Util.timeoutForDateIntDeadline(20190101, '1 month');", "UnsupportedOperationException"),
        ("Util.timeoutForDateIntDeadline(20190101, 'soon');", "IllegalArgumentException"),
        ("Util.dateIntHourToTs(20190101, 1, 'PST', 0, 0);", "IllegalArgumentException"),
    ],
)
def test_builtin_errors(expression: str, error: str) -> None:
    assert kind(expression) == error


def test_clock_driven_builtins() -> None:
    clock = FakeClock(1_000)
    assert evaluate("System.currentTimeMillis();", clock=clock).value == 1_000
    result = evaluate("Util.timeoutForDateTimeDeadline(new DateTime(0), '1 second');", clock=clock)
    assert result.value == "0 milliseconds"


def test_period_parsing() -> None:
    assert parse_period_ms("1 day, 2 hours and 3 minutes") == 93_780_000
    assert parse_period_ms("1 week 1 millisecond".replace(" 1 m", ", 1 m")) == 604_800_001


def test_java_number_helpers() -> None:
    assert parse_long("-0") == 0
    for bad in ("", "+", "1_000", "9223372036854775808", None):
        with pytest.raises(SelError):
            parse_long(bad)
    assert math.isnan(parse_double("NaN"))
    assert parse_double("-Infinity") == -math.inf
    assert parse_double("1.5f") == 1.5
    with pytest.raises(SelError):
        parse_double("1.5x")
    with pytest.raises(SelError):
        parse_double(None)
    assert (to_long(math.nan), to_long(math.inf), to_long(-1e300)) == (0, 2**63 - 1, -(2**63))


def test_java_pow_special_cases() -> None:
    assert math.isnan(java_pow(1.0, math.nan))
    assert math.isnan(java_pow(-1.0, math.inf))
    assert java_pow(10.0, 400.0) == math.inf
    assert java_pow(-10.0, 401.0) == -math.inf
    assert math.isnan(java_pow(-8.0, 1 / 3))
    assert math.isnan(java_pow(math.nan, 1.0))


@pytest.mark.parametrize(
    ("fmt", "args", "expected"),
    [
        ("%,d", [1234567], "1,234,567"),
        ("%+d|% d|%(d", [5, 5, -5], "+5| 5|(5)"),
        ("%08.3f", [-3.14159], "-003.142"),
        ("%e", [12345.678], "1.234568e+04"),
        ("%X|%o|%#x", [-1, 8, 255], "FFFFFFFF|10|0xff"),
        ("%x", [2**40], "10000000000"),
        ("%S|%B|%c", ["ab", True, 65], "AB|TRUE|A"),
        ("%2$s %1$s %<s", ["a", "b"], "b a a"),
        ("%.1s|%5s", ["xyz", "ab"], "x|   ab"),
        ("%f|%s", [math.inf, 1.5], "Infinity|1.5"),
        ("%5%", [], "    %"),
    ],
)
def test_java_format(fmt: str, args: list[object], expected: str) -> None:
    assert java_format(fmt, args) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["%s %s", "%q", "%d", "abc %", "%1000001s", "%c"])
def test_java_format_errors(fmt: str) -> None:
    with pytest.raises(SelError):
        java_format(fmt, ["x"])
