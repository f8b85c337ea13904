"""The SEL lexer: Java's tokens, after Java's ``\\uXXXX`` pre-translation."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from maestoso.sel.errors import LEXICAL, SelError


class Tok(Enum):
    IDENT = "identifier"
    KEYWORD = "keyword"
    INT = "integer literal"
    FLOAT = "floating literal"
    STRING = "string literal"
    OP = "operator"
    EOF = "end of input"


KEYWORDS = frozenset(
    "abstract boolean break byte case catch char class const continue default do double else "
    "extends false final finally float for goto if implements import instanceof int interface "
    "long native new null package private protected public return short static super switch "
    "synchronized this throw throws transient true try void volatile while".split()
)

# Longest first, so that the scanner is greedy like JavaCC's.
OPERATORS = sorted(
    "( ) { } [ ] ; , . = > < ! ~ ? : == <= >= != || && ++ -- + - * / & | ^ % << >> >>> "
    "+= -= *= /= &= |= ^= %= <<= >>= >>>=".split(),
    key=len,
    reverse=True,
)
_OP_CHARS = frozenset("".join(OPERATORS))
_SIMPLE_ESCAPES = frozenset("ntbrf\\'\"")
_HEX = frozenset("0123456789abcdefABCDEF")


@dataclass(frozen=True, slots=True)
class Token:
    kind: Tok
    text: str
    line: int
    column: int


def _lex_error(message: str, line: int, column: int) -> SelError:
    return SelError(message, kind=LEXICAL, line=line, column=column)


def translate_unicode_escapes(text: str) -> str:
    """Java's first translation phase: ``\\uXXXX`` (any number of ``u``) becomes the char."""
    if "\\u" not in text:
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        run = i
        while run < n and text[run] == "\\":
            run += 1
        slashes = run - i
        out.append("\\" * (slashes - 1 if slashes % 2 else slashes))
        i = run
        if slashes % 2 == 0:
            continue
        if i >= n or text[i] != "u":
            out.append("\\")
            continue
        while i < n and text[i] == "u":
            i += 1
        digits = text[i : i + 4]
        if len(digits) != 4 or not set(digits) <= _HEX:
            raise _lex_error(f"Invalid escape character \\u{digits}", 1, i)
        out.append(chr(int(digits, 16)))
        i += 4
    return "".join(out)


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9" if ch else False


def _is_ident_start(ch: str) -> bool:
    return ch.isalpha() or ch in "$_"


def _is_ident_part(ch: str) -> bool:
    return ch.isalnum() or ch in "$_"


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.line_start = 0
        self.tokens: list[Token] = []

    def column(self, pos: int) -> int:
        return pos - self.line_start + 1

    def newline_at(self, pos: int) -> None:
        self.line += 1
        self.line_start = pos + 1

    def run(self) -> list[Token]:
        text, n = self.text, len(self.text)
        while True:
            self.skip_blanks()
            if self.pos >= n:
                self.tokens.append(Token(Tok.EOF, "", self.line, self.column(self.pos)))
                return self.tokens
            ch = text[self.pos]
            if _is_ident_start(ch):
                self.word()
            elif _is_digit(ch) or (ch == "." and _is_digit(self.peek(1))):
                self.number()
            elif ch in "'\"":
                self.string(ch)
            elif ch in _OP_CHARS:
                self.operator()
            else:
                raise _lex_error(
                    f"Lexical error: unexpected character {ch!r}", self.line, self.column(self.pos)
                )

    def peek(self, offset: int) -> str:
        p = self.pos + offset
        return self.text[p] if p < len(self.text) else ""

    def skip_blanks(self) -> None:
        text, n = self.text, len(self.text)
        while self.pos < n:
            ch = text[self.pos]
            if ch == "\n":
                self.newline_at(self.pos)
                self.pos += 1
            elif ch in " \t\r\f":
                self.pos += 1
            elif text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = n if end < 0 else end
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise _lex_error("Unterminated comment", self.line, self.column(self.pos))
                for k in range(self.pos, end):
                    if text[k] == "\n":
                        self.newline_at(k)
                self.pos = end + 2
            else:
                return

    def emit(self, kind: Tok, start: int) -> None:
        self.tokens.append(Token(kind, self.text[start : self.pos], self.line, self.column(start)))

    def word(self) -> None:
        start = self.pos
        while self.pos < len(self.text) and _is_ident_part(self.text[self.pos]):
            self.pos += 1
        word = self.text[start : self.pos]
        self.emit(Tok.KEYWORD if word in KEYWORDS else Tok.IDENT, start)

    def digits(self, allowed: str = "0123456789") -> None:
        while self.pos < len(self.text) and self.text[self.pos] in allowed:
            self.pos += 1

    def number(self) -> None:
        start, text = self.pos, self.text
        if text.startswith(("0x", "0X"), start) and self.peek(2) in _HEX and self.peek(2):
            self.pos += 2
            self.digits("0123456789abcdefABCDEF")
            if self.peek(0) in ("l", "L") and self.peek(0):
                self.pos += 1
            self.emit(Tok.INT, start)
            return
        self.digits()
        is_float = False
        if self.peek(0) == ".":
            is_float = True
            self.pos += 1
            self.digits()
        if self.peek(0) in ("e", "E") and self.peek(0):
            mark = self.pos
            self.pos += 1
            if self.peek(0) in ("+", "-") and self.peek(0):
                self.pos += 1
            if not _is_digit(self.peek(0)):
                self.pos = mark
            else:
                is_float = True
                self.digits()
        suffix = self.peek(0)
        if suffix and suffix in "fFdD":
            self.pos += 1
            is_float = True
        elif suffix and suffix in "lL" and not is_float:
            self.pos += 1
        image = text[start : self.pos]
        if not is_float and len(image) > 1 and image[0] == "0" and image[1] not in "lL":
            self.octal_or_decimal(start, image)
            return
        self.emit(Tok.FLOAT if is_float else Tok.INT, start)

    def octal_or_decimal(self, start: int, image: str) -> None:
        # JavaCC's OCTAL_LITERAL is 0[0-7]*: "08" is the two tokens "0" and "8".
        body = image.rstrip("lL")
        end = 1
        while end < len(body) and body[end] in "01234567":
            end += 1
        if end < len(body):
            self.pos = start + end
        self.emit(Tok.INT, start)

    def string(self, quote: str) -> None:
        start, text, n = self.pos, self.text, len(self.text)
        self.pos += 1
        while True:
            if self.pos >= n or text[self.pos] in "\r\n":
                raise _lex_error("Unterminated string literal", self.line, self.column(start))
            ch = text[self.pos]
            if ch == quote:
                self.pos += 1
                break
            if ch == "\\":
                self.escape(start)
            else:
                self.pos += 1
        self.emit(Tok.STRING, start)

    def escape(self, start: int) -> None:
        nxt = self.peek(1)
        if nxt and nxt in _SIMPLE_ESCAPES:
            self.pos += 2
            return
        if nxt and nxt in "01234567":
            self.pos += 2
            limit = 2 if nxt in "0123" else 1
            for _ in range(limit):
                if self.peek(0) and self.peek(0) in "01234567":
                    self.pos += 1
            return
        raise _lex_error(f"Invalid escape \\{nxt}", self.line, self.column(self.pos))

    def operator(self) -> None:
        for op in OPERATORS:
            if self.text.startswith(op, self.pos):
                start = self.pos
                self.pos += len(op)
                self.emit(Tok.OP, start)
                return
        raise _lex_error("Unknown operator", self.line, self.column(self.pos))  # pragma: no cover


def tokenize(text: str) -> list[Token]:
    """Split an expression into tokens; raises SelError(``TokenMgrError``) on bad input."""
    return _Scanner(translate_unicode_escapes(text)).run()
