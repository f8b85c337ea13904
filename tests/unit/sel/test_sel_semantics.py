"""Operators, statements and SEL's aliasing rules."""

from __future__ import annotations

import math

import pytest

from maestoso.sel import SelError, evaluate


def value(expression: str, **variables: object) -> object:
    return evaluate(expression, variables).value


def error(expression: str, **variables: object) -> SelError:
    with pytest.raises(SelError) as caught:
        evaluate(expression, variables)
    return caught.value


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("9223372036854775807 + 1;", -9223372036854775808),
        ("-9223372036854775807 - 2;", 9223372036854775807),
        ("4611686018427387904 * 4;", 0),
        ("-7 / 2;", -3),
        ("-7 % 3;", -1),
        ("7 % -3;", 1),
        ("x = -9223372036854775807 - 1; x / -1;", -9223372036854775808),
        ("5 / 2.0;", 2.5),
        ("1 + 2.5;", 3.5),
        ("7.5 % 2;", 1.5),
        ("2.0 * 3;", 6.0),
        ("2.5 - 1;", 1.5),
        ("0.1 + 0.2;", 0.30000000000000004),
        ("-(-3);", 3),
        ("+3;", 3),
        ("-2.5;", -2.5),
        ("+2.5;", 2.5),
        ("!!true;", True),
        ("1 == 1.0;", True),
        ("2.0 >= 1;", True),
        ("1.0 < 2;", True),
        ("1.5 <= 1;", False),
        ("1.5 != 1;", True),
        ("1 == '1';", True),
        ("1.5 == '1.5';", True),
        ("'a' + null;", "anull"),
        ("null + 1;", "null1"),
        ("null == null;", True),
        ("null != 1;", True),
        ("null < 1;", False),
        ("null > 1;", False),
        ("String s; s == null;", True),
        ("String s; s + 'x';", "nullx"),
        ("'a' + true;", "atrue"),
        ("'a' + 1.0E7;", "a1.0E7"),
        ("'x' + 1e-5;", "x1.0E-5"),
        ("'x' == null;", False),
        ("'x' != 'y';", True),
        ("true == 1 < 2;", True),
        ("true != null;", True),
        ("false || true;", True),
        ("x = 0; false && (x = 1) > 0; x;", 1),
        ("true ? 1 : 2;", 1),
        ("false ? 1 : 2;", 2),
        ("'' + new Map();", "{}"),
        ("m = new Map(); m.put('b', 2); m.put('a', 'x'); '' + m;", "{a=x, b=2}"),
    ],
)
def test_operators(expression: str, expected: object) -> None:
    assert value(expression) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("1.0 / 0;", math.inf),
        ("-1.0 / 0;", -math.inf),
        ("1 / -0.0;", -math.inf),
        ("x = 1.0; x /= 0.0; x;", math.inf),
    ],
)
def test_double_division_by_zero(expression: str, expected: float) -> None:
    assert value(expression) == expected


@pytest.mark.parametrize("expression", ["0.0 / 0;", "1.0 % 0;", "x = 1.0 / 0; x % 2;"])
def test_nan(expression: str) -> None:
    result = value(expression)
    assert isinstance(result, float) and math.isnan(result)


@pytest.mark.parametrize(
    ("expression", "kind"),
    [
        ("1 / 0;", "ArithmeticException"),
        ("1 % 0;", "ArithmeticException"),
        ("x = 1; x /= 0;", "ArithmeticException"),
        ("1 < 2 < 3;", "IllegalArgumentException"),
        ("'1' == 1;", "IllegalArgumentException"),
        ("1 < 'a';", "UnsupportedOperationException"),
        ("1 && 2;", "UnsupportedOperationException"),
        ("!1;", "UnsupportedOperationException"),
        ("-true;", "UnsupportedOperationException"),
        ("-'a';", "UnsupportedOperationException"),
        ("!1.5;", "UnsupportedOperationException"),
        ("1.5 && 1.0;", "UnsupportedOperationException"),
        ("1.5 < new Map();", "ClassCastException"),
        ("true < false;", "UnsupportedOperationException"),
        ("null <= 1;", "UnsupportedOperationException"),
        ("-null;", "UnsupportedOperationException"),
        ("new Map() + 1;", "UnsupportedOperationException"),
        ("new int[1] == null;", "UnsupportedOperationException"),
        ("if (1) 2;", "ClassCastException"),
        ("while (null) {}", "ClassCastException"),
        ("x = 1 ? 2 : 3;", "ClassCastException"),
        ("for (; 'x';) {}", "ClassCastException"),
    ],
)
def test_operator_errors(expression: str, kind: str) -> None:
    assert error(expression).kind == kind


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("int x = 1; int y = x; y += 1; x;", 2),
        ("a = new long[]{1, 2}; int v = a[0]; v += 5; a[0];", 6),
        ("m = new Map(); m.put('a', 1); int v = m.get('a'); v += 1; m.get('a');", 2),
        ("s = 0; for (i = 0; i < 3; i += 1) { int c = 0; c += 1; s += c; } s;", 6),
        ("a = new long[]{1, 2}; b = a; b[0] = 9; a[0];", 9),
        ("m1 = new Map(); m2 = m1; m2.put('k', 1); m1.size();", 1),
        ("x = new Map(); y = 123; x.put('foo', y); y = 111; x.get('foo');", 111),
        ("b = 1 < 2; c = 1 < 2; b = false; c;", True),
        ("boolean b = 1 < 2; b = false; 1 < 2;", True),
        ("x = 5; x -= 2; x *= 3; x /= 2; x %= 3; x;", 1),
        ("d = 2.0; d += 1.0; d -= 0.5; d *= 2.0; d /= 5.0; d %= 0.5; d;", 0.0),
        ("s = 'a'; s += 1; s += null; s;", "a1null"),
        ("String s; s += 'x'; s;", "nullx"),
        ("a = new String[2]; a[1] = 'x'; a[1] += 'y'; a[1];", "xy"),
        ("int[] a = new int[2]; a[1] += 5; a[1];", 5),
        ("int x = 1, y = 2; x + y;", 3),
        ("long[] a; a.length;", 0),
        ("Map m; m.size();", 0),
        ("Map m; m.containsKey('a');", False),
        ("boolean b; b;", False),
        ("double d; d;", 0.0),
        ("x = y = 3; x + y;", 6),
        ("z = DateTimeZone.UTC; String.valueOf(z);", "UTC"),
        ("Long = 5;", None),
    ],
)
def test_assignment_and_aliasing(expression: str, expected: object) -> None:
    if expected is None:
        assert error(expression).kind == "UnsupportedOperationException"
        return
    assert value(expression) == expected


@pytest.mark.parametrize(
    ("expression", "kind"),
    [
        ("x = null;", "UnsupportedOperationException"),
        ("x = zzz;", "UnsupportedOperationException"),
        ("x = Math;", "UnsupportedOperationException"),
        ("y += 1;", "UnsupportedOperationException"),
        ("d = 1.0; d += 1;", "IllegalArgumentException"),
        ("double d = 1;", "IllegalArgumentException"),
        ("String s = null;", "IllegalArgumentException"),
        ("b = true; b += true;", "UnsupportedOperationException"),
        ("b = true; b = 1;", "IllegalArgumentException"),
        ("s = 'x'; s = 1;", "IllegalArgumentException"),
        ("a = new long[1]; a += 1;", "UnsupportedOperationException"),
        ("m = new Map(); m['k'] = 1;", "ClassCastException"),
        ("x = 1; x[0] = 1;", "ClassCastException"),
        ("a = new long[1]; a[2] = 1;", "ArrayIndexOutOfBoundsException"),
        ("a = new long[1]; a[-1];", "ArrayIndexOutOfBoundsException"),
        ("a = new long[1]; a[1.5];", "IllegalArgumentException"),
        ("m = new Map(); m['k'];", "ClassCastException"),
        ("1[0];", "ClassCastException"),
        ("String = 'x';", "UnsupportedOperationException"),
        ("Long += 5;", "UnsupportedOperationException"),
        ("Unknown x;", "UnsupportedOperationException"),
        ("DateTime[] x;", "IllegalArgumentException"),
        ("Math m;", "UnsupportedOperationException"),
        ("int x = 'a';", "IllegalArgumentException"),
        ("new double[]{1.0, 2};", "IllegalArgumentException"),
        ("new int[-1];", "NegativeArraySizeException"),
        ("new int['a'];", "ClassCastException"),
        ("new Math();", "UnsupportedOperationException"),
        ("new UUID();", "UnsupportedOperationException"),
        ("new int[2][2];", "ArrayIndexOutOfBoundsException"),
        ("throw 1;", "IllegalArgumentException"),
        ("throw null;", "IllegalArgumentException"),
        ("1; break;", "RuntimeException"),
        ("continue;", "RuntimeException"),
        ("'abc'.length;", "UnsupportedOperationException"),
        ("DateTimeConstants.MONDAY;", "UnsupportedOperationException"),
        ("null.x;", "UnsupportedOperationException"),
        ("x.foo();", "UnsupportedOperationException"),
        ("new long[1].foo();", "UnsupportedOperationException"),
    ],
)
def test_assignment_and_access_errors(expression: str, kind: str) -> None:
    assert error(expression).kind == kind


def test_throw_is_a_thrown_error() -> None:
    err = error("x = 1; if (x > 0) throw 'bad ' + x; 2;")
    assert (err.kind, err.message) == ("THROWN", "bad 1")


@pytest.mark.parametrize(
    ("expression", "expected", "kind"),
    [
        ("{ 1; 2; }", 2, "LONG"),
        ("{}", None, "VOID"),
        ("x = 1; if (x > 0) x = 2;", None, "VOID"),
        ("if (false) 1; else 2;", None, "VOID"),
        ("for (i = 0; i < 2; i += 1) {} i;", 2, "LONG"),
        ("i = 0; while (i < 3) { i += 1; if (i == 2) break; } i;", 2, "LONG"),
        ("s = 0; for (i = 0; i < 5; i += 1) { if (i % 2 == 0) continue; s += i; } s;", 4, "LONG"),
        ("for (int i = 0; i < 3; i += 1) { if (i == 1) return i * 10; } 5;", 10, "LONG"),
        ("while (true) { return 7; }", 7, "LONG"),
        ("return 1; 2;", 1, "LONG"),
        ("break; 1;", 1, "LONG"),
        ("", None, "VOID"),
        ("x = 1; { x += 1; int y = 2; }", None, "VOID"),
        ("if (true) { if (false) 1; else return 3; } 4;", 3, "LONG"),
        ("for (x = 0; x < 3; x += 1) if (x == 1) break; x;", 1, "LONG"),
        ("n = 0; for (;;) { n += 1; if (n > 3) break; } n;", 4, "LONG"),
        ("n = 0; for (a.length; n < 1;) n += 1;", None, "VOID"),
    ],
)
def test_statements(expression: str, expected: object, kind: str) -> None:
    result = evaluate(expression, {"a": ["x"]})
    assert (result.value, result.type) == (expected, kind)


def test_inputs_are_copied_and_shadowed_by_builtins() -> None:
    data = {"m": {"k": [1, 2]}, "String": "shadowed"}
    assert value("a = m.get('k'); a[0] = 5; params['m'].get('k')[0] + m.get('k')[0];", **data) == 6
    assert data["m"] == {"k": [1, 2]}
    assert value("String.valueOf(1);", String="x") == "1"
    assert value("x += 1; params['x'];", x=1) == 1
    assert value("x = 2; x;", x=1) == 2
    assert value("params.x;", x=3) == 3
