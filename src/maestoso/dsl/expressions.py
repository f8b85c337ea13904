"""Checking at definition time that every SEL expression of a workflow can be evaluated:
param expressions, transition conditions, loop conditions and trigger expressions.

A param expression must also be able to produce a value: Maestro rejects an expression whose
result is VOID (``{}``, a lone declaration, a final ``if`` or loop), so one that can never
yield anything is reported here rather than when the run starts.
"""

from __future__ import annotations

from collections.abc import Iterator

from maestoso.models import ParamDefinition, ParamType, Step, Workflow, box_key
from maestoso.models.steps import StepBox, WhileStep, unbox
from maestoso.sel import ast
from maestoso.sel.errors import SelError
from maestoso.sel.parser import parse_program

Located = tuple[str, str]  # (path, expression text)


def expression_problems(workflow: Workflow) -> list[str]:
    """``path: message`` for every expression that cannot be parsed or yields no value."""
    problems: list[str] = []
    for path, text in _param_expressions(workflow):
        program = _parse(path, sanitize(text), problems)
        if program is not None and not _may_yield(program.body):
            problems.append(f"{path}: [{text.strip()}] never returns a value (it yields VOID)")
    for path, text in _conditions(workflow):
        _parse(path, f"return ({text});", problems)
    return problems


def sanitize(text: str) -> str:
    """Maestro appends the ``;`` an expression leaves out (but not after a closing ``}``)."""
    text = text.strip()
    if not text or text.endswith(";") or (text.endswith("}") and not text.startswith('{"')):
        return text
    return text + ";"


def _parse(path: str, text: str, problems: list[str]) -> ast.Program | None:
    try:
        return parse_program(text)
    except SelError as exc:
        problems.append(f"{path}: invalid expression: {exc.message}")
        return None


def _param_expressions(workflow: Workflow) -> Iterator[Located]:
    yield from _params("workflow.params", workflow.params)
    for index, trigger in enumerate(workflow.signal_triggers or ()):
        path = f"workflow.signal_triggers[{index}]"
        yield from _params(f"{path}.params", trigger.params)
        if trigger.dedup_expr:
            yield f"{path}.dedup_expr", trigger.dedup_expr
    for path, step in _steps("workflow.steps", workflow.steps):
        yield from _params(f"{path}.params", step.params)
        for i, dependency in enumerate(step.signal_dependencies or ()):
            for name, match in (dependency.match_params or {}).items():
                where = f"{path}.signal_dependencies[{i}].match_params.{name}.param"
                yield from _param(where, match.param)
        for i, output in enumerate(step.signal_outputs or ()):
            yield from _params(f"{path}.signal_outputs[{i}].params", output.params)
            yield from _params(f"{path}.signal_outputs[{i}].payload", output.payload)


def _conditions(workflow: Workflow) -> Iterator[Located]:
    for index, trigger in enumerate(workflow.signal_triggers or ()):
        if trigger.condition:
            yield f"workflow.signal_triggers[{index}].condition", trigger.condition
    for path, step in _steps("workflow.steps", workflow.steps):
        for target, condition in step.successors.items():
            yield f"{path}.transition.successors.{target}", condition
        if isinstance(step, WhileStep):
            yield f"{path}.condition", step.condition


def _steps(path: str, boxes: list[StepBox]) -> Iterator[tuple[str, Step]]:
    for index, box in enumerate(boxes):
        step = unbox(box)
        step_path = f"{path}[{index}].{box_key(box)}"
        yield step_path, step
        yield from _steps(f"{step_path}.steps", step.children)


def _params(path: str, params: dict[str, ParamDefinition] | None) -> Iterator[Located]:
    for name, param in (params or {}).items():
        yield from _param(f"{path}.{name}", param)


def _param(path: str, param: ParamDefinition) -> Iterator[Located]:
    if param.expression is not None:
        yield f"{path}.expression", param.expression
    elif param.type is ParamType.MAP and isinstance(param.value, dict):
        yield from _params(f"{path}.value", param.value)


def _may_yield(body: tuple[ast.Node, ...]) -> bool:
    """Whether statements can leave a value: a ``return`` anywhere, or a last statement that
    is an expression (or a block ending in one)."""
    if any(_returns(statement) for statement in body):
        return True
    if not body:
        return False
    last = body[-1]
    if isinstance(last, ast.ExprStmt):
        return True
    return isinstance(last, ast.Block) and _may_yield(last.body)


def _returns(node: ast.Node) -> bool:
    if isinstance(node, ast.Return):
        return True
    if isinstance(node, ast.Block):
        return any(_returns(child) for child in node.body)
    if isinstance(node, ast.If):
        return _returns(node.then) or (node.otherwise is not None and _returns(node.otherwise))
    if isinstance(node, ast.While | ast.For):
        return _returns(node.body)
    return False
