"""Typed parameter evaluation: merging a scope's layers, evaluating them in dependency order.

The engine calls two functions, one per scope::

    from maestoso.params import evaluate_workflow_params, evaluate_step_params

    workflow_params = evaluate_workflow_params(
        workflow.params,            # the definition's params
        run_params=request_params,  # the start request's params (or None)
        context=instance_context,   # an InstanceContext over the new instance
        clock=clock,                # gives RUN_TS and every evaluated_time
        workflow_id=workflow.id,
    )
    step_params = evaluate_step_params(
        step, workflow_params, context=step_context, clock=clock
    )
    stored = {name: param.to_json() for name, param in step_params.items()}

``evaluate_workflow_params(definitions, *, clock, context=None, workflow_id=None,
run_params=None, run_source=ParamSource.LAUNCH, previous=None, restart_params=None,
defaults=None, limits=None) -> dict[str, Parameter]`` merges the workflow defaults, the
definition and the run params (or, on a restart, the ``previous`` run's params and the
restart's params), then evaluates them.

``evaluate_step_params(step, workflow_params, *, clock, context=None, injected=None,
run_params=None, restart_params=None, restart=False, defaults=None, limits=None)
-> dict[str, Parameter]`` does the same for a step: step defaults and those of its type,
injected params, the step's params, its run and restart params.

Each merge step keeps Maestro's mode rules (:mod:`maestoso.params.merge`); evaluation
binds what each expression reads (:mod:`maestoso.params.evaluator`), converts results to
the declared type (:mod:`maestoso.params.convert`) and checks validators. Every failure is
a :class:`ParamError` naming the param. ``params.*`` helpers read the instance through the
:class:`InstanceContext` Protocol, which the engine implements.
"""

from __future__ import annotations

from maestoso.params.api import (
    evaluate_params,
    evaluate_step_params,
    evaluate_workflow_params,
    merge_step_params,
    merge_workflow_params,
    only_step_defaults,
    only_workflow_defaults,
)
from maestoso.params.context import InstanceContext, StaticContext, StepSnapshot
from maestoso.params.defaults import (
    dry_run_defaults,
    step_defaults,
    step_type_defaults,
    workflow_defaults,
)
from maestoso.params.errors import ParamError
from maestoso.params.hourly import hourly_defaults
from maestoso.params.interpolation import interpolate
from maestoso.params.isolation import off_loop
from maestoso.params.merge import Layer, merge_layers
from maestoso.params.parameter import Parameter
from maestoso.params.references import unknown_references
from maestoso.params.resolver import InstanceParamsResolver
from maestoso.params.sources import ParamSource

__all__ = [
    "InstanceContext",
    "InstanceParamsResolver",
    "Layer",
    "ParamError",
    "ParamSource",
    "Parameter",
    "StaticContext",
    "StepSnapshot",
    "dry_run_defaults",
    "evaluate_params",
    "evaluate_step_params",
    "evaluate_workflow_params",
    "hourly_defaults",
    "interpolate",
    "merge_layers",
    "merge_step_params",
    "merge_workflow_params",
    "off_loop",
    "only_step_defaults",
    "only_workflow_defaults",
    "step_defaults",
    "step_type_defaults",
    "unknown_references",
    "workflow_defaults",
]
