"""What the statement and expression compilers share: closure types, statement results,
the static costs of an expression, and the helpers closures call at run time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from maestoso.sel import ast
from maestoso.sel.convert import box
from maestoso.sel.errors import INDEX, SelError, class_cast
from maestoso.sel.state import State, stack_exceeded, visits_exceeded
from maestoso.sel.values import FALSE, NULL, TRUE, ArrayV, BoolV, LongV, Value, int_value

Eval = Callable[[State], Value]
Exec = Callable[[State], int]
NONE, DATA, BREAK, CONTINUE, RETURN = 0, 1, 2, 3, 4
RESULT_NAMES = {BREAK: "BREAK", CONTINUE: "CONTINUE"}


def lookup(st: State, name: str) -> Value:
    """A name missing from the symbol table: an input (boxed once), else NULL."""
    if name in st.inputs:
        value = box(st.inputs[name])
        st.symtab[name] = value
        return value
    return NULL


def condition(value: Value) -> bool:
    if value is TRUE:
        return True
    if value is FALSE:
        return False
    if isinstance(value, BoolV):
        return value.v
    raise class_cast(f"class {value.T} cannot be cast to class BOOLEAN")


def charge(st: State, visits: int, memory: int, depth: int) -> None:
    used = st.visits + visits
    st.visits = used
    if used >= st.visit_limit:
        raise visits_exceeded(st.visit_limit)
    if memory:
        st.charge(memory)
    if depth > st.stack_limit:
        raise stack_exceeded(st.stack_limit)


def index_of(value: Value) -> int:
    if not isinstance(value, LongV):
        raise class_cast(f"class {value.T} cannot be cast to class LONG")
    return int_value(value.v)


def element(array: Value, index: int) -> Value:
    if not isinstance(array, ArrayV):
        raise class_cast(f"class {array.T} cannot be cast to class SelArray")
    if not 0 <= index < len(array.v):
        raise SelError(f"Index {index} out of bounds for length {len(array.v)}", kind=INDEX)
    return array.v[index]


class Costs:
    """Static costs of an expression: visited nodes, allocations and stack depth."""

    @staticmethod
    def of(node: ast.Expr | None) -> tuple[int, int, int]:
        if node is None:
            return 1, 0, 1
        visits, allocs = Costs.count(node)
        return visits, 32 * allocs, Costs.depth(node)

    @staticmethod
    def children(node: ast.Expr) -> list[ast.Expr]:
        if isinstance(node, ast.Binary):
            return [node.left, node.right]
        if isinstance(node, ast.Unary):
            return [node.operand]
        if isinstance(node, ast.Ternary):
            return [node.condition, node.then, node.otherwise]
        if isinstance(node, ast.Assign):
            return [node.value] if node.index is None else [node.index, node.value]
        if isinstance(node, ast.Field):
            return [node.target]
        if isinstance(node, ast.Call):
            return [node.target, *node.args]
        if isinstance(node, ast.Index):
            return [node.target, node.index]
        if isinstance(node, ast.New | ast.ArrayInit):
            return list(node.args if isinstance(node, ast.New) else node.elements)
        if isinstance(node, ast.NewArray):
            return [node.size]
        return []

    @staticmethod
    def count(node: ast.Expr) -> tuple[int, int]:
        visits, allocs = 1, 0
        if isinstance(node, ast.Binary | ast.Unary | ast.Call | ast.New):
            allocs = 1
        for child in Costs.children(node):
            v, a = Costs.count(child)
            visits, allocs = visits + v, allocs + a
        return visits, allocs

    @staticmethod
    def depth(node: ast.Expr) -> int:
        if isinstance(node, ast.Call):
            parts = [Costs.depth(node.target), 2]
            parts += [2 + i + Costs.depth(arg) for i, arg in enumerate(node.args)]
            return max(parts)
        if isinstance(node, ast.New | ast.ArrayInit):
            items = node.args if isinstance(node, ast.New) else node.elements
            return max([1] + [1 + i + Costs.depth(item) for i, item in enumerate(items)])
        if isinstance(node, ast.Field):
            return max(Costs.depth(node.target), 2)
        depth, offset = 1, 0
        for child in Costs.children(node):
            depth = max(depth, offset + Costs.depth(child))
            offset = 1
        return depth


class StatementCompiler(Protocol):
    """The compiler, as loops and expressions call back into it."""

    def stmt(self, node: ast.Stmt) -> Exec: ...

    def expr_stmt(self, node: ast.Expr) -> Exec: ...

    def declare(self, node: ast.Declare) -> Exec: ...

    def expr(self, node: ast.Expr, escaping: bool = False) -> Eval: ...

    def literal(self, node: ast.Literal, escaping: bool) -> Eval: ...
