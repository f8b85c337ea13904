"""Java regular expressions for ``split`` and ``replaceAll``, on a step-counted engine.

Python's ``re`` cannot be interrupted, so a catastrophic pattern would hang the process.
Patterns are compiled here to a small backtracking machine instead (Java's own matching
order, so the same results), whose steps are counted against the evaluation's deadline.
Plain literal patterns take a fast path through ``str`` methods.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from maestoso.sel.errors import PATTERN_SYNTAX, SelError, illegal_argument
from maestoso.sel.regex_program import Compiled, Instr, Op
from maestoso.sel.regex_syntax import compile_pattern
from maestoso.sel.state import DEADLINE_EVERY, State

_DIGITS = frozenset("0123456789")
_META = frozenset("\\^$.|?*+()[]{}")
_LINE_TERMINATORS = "\n\r\u0085\u2028\u2029"
Caps = tuple[int, ...]


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


@dataclass(slots=True)
class _Steps:
    st: State
    count: int = 0


class _Machine:
    def __init__(self, code: Compiled, text: str, steps: _Steps) -> None:
        self.code = code
        self.text = text
        self.steps = steps

    def tick(self) -> None:
        self.steps.count += 1
        if self.steps.count % (DEADLINE_EVERY * 16) == 0:
            self.steps.st.check_deadline()

    def run(
        self, prog: list[Instr], sp: int, caps: Caps, must_end: int | None = None
    ) -> tuple[int, Caps] | None:
        stack: list[tuple[int, int, Caps]] = [(0, sp, caps)]
        while stack:
            pc, sp, caps = stack.pop()
            while True:
                self.tick()
                op = prog[pc]
                code = op.op
                if code is Op.SPLIT:
                    stack.append((op.b, sp, caps))
                    pc = op.a
                    continue
                if code is Op.JMP:
                    pc = op.a
                    continue
                if code is Op.MATCH:
                    if must_end is None or sp == must_end:
                        return sp, caps
                    break
                moved = self.step(op, sp, caps)
                if moved is None:
                    break
                sp, caps = moved
                pc += 1
        return None

    def step(self, op: Instr, sp: int, caps: Caps) -> tuple[int, Caps] | None:
        text = self.text
        code = op.op
        if code is Op.CHAR:
            return (sp + 1, caps) if sp < len(text) and op.test(text[sp]) else None
        if code is Op.SAVE:
            return sp, (*caps[: op.a], sp, *caps[op.a + 1 :])
        if code is Op.CHECK:
            return None if caps[op.a] == sp else (sp, caps)
        if code is Op.ASSERT:
            return (sp, caps) if op.test_at(text, sp) else None
        if code is Op.BACKREF:
            return self.backref(op.a, sp, caps)
        return self.group(op, sp, caps)

    def backref(self, group: int, sp: int, caps: Caps) -> tuple[int, Caps] | None:
        start, end = caps[2 * group], caps[2 * group + 1]
        if start < 0 or end < 0:
            return None
        piece = self.text[start:end]
        return (sp + len(piece), caps) if self.text.startswith(piece, sp) else None

    def group(self, op: Instr, sp: int, caps: Caps) -> tuple[int, Caps] | None:
        sub = op.sub
        assert sub is not None
        if op.op is Op.ATOMIC:
            return self.run(sub, sp, caps)
        if op.op is Op.LOOKAHEAD:
            found = self.run(sub, sp, caps)
            if op.negate:
                return None if found else (sp, caps)
            return (sp, found[1]) if found else None
        for start in range(sp, -1, -1):  # look-behind: a match ending exactly here
            found = self.run(sub, start, caps, must_end=sp)
            if found:
                return None if op.negate else (sp, found[1])
        return (sp, caps) if op.negate else None

    def search(self, start: int) -> Caps | None:
        empty: Caps = (-1,) * self.code.slots
        for sp in range(start, len(self.text) + 1):
            found = self.run(self.code.prog, sp, empty)
            if found is not None:
                end, caps = found
                return (sp, end, *caps[2:])
        return None


@lru_cache(maxsize=256)
def _compile(pattern: str) -> Compiled:
    return compile_pattern(pattern)


def _literal(pattern: str) -> str | None:
    """The text a pattern matches when it has no metacharacters (``\\.`` counts)."""
    if not any(ch in _META for ch in pattern):
        return pattern
    if len(pattern) == 2 and pattern[0] == "\\" and not pattern[1].isalnum():
        return pattern[1]
    return None


def _matches(st: State, pattern: str, text: str) -> list[tuple[int, int, Caps]]:
    """Every non-overlapping match, as Java's ``Matcher.find`` loop sees them."""
    check_input(st, text)
    literal = _literal(pattern)
    found: list[tuple[int, int, Caps]] = []
    if literal:
        pos = text.find(literal)
        while pos >= 0:
            found.append((pos, pos + len(literal), (pos, pos + len(literal))))
            pos = text.find(literal, pos + len(literal))
            if len(found) % DEADLINE_EVERY == 0:
                st.check_deadline()
        return found
    machine = _Machine(_compile(pattern), text, _Steps(st))
    pos = 0
    while pos <= len(text):
        caps = machine.search(pos)
        if caps is None:
            break
        found.append((caps[0], caps[1], caps))
        pos = caps[1] + 1 if caps[1] == caps[0] else caps[1]
        if len(found) % DEADLINE_EVERY == 0:
            st.check_deadline()
    return found


def check_input(st: State, text: str) -> None:
    """Refuse a regex subject longer than the limit: matching time grows with it."""
    limit = st.regex_input_limit
    if len(text) >= limit:
        raise illegal_argument(f"Regex input is over the limit: {limit} vs length: {len(text)}")


def split(st: State, pattern: str, text: str, limit: int) -> list[str]:
    """Java's ``String.split(regex, limit)``."""
    literal = _literal(pattern)
    if literal:
        check_input(st, text)
        # str.split is Java's split for a literal separator, minus the trailing empties.
        parts = text.split(literal, limit - 1 if limit > 0 else -1)
        if len(parts) == 1:
            return parts  # no match: the text itself, even when empty
        return _drop_trailing_empties(parts) if limit == 0 else parts
    parts = []
    index = 0
    limited = limit > 0
    for start, end, _ in _matches(st, pattern, text):
        if limited and len(parts) >= limit - 1:
            break
        if index == 0 and start == 0 and start == end:
            continue  # no leading empty string for a zero-width match at the start
        parts.append(text[index:start])
        index = end
    if index == 0 and not parts:
        return [text]
    parts.append(text[index:])
    return _drop_trailing_empties(parts) if limit == 0 else parts


def _drop_trailing_empties(parts: list[str]) -> list[str]:
    end = len(parts)
    while end and parts[end - 1] == "":
        end -= 1
    return parts[:end]


Template = tuple[str | int, ...]
"""A parsed replacement: literal text, and group numbers to copy from the match."""


def _template(repl: str, groups: int) -> Template:
    """Parse a Java replacement string once, so each match costs a join, not a parse."""
    out: list[str | int] = []
    literal: list[str] = []
    i = 0
    while i < len(repl):
        ch = repl[i]
        if ch == "\\":
            i += 1
            if i >= len(repl):
                raise illegal_argument("character to be escaped is missing")
            literal.append(repl[i])
        elif ch == "$":
            i += 1
            if i >= len(repl) or repl[i] not in _DIGITS:
                raise illegal_argument("Illegal group reference")
            number = int(repl[i])
            if number > groups:
                raise SelError(f"No group {number}", kind="IndexOutOfBoundsException")
            while i + 1 < len(repl) and repl[i + 1] in _DIGITS:
                bigger = number * 10 + int(repl[i + 1])
                if bigger > groups:
                    break
                number, i = bigger, i + 1
            out.extend(["".join(literal), number])
            literal = []
        else:
            literal.append(ch)
        i += 1
    out.append("".join(literal))
    return tuple(part for part in out if part != "")


def _expand(template: Template, text: str, caps: Caps) -> str:
    out: list[str] = []
    for part in template:
        if isinstance(part, str):
            out.append(part)
            continue
        start, end = caps[2 * part], caps[2 * part + 1]
        if start >= 0 and end >= 0:
            out.append(text[start:end])
    return "".join(out)


def replace_all(st: State, pattern: str, text: str, repl: str) -> str:
    """Java's ``String.replaceAll(regex, replacement)``."""
    found = _matches(st, pattern, text)
    if not found:
        return text  # Java reads the replacement only at the first match
    literal = _literal(pattern)
    template = _template(repl, 0 if literal else _compile(pattern).groups)
    if literal and all(isinstance(part, str) for part in template):
        plain = "".join(template)  # type: ignore[arg-type]
        size = len(text) + len(found) * (len(plain) - len(literal))
        if size > st.memory_limit:
            st.charge(2 * size)  # refused before it is built
        return text.replace(literal, plain)
    out: list[str] = []
    pos = 0
    size = 0
    for count, (start, end, caps) in enumerate(found, 1):
        piece = _expand(template, text, caps)
        out.append(text[pos:start])
        out.append(piece)
        size += (start - pos) + len(piece)
        if size > st.memory_limit:
            st.charge(2 * size)
        if count % DEADLINE_EVERY == 0:
            st.check_deadline()
        pos = end
    out.append(text[pos:])
    return "".join(out)


def syntax_error(message: str, pattern: str) -> SelError:
    return SelError(f"{message} near index in pattern {pattern}", kind=PATTERN_SYNTAX)


Tester = Callable[[str], bool]
