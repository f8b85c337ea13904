"""``while`` and ``for`` loops, with the per-loop iteration limit and the deadline."""

from __future__ import annotations

from maestoso.sel import ast
from maestoso.sel.compile_base import BREAK, NONE, RETURN, Costs, Exec, StatementCompiler, condition
from maestoso.sel.state import DEADLINE_EVERY, State, loop_exceeded, visits_exceeded
from maestoso.sel.values import FALSE, TRUE

Compiler = StatementCompiler
_DEADLINE_MASK = DEADLINE_EVERY - 1


def _init(c: Compiler, node: ast.For) -> Exec | None:

    init = node.init
    if init is None:
        return None
    if isinstance(init, ast.Declare):
        return c.declare(init)
    run = c.expr_stmt(init)

    def run_init(st: State) -> int:
        run(st)
        return NONE

    return run_init


def compile_loop(c: Compiler, node: ast.While | ast.For) -> Exec:

    init = _init(c, node) if isinstance(node, ast.For) else None
    update_node = node.update if isinstance(node, ast.For) else None
    test = c.expr(node.condition) if node.condition is not None else (lambda st: TRUE)
    update = c.expr(update_node) if update_node is not None else None
    body = c.stmt(node.body)
    cond_visits, cond_memory, _ = Costs.of(node.condition)
    update_visits, update_memory, _ = Costs.of(update_node)
    visits = cond_visits + (update_visits if update is not None else 0)
    memory = cond_memory + (update_memory if update is not None else 0)

    def run(st: State) -> int:
        used = st.visits + 1
        st.visits = used
        if init is not None:
            init(st)
        limit = st.loop_limit
        count = 0
        while True:
            used = st.visits + visits
            st.visits = used
            if used >= st.visit_limit:
                raise visits_exceeded(st.visit_limit)
            if memory:
                st.charge(memory)
            flag = test(st)
            if flag is FALSE or (flag is not TRUE and not condition(flag)):
                return NONE
            result = body(st)
            if result == RETURN:
                return RETURN
            if result == BREAK:
                return NONE
            if update is not None:
                update(st)
            count += 1
            if count >= limit:
                raise loop_exceeded(limit)
            if not count & _DEADLINE_MASK:
                st.check_deadline()

    return run
