"""Evaluating one scope of params (a workflow's, or a step's) in dependency order.

A param's expression or interpolated literal may read other params of its scope, in any
order: each is evaluated on first read, and a read of a param still being evaluated is a
cycle, reported with its chain (``param cycle: a -> b -> a``). What a name may refer to
follows Maestro's ``ParamEvaluator``:

* workflow scope: another workflow param; else a ``signal__param`` of a trigger signal;
* step scope: ``step__param`` (this step's param, an upstream step's evaluated param, or
  a signal's), then an evaluated param of the step, then a workflow param, then a step
  param not yet evaluated. ``params`` (``params.get('x')``, ``params['x']``) sees the
  workflow params, and the step's own params it names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from maestoso.models import ParamDefinition, ParamType
from maestoso.params.context import InstanceContext
from maestoso.params.convert import Converted, literal_kind, to_declared_type
from maestoso.params.dependencies import reads
from maestoso.params.errors import ParamError
from maestoso.params.interpolation import interpolate_literal, referenced_names
from maestoso.params.parameter import Parameter
from maestoso.params.resolver import InstanceParamsResolver
from maestoso.params.validators import check
from maestoso.sel import Limits, SelError
from maestoso.sel.maestro import evaluate_param_expression
from maestoso.sel.state import NowSource

SEPARATOR = "__"


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a set of params is evaluated.

    ``step_id`` is None for workflow params; ``outer`` holds the evaluated workflow params
    a step's params may read.
    """

    label: str
    step_id: str | None = None
    outer: Mapping[str, Parameter] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Settings:
    clock: NowSource
    context: InstanceContext | None = None
    limits: Limits | None = None
    check_validators: bool = True


def _untouched_default(definition: ParamDefinition) -> bool:
    # A system default nobody overrode keeps its placeholder value (``loop_index`` is -1
    # under ``@Min(0)`` until the engine sets it), so its validator is not checked yet.
    return definition.extras.get("source") == "SYSTEM_DEFAULT"


class ScopeEvaluator:
    """Evaluates the definitions of one scope; each param once, on first need."""

    def __init__(
        self, definitions: Mapping[str, ParamDefinition], scope: Scope, settings: Settings
    ) -> None:
        self.definitions = definitions
        self.scope = scope
        self.settings = settings
        self.done: dict[str, Parameter] = {}
        self.stack: list[str] = []
        context = settings.context
        self.resolver = (
            None
            if context is None
            else InstanceParamsResolver(context, in_step=scope.step_id is not None)
        )

    def run(self) -> dict[str, Parameter]:
        for name in self.definitions:
            self.param(name)
        return {name: self.done[name] for name in self.definitions}

    def param(self, name: str) -> Parameter:
        if name in self.done:
            return self.done[name]
        if name in self.stack:
            chain = [*self.stack[self.stack.index(name) :], name]
            raise ParamError(f"param cycle: {' -> '.join(chain)} (in {self.scope.label})")
        self.stack.append(name)
        try:
            definition = self.definitions[name]
            converted = self.evaluate(name, definition)
        finally:
            self.stack.pop()
        if self.settings.check_validators and not _untouched_default(definition):
            check(name, definition.validator, converted.value)
        parameter = Parameter(
            name, definition, converted.value, self.settings.clock.now_ms(), converted.notes
        )
        self.done[name] = parameter
        return parameter

    def evaluate(self, name: str, definition: ParamDefinition) -> Converted:
        """The value of ``definition`` in its declared type (a nested MAP entry too)."""
        if definition.expression is not None:
            result = self.expression(name, definition.expression)
            return to_declared_type(name, definition.type, result.value, result.type)
        if definition.value is None:
            raise ParamError(f"[{name}] is a required parameter (type=[{definition.type}])")
        if definition.type is ParamType.MAP:
            return Converted(
                {
                    key: self.nested(f"{name}.{key}", nested)
                    for key, nested in definition.value.items()
                }
            )
        bound = {ref: self.bind(name, ref) for ref in referenced_names(definition)}
        value = interpolate_literal(definition, bound.__getitem__)
        return to_declared_type(name, definition.type, value, literal_kind(definition.type))

    def nested(self, name: str, definition: ParamDefinition) -> Any:
        value = self.evaluate(name, definition).value
        if self.settings.check_validators:
            check(name, definition.validator, value)
        return value

    def expression(self, name: str, text: str) -> Any:
        try:
            used = reads(text)
        except SelError as error:
            raise ParamError(f"Param [{name}] has an invalid expression: {error}") from None
        variables: dict[str, Any] = {}
        if used.uses_params and self.scope.step_id is not None:
            variables.update({key: p.evaluated_result for key, p in self.scope.outer.items()})
        for key in used.params_keys:
            if key != name and (key in self.definitions or key in self.scope.outer):
                variables[key] = self.bind(name, key)
        for ref in used.names:
            variables[ref] = self.bind(name, ref)
        try:
            return evaluate_param_expression(
                text,
                variables,
                limits=self.settings.limits,
                clock=self.settings.clock,
                params=self.resolver,
            )
        except SelError as error:
            raise ParamError(f"Param [{name}] failed to evaluate: {error}") from None

    def bind(self, name: str, ref: str) -> Any:
        """The value ``ref`` names, as read by param ``name``."""
        own = self.definitions
        if self.scope.step_id is None:
            if ref in own:
                return self.param(ref).evaluated_result
            if SEPARATOR in ref:
                return self.signal(ref, *ref.split(SEPARATOR, 1))
            raise ParamError(
                f"Param [{name}] referenced a non-existing param [{ref}] in {self.scope.label}"
            )
        if SEPARATOR in ref:
            return self.cross_step(name, ref)
        if ref in self.done:
            return self.done[ref].evaluated_result
        if ref in self.scope.outer:
            return self.scope.outer[ref].evaluated_result
        if ref in own:
            return self.param(ref).evaluated_result
        raise ParamError(
            f"Cannot find the referenced param [{ref}] in {self.scope.label} "
            "or upstream steps or the workflow"
        )

    def cross_step(self, name: str, ref: str) -> Any:
        step_id, param = self.split(ref)
        if step_id == self.scope.step_id:
            if param not in self.definitions:
                raise ParamError(
                    f"Param [{name}] referenced a non-existing param [{ref}] in {self.scope.label}"
                )
            return self.param(param).evaluated_result
        context = self.settings.context
        step = None if context is None else context.step(step_id)
        if step is None:
            return self.signal(ref, step_id, param)
        if param not in step.params:
            raise ParamError(
                f"Referenced param [{param}] in step [{step_id}] is not evaluated yet. "
                "Note that a step can only reference its upstream step's param."
            )
        return step.params[param].evaluated_result

    def split(self, ref: str) -> tuple[str, str]:
        """``step__param`` split at the separator; with ``___`` the step id may end in
        ``_``, so the id that names a step of the workflow wins."""
        first, last = ref.find(SEPARATOR), ref.rfind(SEPARATOR)
        if first != last:
            candidates = [ref[:first], ref[: first + 1]]
            context = self.settings.context
            found = [c for c in candidates if context is not None and context.step(c)]
            if len(found) == 2:
                raise ParamError(
                    f"reference [{ref}] is ambiguous: both steps [{found[0]}] and "
                    f"[{found[1]}] exist in the workflow"
                )
            if found == [candidates[1]]:
                first += 1
        return ref[:first], ref[first + len(SEPARATOR) :]

    def signal(self, ref: str, signal: str, param: str) -> Any:
        try:
            if self.resolver is None:
                raise LookupError("no instance context")
            return self.resolver.get_from_signal(signal, param)
        except Exception:
            raise ParamError(
                f"Failed to evaluate the param with a definition: [{ref}]. "
                "Please check if there is a typo in the expression."
            ) from None
