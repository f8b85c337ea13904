"""Java regex syntax, parsed and compiled to the instructions that ``regex`` runs."""

from __future__ import annotations

from maestoso.sel.errors import PATTERN_SYNTAX, SelError
from maestoso.sel.regex_program import AtTester, Compiled, Emitter, Instr, Node, Op, Tester

MAX_NESTING = 50
_TERMINATORS = "\n\r\u0085\u2028\u2029"
_SPACE = " \t\n\x0b\f\r"
_ESCAPED_CHARS = {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "a": "\a", "e": "\x1b"}


def _error(message: str, pattern: str, index: int) -> SelError:
    return SelError(f"{message} near index {index}\n{pattern}", kind=PATTERN_SYNTAX)


def _ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _class_of(letter: str) -> Tester:
    base: Tester
    if letter.lower() == "d":
        base = lambda ch: "0" <= ch <= "9"  # noqa: E731
    elif letter.lower() == "s":
        base = lambda ch: ch in _SPACE  # noqa: E731
    else:
        base = lambda ch: ch.isascii() and (ch.isalnum() or ch == "_")  # noqa: E731
    if letter.isupper():
        return lambda ch: not base(ch)
    return base


_POSIX: dict[str, Tester] = {
    "Lower": lambda ch: "a" <= ch <= "z",
    "Upper": lambda ch: "A" <= ch <= "Z",
    "Alpha": lambda ch: ch.isascii() and ch.isalpha(),
    "Digit": lambda ch: "0" <= ch <= "9",
    "Alnum": lambda ch: ch.isascii() and ch.isalnum(),
    "Punct": lambda ch: ch.isascii() and not ch.isalnum() and "!" <= ch <= "~",
    "Space": lambda ch: ch in _SPACE,
    "L": str.isalpha,
    "N": str.isdigit,
}


def _bol(_: str, sp: int) -> bool:
    return sp == 0


def _eol(text: str, sp: int) -> bool:
    n = len(text)
    if sp == n:
        return True
    if sp == n - 1 and text[sp] in _TERMINATORS:
        return True
    return sp == n - 2 and text[sp:] == "\r\n"


def _boundary(text: str, sp: int) -> bool:
    before = sp > 0 and _word(text[sp - 1])
    after = sp < len(text) and _word(text[sp])
    return before != after


_ASSERTS: dict[str, AtTester] = {
    "b": _boundary,
    "B": lambda text, sp: not _boundary(text, sp),
    "A": _bol,
    "z": lambda text, sp: sp == len(text),
    "Z": _eol,
}


class _Parser:
    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0
        self.groups = 0
        self.names: dict[str, int] = {}
        self.depth = 0

    def error(self, message: str) -> SelError:
        return _error(message, self.p, self.i)

    def peek(self) -> str:
        return self.p[self.i] if self.i < len(self.p) else ""

    def take(self) -> str:
        if self.i >= len(self.p):
            raise self.error("Unexpected end of pattern")
        ch = self.p[self.i]
        self.i += 1
        return ch

    def parse(self) -> Node:
        node = self.alternation()
        if self.i < len(self.p):
            raise self.error("Unmatched closing ')'")
        return node

    def alternation(self) -> Node:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error("Pattern nested too deeply")
        branches = [self.sequence()]
        while self.peek() == "|":
            self.i += 1
            branches.append(self.sequence())
        self.depth -= 1
        return ("alt", branches) if len(branches) > 1 else branches[0]

    def sequence(self) -> Node:
        items: list[Node] = []
        while self.i < len(self.p) and self.peek() not in "|)":
            items.append(self.quantified())
        return ("cat", items)

    def quantified(self) -> Node:
        if self.peek() in ("*", "+", "?", "{"):
            raise self.error(f"Dangling meta character '{self.peek()}'")
        node = self.atom()
        while self.peek() in ("*", "+", "?", "{"):
            low, high = self.bounds()
            mode = "greedy"
            if self.peek() in ("?", "+"):
                mode = "lazy" if self.take() == "?" else "possessive"
            node = ("rep", node, low, high, mode)
        return node

    def bounds(self) -> tuple[int, int | None]:
        ch = self.take()
        if ch != "{":
            return {"*": (0, None), "+": (1, None), "?": (0, 1)}[ch]
        end = self.p.find("}", self.i)
        body = self.p[self.i : end] if end >= 0 else ""
        low_s, comma, high_s = body.partition(",")
        if end < 0 or not _ascii_digits(low_s) or (high_s and not _ascii_digits(high_s)):
            raise self.error("Illegal repetition")
        self.i = end + 1
        low = int(low_s)
        high = int(high_s) if high_s else (None if comma else low)
        if high is not None and high < low:
            raise self.error("Illegal repetition range")
        return low, high

    def atom(self) -> Node:
        ch = self.take()
        if ch == "(":
            return self.group()
        if ch == "[":
            return ("char", self.char_class())
        if ch == ".":
            return ("char", lambda c: c not in _TERMINATORS)
        if ch == "^":
            return ("assert", _bol)
        if ch == "$":
            return ("assert", _eol)
        if ch == "\\":
            return self.escape()
        return ("char", ch.__eq__)

    def group(self) -> Node:
        kind = "capture"
        if self.p.startswith("?", self.i):
            self.i += 1
            for prefix, name in (
                (":", "plain"), ("=", "ahead"), ("!", "not-ahead"),
                ("<=", "behind"), ("<!", "not-behind"), (">", "atomic"),
            ):  # fmt: skip
                if self.p.startswith(prefix, self.i):
                    self.i += len(prefix)
                    kind = name
                    break
            else:
                kind = self.named_group()
        index = 0
        if kind == "capture":
            self.groups += 1
            index = self.groups
        body = self.alternation()
        if self.take() != ")":
            raise self.error("Unclosed group")
        if kind in ("capture",):
            return ("group", index, body)
        if kind == "plain":
            return body
        if kind == "atomic":
            return ("atomic", body)
        return ("look", kind.endswith("ahead"), kind.startswith("not"), body)

    def named_group(self) -> str:
        if not self.p.startswith("<", self.i):
            raise self.error("Unknown inline modifier")
        end = self.p.find(">", self.i)
        name = self.p[self.i + 1 : end]
        if end < 0 or not name.isalnum():
            raise self.error("named capturing group is missing trailing '>'")
        self.i = end + 1
        self.names[name] = self.groups + 1
        return "capture"

    def escape(self) -> Node:
        ch = self.take()
        if ch in "dDsSwW":
            return ("char", _class_of(ch))
        if ch in _ASSERTS:
            return ("assert", _ASSERTS[ch])
        if ch == "Q":
            end = self.p.find("\\E", self.i)
            end = len(self.p) if end < 0 else end
            text = self.p[self.i : end]
            self.i = min(len(self.p), end + 2)
            return ("cat", [("char", c.__eq__) for c in text])
        if "1" <= ch <= "9":
            return ("backref", int(ch))
        if ch == "k":
            end = self.p.find(">", self.i)
            name = self.p[self.i + 1 : end]
            if not self.p.startswith("<", self.i) or name not in self.names:
                raise self.error(f"named capturing group <{name}> does not exist")
            self.i = end + 1
            return ("backref", self.names[name])
        return ("char", self.escaped_char(ch))

    def escaped_char(self, ch: str) -> Tester:
        if ch in "pP":
            return self.posix(ch == "P")
        if ch in _ESCAPED_CHARS:
            return _ESCAPED_CHARS[ch].__eq__
        if ch in "xu0":
            return chr(self.code_point(ch)).__eq__
        if ch.isalnum():
            raise self.error(f"Illegal/unsupported escape sequence \\{ch}")
        return ch.__eq__

    def code_point(self, kind: str) -> int:
        digits_ok = "01234567" if kind == "0" else "0123456789abcdefABCDEF"
        width = {"x": 2, "u": 4, "0": 3}[kind]
        start = self.i
        while self.i < len(self.p) and self.i - start < width and self.p[self.i] in digits_ok:
            self.i += 1
        text = self.p[start : self.i]
        if not text or (kind != "0" and len(text) != width):
            raise self.error("Illegal escape sequence")
        return int(text, 8 if kind == "0" else 16)

    def posix(self, negate: bool) -> Tester:
        if self.peek() == "{":
            end = self.p.find("}", self.i)
            name = self.p[self.i + 1 : end] if end >= 0 else ""
            self.i = end + 1 if end >= 0 else len(self.p)
        else:
            name = self.take()
        name = name.removeprefix("Is")
        if name not in _POSIX:
            raise self.error(f"Unknown character property name {{{name}}}")
        test = _POSIX[name]
        return (lambda c: not test(c)) if negate else test

    def char_class(self) -> Tester:
        negate = self.peek() == "^"
        if negate:
            self.i += 1
        tests: list[Tester] = []
        first = True
        while first or self.peek() != "]":
            first = False
            if self.i >= len(self.p):
                raise self.error("Unclosed character class")
            if self.p.startswith("&&", self.i):
                raise self.error("Character class intersection is not supported")
            tests.append(self.class_item())
        self.i += 1

        def test(c: str) -> bool:
            return any(t(c) for t in tests) != negate

        return test

    def class_item(self) -> Tester:
        ch = self.take()
        if ch == "[":
            return self.char_class()
        low: str | None = ch
        if ch == "\\":
            nxt = self.take()
            if nxt in "dDsSwW":
                return _class_of(nxt)
            low = self.escaped_literal(nxt)
            if low is None:
                return self.escaped_char(nxt)
        assert low is not None
        if self.peek() == "-" and self.i + 1 < len(self.p) and self.p[self.i + 1] != "]":
            self.i += 1
            high: str | None = self.take()
            if high == "\\":
                high = self.escaped_literal(self.take())
            if high is None or high < low:
                raise self.error("Illegal character range")
            return lambda c: low <= c <= high
        return low.__eq__

    def escaped_literal(self, ch: str) -> str | None:
        """The one char an escape stands for, or None for a class such as ``\\p{Alpha}``."""
        if ch in _ESCAPED_CHARS:
            return _ESCAPED_CHARS[ch]
        if ch in "xu0":
            return chr(self.code_point(ch))
        if ch.isalnum():
            if ch in "pP":
                return None
            raise self.error(f"Illegal/unsupported escape sequence \\{ch}")
        return ch


def compile_pattern(pattern: str) -> Compiled:
    """Compile a Java regular expression; raises SelError(``PatternSyntaxException``)."""
    parser = _Parser(pattern)
    tree = parser.parse()
    emitter = Emitter(parser.groups)
    prog = [Instr(Op.SAVE, a=0)]
    emitter.emit(tree, prog)
    prog.append(Instr(Op.SAVE, a=1))
    prog.append(Instr(Op.MATCH))
    return Compiled(prog, parser.groups, emitter.slots)
