"""Expression closures, with fast paths for the common LONG arithmetic and comparisons."""

from __future__ import annotations

import operator
from collections.abc import Callable

from maestoso.sel import ast
from maestoso.sel.classes import class_type, construct, default_value
from maestoso.sel.compile_base import Eval, StatementCompiler, condition, element, index_of, lookup
from maestoso.sel.dispatch import call_method, get_field
from maestoso.sel.errors import NEGATIVE_SIZE, SelError, class_cast, illegal_argument
from maestoso.sel.operators import assign, binary, unary
from maestoso.sel.params import ParamsV
from maestoso.sel.state import State
from maestoso.sel.values import (
    ARRAY_OF,
    FALSE,
    LONG_MAX,
    LONG_MIN,
    NULL,
    TRUE,
    ArrayV,
    LongV,
    StringV,
    Value,
    copy_scalar,
    int_value,
    new_default,
    new_element,
    wrap_long,
)

Compiler = StatementCompiler
_COMPARE: dict[str, Callable[[int, int], bool]] = {
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


def compile_expr(c: Compiler, node: ast.Expr, escaping: bool) -> Eval:
    if isinstance(node, ast.Literal):
        return c.literal(node, escaping)
    if isinstance(node, ast.Name):
        return _name(node.name)
    if isinstance(node, ast.Binary):
        return _binary(c, node)
    if isinstance(node, ast.Unary):
        operand, op = c.expr(node.operand), node.op
        return lambda st: unary(op, operand(st))
    if isinstance(node, ast.Ternary):
        return _ternary(c, node, escaping)
    if isinstance(node, ast.Assign):
        return _assign(c, node) if node.index is None else _assign_element(c, node)
    if isinstance(node, ast.Call):
        return _call(c, node)
    if isinstance(node, ast.Field):
        target, name = c.expr(node.target), node.name
        return lambda st: get_field(st, target(st), name)
    if isinstance(node, ast.Index):
        return _index(c, node)
    if isinstance(node, ast.New):
        return _new(c, node)
    if isinstance(node, ast.NewArray):
        return _new_array(c, node)
    return _array_init(c, node)


def _name(name: str) -> Eval:

    def run(st: State) -> Value:
        value = st.symtab.get(name)
        return value if value is not None else lookup(st, name)

    return run


def _binary(c: Compiler, node: ast.Binary) -> Eval:
    left, right, op = c.expr(node.left), c.expr(node.right), node.op
    compare = _COMPARE.get(op)
    if compare is not None:

        def run_compare(st: State) -> Value:
            a, b = left(st), right(st)
            if type(a) is LongV and type(b) is LongV:
                return TRUE if compare(a.v, b.v) else FALSE
            return binary(op, a, b)

        return run_compare
    if op in ("+", "-", "*"):
        arith: Callable[[int, int], int] = {"+": operator.add, "-": operator.sub}.get(
            op, operator.mul
        )

        def run_arith(st: State) -> Value:
            a, b = left(st), right(st)
            if type(a) is LongV and type(b) is LongV:
                result = arith(a.v, b.v)
                if LONG_MIN <= result <= LONG_MAX:
                    return LongV(result)
                return LongV(wrap_long(result))
            value = binary(op, a, b)
            if type(value) is StringV:
                st.charge(2 * len(value.v))  # type: ignore[arg-type]
            return value

        return run_arith
    return lambda st: binary(op, left(st), right(st))


def _ternary(c: Compiler, node: ast.Ternary, escaping: bool) -> Eval:

    test = c.expr(node.condition)
    then, otherwise = c.expr(node.then, escaping), c.expr(node.otherwise, escaping)
    return lambda st: then(st) if condition(test(st)) else otherwise(st)


def _create(st: State, name: str, value: Value) -> Value:
    """``x = v`` for an unknown ``x``: the input of that name, else a fresh default."""

    existing = lookup(st, name)
    if existing is not NULL:
        return existing
    fresh = new_default(value.T)
    if fresh is None:
        if value.T == "NULL":
            raise SelError(
                "Not support creating an empty object for type NULL",
                kind="UnsupportedOperationException",
            )
        fresh = default_value(value.T)
    st.charge(32)
    st.symtab[name] = fresh
    return fresh


def _assign(c: Compiler, node: ast.Assign) -> Eval:

    value_of, name, op = c.expr(node.value), node.name, node.op
    if op == "+=":

        def run_add(st: State) -> Value:
            rhs = value_of(st)
            lhs = st.symtab.get(name)
            if lhs is None:
                lhs = lookup(st, name)
            if type(lhs) is LongV and type(rhs) is LongV:
                result = lhs.v + rhs.v
                lhs.v = result if LONG_MIN <= result <= LONG_MAX else wrap_long(result)
                return lhs
            assign(lhs, op, rhs)
            if type(lhs) is StringV:
                st.charge(2 * len(lhs.v))  # type: ignore[arg-type]
            return lhs

        return run_add

    def run(st: State) -> Value:
        rhs = value_of(st)
        lhs = st.symtab.get(name)
        if lhs is None:
            lhs = _create(st, name, rhs) if op == "=" else lookup(st, name)
        assign(lhs, op, rhs)
        return lhs

    return run


def _assign_element(c: Compiler, node: ast.Assign) -> Eval:

    assert node.index is not None
    index_of_node, value_of = c.expr(node.index), c.expr(node.value)
    name, op = node.name, node.op

    def run(st: State) -> Value:
        index = index_of(index_of_node(st))
        rhs = value_of(st)
        array = st.symtab.get(name)
        if array is None:
            array = lookup(st, name)
        lhs = element(array, index)
        assign(lhs, op, rhs)
        return lhs

    return run


def _call(c: Compiler, node: ast.Call) -> Eval:
    target, name = c.expr(node.target), node.method
    args = [c.expr(arg, escaping=True) for arg in node.args]
    if not args:
        return lambda st: call_method(st, target(st), name, [])
    if len(args) == 1:
        (only,) = args

        def run_one(st: State) -> Value:
            recv = target(st)
            return call_method(st, recv, name, [only(st)])

        return run_one

    def run(st: State) -> Value:
        recv = target(st)
        return call_method(st, recv, name, [arg(st) for arg in args])

    return run


def _index(c: Compiler, node: ast.Index) -> Eval:

    target, index_of_node = c.expr(node.target), c.expr(node.index)

    def run(st: State) -> Value:
        obj, index = target(st), index_of_node(st)
        if isinstance(index, LongV):
            return element(obj, int_value(index.v))
        if isinstance(index, StringV):
            if not isinstance(obj, ParamsV):
                raise class_cast(f"class {obj.T} cannot be cast to class SelParams")
            return obj.field(index.java_str())
        raise illegal_argument(f"Invalid index type: {index.T}")

    return run


def _new(c: Compiler, node: ast.New) -> Eval:
    args = [c.expr(arg, escaping=True) for arg in node.args]
    type_name = node.type_name

    def run(st: State) -> Value:
        kind = class_type(type_name)
        return construct(st, kind, [arg(st) for arg in args])

    return run


def _element_type(type_name: str) -> str:
    kind = class_type(type_name)
    if kind not in ARRAY_OF:
        raise SelError(
            f"NOT support creating an array with the element type {kind}",
            kind="UnsupportedOperationException",
        )
    return kind


def _new_array(c: Compiler, node: ast.NewArray) -> Eval:
    size_of, type_name = c.expr(node.size), node.element.name

    def run(st: State) -> Value:
        class_type(type_name)
        size = size_of(st)
        if not isinstance(size, LongV):
            raise class_cast(f"class {size.T} cannot be cast to class LONG")
        length = int_value(size.v)
        st.check_array_size(length)
        kind = _element_type(type_name)
        if length < 0:
            raise SelError(str(length), kind=NEGATIVE_SIZE)
        st.charge_array(length)
        return ArrayV(ARRAY_OF[kind], [new_element(kind) for _ in range(length)])

    return run


def _array_init(c: Compiler, node: ast.ArrayInit) -> Eval:
    items, type_name = [c.expr(item) for item in node.elements], node.element.name

    def run(st: State) -> Value:
        class_type(type_name)
        st.check_array_size(len(items))
        values = [item(st) for item in items]
        kind = _element_type(type_name)
        st.charge_array(len(values))
        for value in values:
            if value.T != kind:
                raise illegal_argument(
                    f"Type mismatch, lhs type: {kind}, rhs object type: {value.T}"
                )
        return ArrayV(ARRAY_OF[kind], [copy_scalar(value) for value in values])

    return run
