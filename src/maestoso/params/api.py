"""The entry points the engine calls: merge a scope's layers, then evaluate them."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from maestoso.models import ParamDefinition, Step
from maestoso.params.context import InstanceContext
from maestoso.params.defaults import step_defaults, step_type_defaults, workflow_defaults
from maestoso.params.evaluator import Scope, ScopeEvaluator, Settings
from maestoso.params.merge import Layer, merge_layers
from maestoso.params.parameter import Parameter
from maestoso.params.sources import ParamSource
from maestoso.sel import Limits
from maestoso.sel.state import NowSource

Definitions = Mapping[str, ParamDefinition]

_MERGED_LIMIT = 1024
_merged: dict[tuple[str, int], tuple[object, dict[str, ParamDefinition]]] = {}


def merge_workflow_params(
    definitions: Definitions | None,
    *,
    run_params: Definitions | None = None,
    run_source: ParamSource = ParamSource.LAUNCH,
    previous: Mapping[str, Parameter] | None = None,
    restart_params: Definitions | None = None,
    defaults: Definitions | None = None,
) -> dict[str, ParamDefinition]:
    """A workflow instance's param definitions, merged as Maestro merges them.

    A start (``previous`` None) merges ``defaults`` (the workflow defaults when None), the
    definition's params, then ``run_params`` from ``run_source`` (LAUNCH for a user, or
    TIME_TRIGGER, SIGNAL, SUBWORKFLOW, FOREACH... for a system-initiated run). A restart
    starts from the ``previous`` run's params (a CONSTANT, or any non-IMMUTABLE param, keeps
    its result; an IMMUTABLE one is evaluated again), then ``run_params`` and
    ``restart_params`` under the restart rules.
    """
    upstream = run_source not in (ParamSource.LAUNCH, ParamSource.RESTART)
    if previous is None:
        layers = [
            Layer(
                workflow_defaults() if defaults is None else defaults, ParamSource.SYSTEM_DEFAULT
            ),
            Layer(definitions, ParamSource.DEFINITION),
            Layer(run_params, run_source, upstream=upstream),
        ]
    else:
        source = ParamSource.RESTART if not upstream else run_source
        earlier = {name: param.to_definition() for name, param in previous.items()}
        layers = [
            Layer(earlier, ParamSource.SYSTEM),
            Layer(run_params, source, restart=True, upstream=upstream),
            Layer(restart_params, source, restart=True, upstream=upstream),
        ]
    return merge_layers(layers)


def merge_step_params(
    step: Step,
    *,
    injected: Definitions | None = None,
    run_params: Definitions | None = None,
    restart_params: Definitions | None = None,
    restart: bool = False,
    defaults: Definitions | None = None,
) -> dict[str, ParamDefinition]:
    """A step instance's param definitions: the step defaults (and those of its type),
    params ``injected`` by the step's runtime or template schema, the step's own params,
    then the step's run params and, on a restart, its restart params."""
    if defaults is None:
        defaults = {**step_defaults(), **step_type_defaults(step.kind)}
    user = ParamSource.RESTART if restart else ParamSource.LAUNCH
    return merge_layers(
        [
            Layer(defaults, ParamSource.SYSTEM_DEFAULT),
            Layer(injected, ParamSource.TEMPLATE_SCHEMA),
            Layer(step.params, ParamSource.DEFINITION),
            Layer(run_params, user, restart=restart),
            Layer(restart_params, ParamSource.RESTART, restart=True),
        ]
    )


def evaluate_params(
    definitions: Definitions,
    *,
    clock: NowSource,
    context: InstanceContext | None = None,
    step_id: str | None = None,
    workflow_params: Mapping[str, Parameter] | None = None,
    label: str | None = None,
    limits: Limits | None = None,
    check_validators: bool = True,
) -> dict[str, Parameter]:
    """Evaluate merged definitions of one scope, each after the params it reads.

    ``step_id`` None evaluates workflow params; otherwise a step's, which may also read
    ``workflow_params``. Raises :class:`~maestoso.params.ParamError`.
    """
    where = label or (f"step [{step_id}]" if step_id is not None else "the workflow")
    scope = Scope(where, step_id, workflow_params or {})
    settings = Settings(clock, context, limits, check_validators)
    return ScopeEvaluator(definitions, scope, settings).run()


def evaluate_workflow_params(
    definitions: Definitions | None,
    *,
    clock: NowSource,
    context: InstanceContext | None = None,
    workflow_id: str | None = None,
    run_params: Definitions | None = None,
    run_source: ParamSource = ParamSource.LAUNCH,
    previous: Mapping[str, Parameter] | None = None,
    restart_params: Definitions | None = None,
    defaults: Definitions | None = None,
    limits: Limits | None = None,
) -> dict[str, Parameter]:
    """Merge (see :func:`merge_workflow_params`) and evaluate a workflow instance's params."""

    def merge() -> dict[str, ParamDefinition]:
        return merge_workflow_params(
            definitions,
            run_params=run_params,
            run_source=run_source,
            previous=previous,
            restart_params=restart_params,
            defaults=defaults,
        )

    fixed = not (run_params or restart_params) and previous is None and defaults is None
    merged = _merged_once("workflow", definitions, merge) if fixed else merge()
    label = f"workflow [{workflow_id}]" if workflow_id else None
    return evaluate_params(merged, clock=clock, context=context, label=label, limits=limits)


def evaluate_step_params(
    step: Step,
    workflow_params: Mapping[str, Parameter],
    *,
    clock: NowSource,
    context: InstanceContext | None = None,
    injected: Definitions | None = None,
    run_params: Definitions | None = None,
    restart_params: Definitions | None = None,
    restart: bool = False,
    defaults: Definitions | None = None,
    limits: Limits | None = None,
) -> dict[str, Parameter]:
    """Merge (see :func:`merge_step_params`) and evaluate a step instance's params."""

    def merge() -> dict[str, ParamDefinition]:
        return merge_step_params(
            step,
            injected=injected,
            run_params=run_params,
            restart_params=restart_params,
            restart=restart,
            defaults=defaults,
        )

    fixed = not (injected or run_params or restart_params or restart) and defaults is None
    merged = _merged_once("step", step, merge) if fixed else merge()
    return evaluate_params(
        merged,
        clock=clock,
        context=context,
        step_id=step.id,
        workflow_params=workflow_params,
        limits=limits,
    )


def only_workflow_defaults(
    definitions: Definitions | None, *, run_params: Definitions | None = None
) -> bool:
    """Whether a new run's params are the workflow defaults alone (``RUN_TS``, the derived
    dates…): a workflow without params of its own started without run params. Our own
    expressions, a few hundred microseconds, with no SEL of a user's in them to bound."""
    return not (definitions or run_params)


def only_step_defaults(
    step: Step, *, injected: Definitions | None = None, restart_params: Definitions | None = None
) -> bool:
    """Whether a step instance's params are the step defaults alone (``step_id``,
    ``step_attempt_id``…): expressions of ours that read the step's own fields, with no SEL of
    a user's in them to bound, so evaluating them needs no worker thread."""
    return not (
        injected or restart_params or getattr(step, "params", None) or step_type_defaults(step.kind)
    )


def _merged_once(
    kind: str, source: object, merge: Callable[[], dict[str, ParamDefinition]]
) -> dict[str, ParamDefinition]:
    """``merge()`` once per ``source`` (a parsed step, or a parsed workflow's params: never
    changed, kept by the node's cache of parsed versions), when only the defaults and the
    definition take part: merging builds every definition anew, about as costly as
    evaluating them. The entry holds ``source``, so that its id is not reused meanwhile."""
    key = (kind, id(source))
    found = _merged.get(key)
    if found is None or found[0] is not source:
        found = (source, merge())
        if len(_merged) >= _MERGED_LIMIT:
            _merged.clear()
        _merged[key] = found
    return dict(found[1])
