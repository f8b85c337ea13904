"""The lexer, the parser and the references an expression makes."""

from __future__ import annotations

import pytest

from maestoso.sel import ParamsCall, SelError, evaluate, parse
from maestoso.sel.lexer import Tok, tokenize, translate_unicode_escapes
from maestoso.sel.parser import MAX_NESTING


def kinds(text: str) -> list[tuple[Tok, str]]:
    return [(t.kind, t.text) for t in tokenize(text)][:-1]


def test_tokens_of_each_kind() -> None:
    assert kinds("x1 = 10L + .5e2 - 'a' >>>= for") == [
        (Tok.IDENT, "x1"),
        (Tok.OP, "="),
        (Tok.INT, "10L"),
        (Tok.OP, "+"),
        (Tok.FLOAT, ".5e2"),
        (Tok.OP, "-"),
        (Tok.STRING, "'a'"),
        (Tok.OP, ">>>="),
        (Tok.KEYWORD, "for"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0x1F", [(Tok.INT, "0x1F")]),
        ("08", [(Tok.INT, "0"), (Tok.INT, "8")]),
        ("1e", [(Tok.INT, "1"), (Tok.IDENT, "e")]),
        ("1.5f", [(Tok.FLOAT, "1.5f")]),
        ("2d", [(Tok.FLOAT, "2d")]),
        ('"a\\tb\\101"', [(Tok.STRING, '"a\\tb\\101"')]),
    ],
)
def test_number_and_string_tokens(text: str, expected: list[tuple[Tok, str]]) -> None:
    assert kinds(text) == expected


def test_comments_and_lines_are_skipped_and_counted() -> None:
    tokens = tokenize("// one\n/* two\n */ x")
    assert (tokens[0].text, tokens[0].line, tokens[0].column) == ("x", 3, 5)


def test_unicode_escapes_are_translated_first() -> None:
    assert translate_unicode_escapes("\\u0041\\uu0042") == "AB"
    assert translate_unicode_escapes("\\\\u0041") == "\\\\u0041"
    assert evaluate("'\\u0041' + \"\\n\";").value == "A\n"
    with pytest.raises(SelError):
        translate_unicode_escapes("\\u00zz")


@pytest.mark.parametrize("text", ["'abc", "'a\nb'", "/* open", "'\\q'", "#", "'\\9'"])
def test_lexical_errors(text: str) -> None:
    with pytest.raises(SelError) as caught:
        tokenize(text)
    assert caught.value.kind == "TokenMgrError"
    assert caught.value.line == 1


@pytest.mark.parametrize(
    "text",
    [
        "1+1",
        "x++;",
        "a & b;",
        "(int) x;",
        "return;",
        "new int(1);",
        "new int[][]{};",
        "String[] a = {'x'};",
        "foo();",
        "1 2;",
        ";",
        "{ 1;",
        "if (true) 1",
        "for (i = 0, j = 1; i < 2; i += 1) i;",
        "x = 1; import a;",
        "a.b = 1;",
        "0x1F;",
        "9223372036854775808;",
        "new java.io.File('x');",
    ],
)
def test_parse_errors(text: str) -> None:
    with pytest.raises(SelError) as caught:
        parse(text)
    assert caught.value.kind in ("ParseException", "NumberFormatException")


def test_parse_errors_carry_line_and_column() -> None:
    with pytest.raises(SelError) as caught:
        parse("x = 1;\ny = = 2;")
    assert (caught.value.line, caught.value.column) == (2, 5)
    assert "line 2, column 5" in str(caught.value)


def test_octal_string_escapes_are_rejected_after_lexing() -> None:
    with pytest.raises(SelError) as caught:
        parse("'\\101';")
    assert caught.value.kind == "IllegalArgumentException"


@pytest.mark.parametrize(
    "text",
    [
        "(" * (MAX_NESTING + 5) + "1" + ")" * (MAX_NESTING + 5) + ";",
        "1" + "+1" * 3000 + ";",
        "-" * 500 + "1;",
        "x" + ".a()" * 400 + ";",
        "{" * 300 + "}" * 300,
        "if (true) " * 300 + "1;",
    ],
)
def test_deep_nesting_is_a_parse_error_not_a_crash(text: str) -> None:
    with pytest.raises(SelError) as caught:
        evaluate(text, limits={"length": 100000})
    assert caught.value.kind == "ParseException"


def test_parse_is_cached_per_text() -> None:
    assert parse("1 + 1;") is parse("1 + 1;")


def test_imports_are_ignored() -> None:
    assert evaluate("import static java.util.*; import a.b; 1;").value == 1


def test_literals() -> None:
    assert evaluate("010;").value == 10
    assert evaluate("1l;").value == 1
    assert evaluate("1.1f;").value == 1.1
    assert evaluate("1e3;").type == "DOUBLE"
    assert evaluate("null;").type == "NULL"


def test_free_names_follow_source_order_and_first_use() -> None:
    expr = parse("a + b; c = a; int d = 1; e = d + c + f; Math.min(g, 1); params['x'];")
    assert expr.free_names == ("a", "b", "f", "g", "params")
    assert parse("x = 1; x;").free_names == ()
    assert parse("x + 1; x = 1;").free_names == ("x",)
    assert parse("x.length;").free_names == ("x",)
    assert parse("for (int i = 0; i < n; i += 1) { s = t[i]; } while (w) {}").free_names == (
        "n",
        "t",
        "w",
    )


def test_params_calls_are_listed() -> None:
    expr = parse("params.getFromStep('s1', p); params.nextUniqueId(); x.getFromStep('a');")
    assert expr.params_calls == (
        ParamsCall("getFromStep", ("s1", None)),
        ParamsCall("nextUniqueId", ()),
    )
