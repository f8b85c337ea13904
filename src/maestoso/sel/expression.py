"""A parsed, compiled expression, and what it references (for definition-time checks)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from maestoso.sel import ast
from maestoso.sel.classes import STATICS
from maestoso.sel.compiler import Compiler
from maestoso.sel.parser import parse_program
from maestoso.sel.state import State
from maestoso.sel.values import Value

_KEYWORD_TYPES = frozenset({"int", "long", "float", "double", "boolean"})


@dataclass(frozen=True, slots=True)
class ParamsCall:
    """A ``params.method(args)`` call; an argument that is not a string literal is None."""

    method: str
    args: tuple[str | None, ...]


@dataclass(frozen=True, eq=False)
class Expression:
    """An expression parsed and compiled once, ready to evaluate many times."""

    text: str
    program: ast.Program
    free_names: tuple[str, ...]
    """Names read before any assignment or declaration, in order; built-ins excluded."""
    params_calls: tuple[ParamsCall, ...]
    """The ``params.*`` calls it makes, in source order."""
    literal_memory: int
    """Bytes SEL's parser allocates for the literals (checked against the memory limit)."""
    run: Callable[[State], Value]
    slots: tuple[tuple[type[Value], object], ...]


def _expr_children(node: ast.Expr) -> Iterator[ast.Expr]:
    if isinstance(node, ast.Binary):
        yield from (node.left, node.right)
    elif isinstance(node, ast.Unary):
        yield node.operand
    elif isinstance(node, ast.Ternary):
        yield from (node.condition, node.then, node.otherwise)
    elif isinstance(node, ast.Assign):
        if node.index is not None:
            yield node.index
        yield node.value
    elif isinstance(node, ast.Field):
        yield node.target
    elif isinstance(node, ast.Call):
        yield node.target
        yield from node.args
    elif isinstance(node, ast.Index):
        yield from (node.target, node.index)
    elif isinstance(node, ast.New):
        yield from node.args
    elif isinstance(node, ast.NewArray):
        yield node.size
    elif isinstance(node, ast.ArrayInit):
        yield from node.elements


def _stmt_children(node: ast.Stmt) -> Iterator[ast.Stmt | ast.Expr | tuple[str]]:
    if isinstance(node, ast.ExprStmt | ast.Return | ast.Throw):
        yield node.expr if isinstance(node, ast.ExprStmt) else node.value
    elif isinstance(node, ast.Declare):
        for name, value in node.names:
            yield (name,)
            if value is not None:
                yield value
    elif isinstance(node, ast.Block):
        yield from node.body
    elif isinstance(node, ast.If):
        yield node.condition
        yield node.then
        if node.otherwise is not None:
            yield node.otherwise
    elif isinstance(node, ast.While):
        yield from (node.condition, node.body)
    elif isinstance(node, ast.For):
        for part in (node.init, node.condition, node.update, node.body):
            if part is not None:
                yield part


class _References:
    """Walks the tree in source order, as SEL's validation visitor does."""

    def __init__(self) -> None:
        self.seen: dict[str, bool] = {}
        self.calls: list[ParamsCall] = []
        self.literal_memory = 0

    def name(self, name: str, read: bool) -> None:
        self.seen.setdefault(name, read)

    def visit(self, node: ast.Stmt | ast.Expr | tuple[str]) -> None:
        if isinstance(node, tuple):
            self.name(node[0], read=False)
            return
        if isinstance(node, ast.Literal):
            size = 2 * len(node.value) if isinstance(node.value, str) else 0
            self.literal_memory += 32 + size
        elif isinstance(node, ast.Name):
            self.name(node.name, read=True)
        elif isinstance(node, ast.Assign):
            self.name(node.name, read=False)
        elif isinstance(node, ast.Call):
            self.params_call(node)
        children = _expr_children(node) if isinstance(node, ast.Expr) else _stmt_children(node)
        for child in children:
            self.visit(child)

    def params_call(self, node: ast.Call) -> None:
        if isinstance(node.target, ast.Name) and node.target.name == "params":
            args = tuple(
                arg.value if isinstance(arg, ast.Literal) and isinstance(arg.value, str) else None
                for arg in node.args
            )
            self.calls.append(ParamsCall(node.method, args))

    def free_names(self) -> tuple[str, ...]:
        return tuple(
            name
            for name, read in self.seen.items()
            if read and name not in STATICS and name not in _KEYWORD_TYPES
        )


@lru_cache(maxsize=2048)
def compile_expression(text: str) -> Expression:
    """Parse and compile ``text`` (cached by text); raises SelError with line and column."""
    program = parse_program(text)
    refs = _References()
    for stmt in program.body:
        refs.visit(stmt)
    compiler = Compiler()
    run = compiler.program(program)
    return Expression(
        text=text,
        program=program,
        free_names=refs.free_names(),
        params_calls=tuple(refs.calls),
        literal_memory=refs.literal_memory,
        run=run,
        slots=tuple(compiler.slots),
    )
