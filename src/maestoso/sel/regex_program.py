"""The program a compiled Java regex is: instructions for ``regex``'s backtracking matcher,
and the emitter that turns a parsed pattern into them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from maestoso.sel.errors import PATTERN_SYNTAX, SelError

Tester = Callable[[str], bool]
AtTester = Callable[[str, int], bool]
Node = tuple[object, ...]
"""A node of the parsed pattern: small tuples keep the parser compact."""
MAX_PROGRAM = 20_000
"""The most instructions a pattern may compile to."""


class Op(Enum):
    CHAR = 1
    SPLIT = 2
    JMP = 3
    SAVE = 4
    MATCH = 5
    CHECK = 6
    ASSERT = 7
    BACKREF = 8
    ATOMIC = 9
    LOOKAHEAD = 10
    LOOKBEHIND = 11


def _never(_: str) -> bool:
    return False


def _never_at(_: str, __: int) -> bool:
    return False


@dataclass(slots=True)
class Instr:
    op: Op
    a: int = 0
    b: int = 0
    test: Tester = _never
    test_at: AtTester = _never_at
    sub: list[Instr] | None = None
    negate: bool = False


@dataclass(slots=True)
class Compiled:
    prog: list[Instr]
    groups: int
    slots: int


class Emitter:
    def __init__(self, groups: int) -> None:
        self.slots = 2 * (groups + 1)
        self.size = 0

    def register(self) -> int:
        self.slots += 1
        return self.slots - 1

    def add(self, prog: list[Instr], instr: Instr) -> None:
        self.size += 1
        if self.size > MAX_PROGRAM:
            raise SelError("Pattern is too large", kind=PATTERN_SYNTAX)
        prog.append(instr)

    def program(self, node: Node) -> list[Instr]:
        prog: list[Instr] = []
        self.emit(node, prog)
        self.add(prog, Instr(Op.MATCH))
        return prog

    def emit(self, node: Node, prog: list[Instr]) -> None:
        kind = node[0]
        if kind == "char":
            self.add(prog, Instr(Op.CHAR, test=node[1]))  # type: ignore[arg-type]
        elif kind == "assert":
            self.add(prog, Instr(Op.ASSERT, test_at=node[1]))  # type: ignore[arg-type]
        elif kind == "cat":
            for item in node[1]:  # type: ignore[attr-defined]
                self.emit(item, prog)
        elif kind == "alt":
            self.alternatives(node[1], prog)  # type: ignore[arg-type]
        elif kind == "group":
            index = node[1]
            assert isinstance(index, int)
            self.add(prog, Instr(Op.SAVE, a=2 * index))
            self.emit(node[2], prog)  # type: ignore[arg-type]
            self.add(prog, Instr(Op.SAVE, a=2 * index + 1))
        elif kind == "rep":
            self.repeat(node, prog)
        elif kind == "backref":
            self.add(prog, Instr(Op.BACKREF, a=node[1]))  # type: ignore[arg-type]
        elif kind == "atomic":
            self.add(prog, Instr(Op.ATOMIC, sub=self.program(node[1])))  # type: ignore[arg-type]
        else:
            op = Op.LOOKAHEAD if node[1] else Op.LOOKBEHIND
            sub = self.program(node[3])  # type: ignore[arg-type]
            self.add(prog, Instr(op, sub=sub, negate=bool(node[2])))

    def alternatives(self, branches: list[Node], prog: list[Instr]) -> None:
        jumps: list[Instr] = []
        for index, branch in enumerate(branches):
            if index < len(branches) - 1:
                split = Instr(Op.SPLIT, a=len(prog) + 1)
                self.add(prog, split)
                self.emit(branch, prog)
                jump = Instr(Op.JMP)
                self.add(prog, jump)
                jumps.append(jump)
                split.b = len(prog)
            else:
                self.emit(branch, prog)
        for jump in jumps:
            jump.a = len(prog)

    def repeat(self, node: Node, prog: list[Instr]) -> None:
        _, body, low, high, mode = node
        assert isinstance(low, int) and (high is None or isinstance(high, int))
        if mode == "possessive":
            sub = self.program(("rep", body, low, high, "greedy"))
            self.add(prog, Instr(Op.ATOMIC, sub=sub))
            return
        lazy = mode == "lazy"
        for _ in range(low):
            self.emit(body, prog)  # type: ignore[arg-type]
        if high is None:
            self.star(body, prog, lazy)  # type: ignore[arg-type]
            return
        splits: list[Instr] = []
        for _ in range(high - low):
            split = Instr(Op.SPLIT)
            self.add(prog, split)
            splits.append(split)
            body_at = len(prog)
            self.emit(body, prog)  # type: ignore[arg-type]
            split.a, split.b = body_at, -1
        for split in splits:
            split.b = len(prog)
            if lazy:
                split.a, split.b = split.b, split.a

    def star(self, body: Node, prog: list[Instr], lazy: bool) -> None:
        mark = self.register()
        loop = len(prog)
        split = Instr(Op.SPLIT, a=loop + 1)
        self.add(prog, split)
        self.add(prog, Instr(Op.SAVE, a=mark))
        self.emit(body, prog)
        self.add(prog, Instr(Op.CHECK, a=mark))
        self.add(prog, Instr(Op.JMP, a=loop))
        split.b = len(prog)
        if lazy:
            split.a, split.b = split.b, split.a
