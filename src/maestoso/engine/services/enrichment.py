"""``?enriched=true`` of a workflow version: Maestro's static merge of its params.

``workflow_params`` are the default workflow params with the definition's merged on top
(``ParamsManager.generatedStaticWorkflowParamDefs``); ``step_params`` give each top-level step
its merged definitions: the default step params, its template's params, its step type's
defaults, then its own (``generateStaticStepParamDefs``). Nothing is evaluated and nothing is
cleaned up, so each param keeps its ``source`` and ``internal_mode`` and a placeholder (a
param a step must or may give) shows as one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from maestoso.engine.templates import JobTemplates
from maestoso.errors import MaestosoError
from maestoso.models import ParamDefinition, Step, Workflow
from maestoso.params import Layer, ParamSource, step_defaults, step_type_defaults
from maestoso.params import workflow_defaults as default_workflow_params
from maestoso.params.merge import merge_into

Definitions = Mapping[str, ParamDefinition]


def _merged(*layers: tuple[Definitions | None, ParamSource]) -> dict[str, ParamDefinition]:
    merged: dict[str, ParamDefinition] = {}
    for params, source in layers:
        merge_into(merged, params or {}, Layer(None, source))
    return merged


def _json(params: Mapping[str, ParamDefinition]) -> dict[str, Any]:
    return {name: _definition_json(param) for name, param in params.items()}


def _definition_json(param: ParamDefinition) -> dict[str, Any]:
    body = param.to_json()
    body.pop("name", None)
    if (
        isinstance(param.value, dict)
        and param.value
        and all(isinstance(item, ParamDefinition) for item in param.value.values())
    ):
        body["value"] = _json(param.value)
    return body


async def enriched_params(workflow: Workflow, templates: JobTemplates | None) -> dict[str, Any]:
    """``{"workflow_params": …, "step_params": {step id: …}}`` of ``workflow``."""
    workflow_params = _merged(
        (default_workflow_params(), ParamSource.SYSTEM_DEFAULT),
        (workflow.params, ParamSource.DEFINITION),
    )
    step_params = {}
    for step in workflow.top_steps():
        step_params[step.id] = _json(await _step_params(step, templates))
    return {"workflow_params": _json(workflow_params), "step_params": step_params}


async def _step_params(step: Step, templates: JobTemplates | None) -> dict[str, ParamDefinition]:
    injected: dict[str, ParamDefinition] = {}
    if templates is not None and getattr(step, "sub_type", None):
        try:
            injected = (await templates.resolve(step, {})).params
        except MaestosoError:
            injected = {}  # the step fails on it when it runs; the view shows the rest
    return _merged(
        (step_defaults(), ParamSource.SYSTEM_DEFAULT),
        (injected, ParamSource.TEMPLATE_SCHEMA),
        (step_type_defaults(step.kind), ParamSource.SYSTEM_DEFAULT),
        (getattr(step, "params", None), ParamSource.DEFINITION),
    )
