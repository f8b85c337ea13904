"""Property: on any input, SEL returns a value or raises SelError, within its deadline."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maestoso.sel import Limits, SelError, evaluate
from maestoso.sel.lexer import tokenize

ROOT = Path(__file__).resolve().parents[3]
SHARED = Path(os.environ.get("MAESTOSO_SHARED_DIR", ROOT.parent / "shared"))
SEEDS = [
    "x = 1; for (i = 0; i < 5; i += 1) { x += i; } return x;",
    "m = new Map(); m.put('a', new long[]{1, 2}); m.get('a')[1];",
    "'a,b'.split(',')[0] + String.format('%s-%d', 'x', 2);",
    "new DateTime(0, DateTimeZone.UTC).plusDays(1).toString('yyyyMMdd');",
    "Util.dateIntsBetween(20190101, 20190105, 1);",
    "if (x > 1) return 'big'; else return 'small';",
    "s = ''; while (s.length() < 3) s += 'a'; s.replaceAll('a+', '$0b');",
]
if (SHARED / "sel" / "cases.json").exists():
    SEEDS += [c["expr"] for c in json.loads((SHARED / "sel" / "cases.json").read_text())][:200]
LIMITS = Limits(
    stack=64, loop=200, array=200, length=2000, visit=20000, memory=200_000, timeout_ms=500
)
WORDS = [
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ";",
    ",",
    ".",
    "=",
    "+=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "<",
    "==",
    "&&",
    "||",
    "!",
    "?",
    ":",
    "new",
    "for",
    "while",
    "if",
    "else",
    "return",
    "break",
    "x",
    "y",
    "params",
    "Util",
    "Math",
    "String",
    "DateTime",
    "1",
    "2.5",
    "'s'",
    "null",
    "true",
    "int",
    "long[]",
    "Map",
]


def check(expression: str) -> None:
    started = time.monotonic()
    try:
        result = evaluate(expression, {"x": 3, "y": "t"}, limits=LIMITS)
    except SelError:
        pass
    else:
        assert isinstance(result.type, str)
        json.dumps(result.value, allow_nan=True)
    assert time.monotonic() - started < 5


def tokens_of(text: str) -> list[str]:
    try:
        return [token.text for token in tokenize(text)][:-1]
    except SelError:
        return list(text)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    tokens = tokens_of(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "insert", "swap", "char"]))
        at = draw(st.integers(0, max(len(tokens) - 1, 0)))
        if op == "delete" and tokens:
            del tokens[at]
        elif op == "insert":
            tokens.insert(at, draw(st.sampled_from(WORDS)))
        elif op == "swap" and len(tokens) > 1:
            other = draw(st.integers(0, len(tokens) - 1))
            tokens[at], tokens[other] = tokens[other], tokens[at]
        elif tokens:
            word = tokens[at]
            index = draw(st.integers(0, max(len(word) - 1, 0)))
            tokens[at] = word[:index] + draw(st.characters()) + word[index + 1 :]
    return " ".join(tokens)


FUZZ = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(mutated())
def test_mutated_expressions(expression: str) -> None:
    check(expression)


@FUZZ
@given(st.lists(st.sampled_from(WORDS), max_size=30).map(" ".join))
def test_random_token_soup(expression: str) -> None:
    check(expression)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_random_text(expression: str) -> None:
    check(expression)
