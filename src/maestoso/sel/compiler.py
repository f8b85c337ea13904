"""Compiles an expression's syntax tree to Python closures, once per expression text.

Each statement closure carries its static costs (node visits, value allocations, operand
stack depth) and charges them in one step, so that limit accounting stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable

from maestoso.sel import ast
from maestoso.sel.classes import array_type, class_type, default_value
from maestoso.sel.compile_base import (
    BREAK,
    CONTINUE,
    DATA,
    NONE,
    RESULT_NAMES,
    RETURN,
    Costs,
    Eval,
    Exec,
    charge,
    condition,
)
from maestoso.sel.compile_expr import compile_expr
from maestoso.sel.errors import RUNTIME, THROWN, SelError, illegal_argument
from maestoso.sel.loops import compile_loop
from maestoso.sel.state import State, stack_exceeded, visits_exceeded
from maestoso.sel.values import (
    NULL,
    VOID,
    BoolV,
    DoubleV,
    LongV,
    StringV,
    Value,
)


class Compiler:
    def __init__(self) -> None:
        self.slots: list[tuple[type[Value], object]] = []

    # statements

    def program(self, node: ast.Program) -> Callable[[State], Value]:
        body = [self.stmt(child) for child in node.body]

        def run(st: State) -> Value:
            charge(st, 1, 0, 0)
            result = NONE
            for stmt in body:
                result = stmt(st)
                if result == RETURN:
                    return st.ret
            if result == DATA:
                return st.ret
            if result == NONE:
                return VOID
            raise SelError(
                f"Invalid expression with wrong return type: {RESULT_NAMES[result]}",
                kind=RUNTIME,
            )

        return run

    def stmt(self, node: ast.Stmt) -> Exec:
        if isinstance(node, ast.ExprStmt):
            return self.expr_stmt(node.expr)
        if isinstance(node, ast.Declare):
            return self.declare(node)
        if isinstance(node, ast.Block):
            return self.block(node)
        if isinstance(node, ast.If):
            return self.if_stmt(node)
        if isinstance(node, ast.While | ast.For):
            return self.loop(node)
        if isinstance(node, ast.Return):
            return self.return_stmt(node)
        if isinstance(node, ast.Throw):
            return self.throw_stmt(node)
        code = BREAK if isinstance(node, ast.Break) else CONTINUE
        return lambda st: code

    def expr_stmt(self, node: ast.Expr) -> Exec:
        visits, memory, depth = Costs.of(node)
        visits += 1
        evaluate = self.expr(node)

        def run(st: State) -> int:
            used = st.visits + visits
            st.visits = used
            if used >= st.visit_limit:
                raise visits_exceeded(st.visit_limit)
            if memory:
                st.charge(memory)
            if depth > st.stack_limit:
                raise stack_exceeded(st.stack_limit)
            st.ret = evaluate(st)
            return DATA

        return run

    def declare(self, node: ast.Declare) -> Exec:
        type_ref = node.type
        items = [
            (name, None if v is None else self.expr(v, escaping=True)) for name, v in node.names
        ]
        costs = [Costs.of(v) for _, v in node.names if v is not None]
        visits = 2 + len(items) + sum(c[0] for c in costs)
        memory = 32 * len(items) + sum(c[1] for c in costs)
        depth = 1 + max([0] + [c[2] for c in costs])

        def run(st: State) -> int:
            charge(st, visits, memory, depth)
            kind = class_type(type_ref.name)
            if type_ref.is_array:
                kind = array_type(kind)
            for name, evaluate in items:
                if evaluate is None:
                    st.symtab[name] = default_value(kind)
                    continue
                value = evaluate(st)
                if value.T != kind:
                    raise illegal_argument(
                        f"Type mismatch, lhs type: {kind}, rhs object type: {value.T}"
                    )
                st.symtab[name] = value.thaw()
            return NONE

        return run

    def block(self, node: ast.Block) -> Exec:
        body = [self.stmt(child) for child in node.body]

        def run(st: State) -> int:
            result = NONE
            for stmt in body:
                result = stmt(st)
                if result > DATA:
                    return result
            return result

        return run

    def if_stmt(self, node: ast.If) -> Exec:
        test = self.expr(node.condition)
        visits, memory, depth = Costs.of(node.condition)
        then = self.stmt(node.then)
        otherwise = self.stmt(node.otherwise) if node.otherwise is not None else None

        def run(st: State) -> int:
            charge(st, visits + 1, memory, depth)
            if condition(test(st)):
                result = then(st)
            elif otherwise is not None:
                result = otherwise(st)
            else:
                return NONE
            return NONE if result == DATA else result

        return run

    def loop(self, node: ast.While | ast.For) -> Exec:
        return compile_loop(self, node)

    def return_stmt(self, node: ast.Return) -> Exec:
        inner = self.expr_stmt(node.value)

        def run(st: State) -> int:
            inner(st)
            return RETURN

        return run

    def throw_stmt(self, node: ast.Throw) -> Exec:
        inner = self.expr_stmt(node.value)

        def run(st: State) -> int:
            inner(st)
            value = st.ret
            if isinstance(value, StringV):
                raise SelError(value.java_str(), kind=THROWN)
            raise illegal_argument(
                f"Can only throw a string error message. Invalid thrown object {value.to_string()}"
            )

        return run

    # expressions

    def expr(self, node: ast.Expr, escaping: bool = False) -> Eval:
        return compile_expr(self, node, escaping)

    def literal(self, node: ast.Literal, escaping: bool) -> Eval:
        if node.type_name == "NULL":
            return lambda st: NULL
        cls: type[Value] = {"LONG": LongV, "DOUBLE": DoubleV, "STRING": StringV}.get(
            node.type_name, BoolV
        )
        if not escaping:
            # Only read, never bound: one box can serve every evaluation.
            shared = cls(node.value)  # type: ignore[call-arg]
            return lambda st: shared
        # A literal that a declaration or a call may bind by reference is a box of its
        # own per evaluation, mutable like SEL's literal nodes.
        index = len(self.slots)
        self.slots.append((cls, node.value))
        return lambda st: st.lits[index]
