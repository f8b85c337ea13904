"""Definition-time check that every name a param expression reads can exist at run time.

Maestro's dry run at creation evaluates the workflow's params (so a workflow param reading
an unknown name is rejected) but only merges the steps' params (a step run param may still
add the name). :func:`unknown_references` therefore reports the workflow scope by default,
and the step scopes only when asked (``steps=True``, for warnings).

A name is accepted when it is a param of the expression's own scope, of an enclosing scope
(the workflow's, an enclosing foreach or while step's, loop params included), an injected
default, or a ``step__param``/``signal__param`` reference (those resolve at run time). A
name that is none of these fails the run in Maestro too, so it is reported now. When an
enclosing loop's ``loop_params`` is an expression its names are unknown until it runs, and
the steps inside are not checked.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from maestoso.models import ParamDefinition, ParamType, Workflow, box_key, unbox
from maestoso.models.steps import StepBox
from maestoso.params.defaults import default_names
from maestoso.params.dependencies import reads
from maestoso.params.evaluator import SEPARATOR
from maestoso.sel import SelError

LOOP_PARAMS = "loop_params"


@dataclass(frozen=True, slots=True)
class _Known:
    names: frozenset[str]
    open: bool = False
    """True when some names cannot be known before the run: nothing is reported."""

    def with_params(self, params: Mapping[str, ParamDefinition] | None) -> _Known:
        params = params or {}
        names = set(params)
        loop = params.get(LOOP_PARAMS)
        opened = self.open
        if loop is not None:
            if loop.type is ParamType.MAP and isinstance(loop.value, dict):
                names.update(loop.value)
            else:
                opened = True
        return _Known(self.names | names, opened)


def unknown_references(workflow: Workflow, *, steps: bool = False) -> list[str]:
    """``path: [name] is not a param`` for every name an expression reads that no scope,
    default or cross-step reference can provide; in the steps' params too if ``steps``."""
    known = _Known(default_names()).with_params(workflow.params)
    problems = list(_check_params("workflow.params", workflow.params, known))
    if steps:
        problems.extend(_check_steps("workflow.steps", workflow.steps, known))
    return problems


def _check_steps(path: str, boxes: list[StepBox], outer: _Known) -> Iterator[str]:
    for index, box in enumerate(boxes):
        step = unbox(box)
        step_path = f"{path}[{index}].{box_key(box)}"
        known = outer.with_params(step.params)
        # An expression loop_params leaves the names unknown to the inner steps only.
        own = _Known(known.names, outer.open)
        yield from _check_params(f"{step_path}.params", step.params, own)
        yield from _check_steps(f"{step_path}.steps", step.children, known)


def _check_params(
    path: str, params: Mapping[str, ParamDefinition] | None, known: _Known
) -> Iterator[str]:
    if known.open:
        return
    for name, param in (params or {}).items():
        where = f"{path}.{name}"
        if param.expression is not None:
            for ref in _unknown(param.expression, known.names):
                yield f"{where}.expression: [{ref}] is not a param"
        elif param.type is ParamType.MAP and isinstance(param.value, dict):
            yield from _check_params(f"{where}.value", param.value, known)


def _unknown(expression: str, names: frozenset[str]) -> Iterator[str]:
    try:
        read = reads(expression)
    except SelError:
        return  # reported by the expression checks
    for ref in read.names:
        if ref not in names and SEPARATOR not in ref:
            yield ref
