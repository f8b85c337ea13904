"""Java regular expressions on the step-counted engine."""

from __future__ import annotations

import time

import pytest

from maestoso.sel import Limits, SelError, evaluate
from maestoso.sel.limits import DEFAULT_LIMITS
from maestoso.sel.regex import replace_all, split
from maestoso.sel.regex_syntax import compile_pattern
from maestoso.sel.state import State, SystemNow


def state(timeout_ms: int = 5000) -> State:
    limits = Limits(timeout_ms=timeout_ms)
    return State(limits, {}, {}, SystemNow(), None)


@pytest.mark.parametrize(
    ("pattern", "text", "limit", "expected"),
    [
        ("\\s*,\\s*", "a , b,c", 0, ["a", "b", "c"]),
        ("", "abc", 0, ["a", "b", "c"]),
        ("x*", "axb", 0, ["a", "", "b"]),
        ("(?<=a)b", "abab", 0, ["a", "a"]),
        ("\\d", "a1b2c3", 2, ["a", "b2c3"]),
        ("[^a-c]", "abxcd", 0, ["ab", "c"]),
        ("\\|", "a|b", 0, ["a", "b"]),
        ("o", "foo", -1, ["f", "", ""]),
        ("z", "abc", 0, ["abc"]),
        ("a", "", 0, [""]),
    ],
)
def test_split(pattern: str, text: str, limit: int, expected: list[str]) -> None:
    assert split(state(), pattern, text, limit) == expected


@pytest.mark.parametrize(
    ("pattern", "text", "repl", "expected"),
    [
        ("(\\w+)@(\\w+)", "x joe@ex y", "$2 at $1", "x ex at joe y"),
        ("a*?b|c+", "aaabccc", "X", "XX"),
        ("^a|c$", "abc", "-", "-b-"),
        ("\\bcat\\b", "cat concat cat", "dog", "dog concat dog"),
        ("\\Bx", "xax", "_", "xa_"),
        ("(a)(b)?", "a", "[$2]", "[]"),
        ("(?:ab)+", "ababx", "Y", "Yx"),
        ("(?<n>a)\\k<n>", "aab", "Q", "Qb"),
        ("(a)\\1", "aab", "Q", "Qb"),
        ("a(?=b)", "acab", "X", "acXb"),
        ("a(?!b)", "acab", "X", "Xcab"),
        ("(?<!a)b", "abcb", "X", "abcX"),
        ("a{2,3}", "aaaaa", "X", "XX"),
        ("a{2}", "aaaaa", "X", "XXa"),
        ("a{2,}", "aaaaa", "X", "X"),
        ("a{1,2}?", "aaa", "X", "XXX"),
        ("a++b", "aab", "X", "X"),
        ("a*+a", "aaa", "X", "aaa"),
        ("(?>a|ab)c", "abc", "X", "abc"),
        ("\\Qa.b\\E", "a.bxaxb", "Q", "Qxaxb"),
        ("\\x41\\u0042\\t\\0101", "AB\tA", "ok", "ok"),
        ("[\\d\\s]+", "a1 2b", "_", "a_b"),
        ("[a\\-z]", "a-z", "", ""),
        ("\\p{Upper}\\P{Alpha}", "A1B", "_", "_B"),
        ("[\\p{Lower}]", "aB", "", "B"),
        ("\\AB\\z", "B", "c", "c"),
        (".", "a\nb", "x", "x\nx"),
        ("$", "ab\n", "X", "abX\nX"),
        ("\\W+", "a, b", "\\$", "a$b"),
        ("(\\d)(\\d)(\\d)(\\d)(\\d)(\\d)(\\d)(\\d)(\\d)(\\d)", "0123456789", "$10", "9"),
        ("(\\d)", "1", "$12", "12"),
    ],
)
def test_replace_all(pattern: str, text: str, repl: str, expected: str) -> None:
    assert replace_all(state(), pattern, text, repl) == expected


@pytest.mark.parametrize(
    "pattern",
    [
        *["(", ")", "*a", "a{2", "a{3,1}", "[a", "\\", "(?x)", "\\y", "[b-a]", "a{x}", "(?<n"],
        *["\\k<m>", "\\p{Nope}", "[a&&b]", "\\u12", "(" * 60 + ")" * 60, "a{30000}"],
    ],
)
def test_syntax_errors(pattern: str) -> None:
    with pytest.raises(SelError) as caught:
        compile_pattern(pattern)
    assert caught.value.kind == "PatternSyntaxException"


@pytest.mark.parametrize(("repl", "kind"), [("$", "IllegalArgumentException"), ("\\", None)])
def test_bad_replacements(repl: str, kind: str | None) -> None:
    with pytest.raises(SelError):
        replace_all(state(), "a", "a", repl)


def test_catastrophic_pattern_stops_at_the_deadline() -> None:
    started = time.monotonic()
    with pytest.raises(SelError) as caught:
        evaluate("'" + "a" * 40 + "!'.split('(a+)+b');", limits=Limits(timeout_ms=300))
    assert caught.value.kind == "TimeoutException"
    assert time.monotonic() - started < 3


def test_replacement_growth_is_charged_against_memory() -> None:
    with pytest.raises(SelError) as caught:
        evaluate("'a'.replaceAll('a*', 'bbbbbbbbbb');", limits=Limits(memory=60))
    assert caught.value.kind == "IllegalStateException"
    assert DEFAULT_LIMITS.memory > 60
