"""What a step attempt merges under and over its own params, besides the defaults.

* Under them: the params of its job template chain (a step with a ``sub_type``), and the
  template's tags, which the attempt carries with its own.
* Over them: the ``step_run_params`` of a user's restart of this step, either given with a
  restart of the step in a live run, or kept in the run's ``restart_config`` by a restart that
  made a new run (``step_restart_params``, by step id).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from maestoso.engine.runtime.context import EngineContext
from maestoso.errors import ValidationError
from maestoso.models import ParamDefinition, Step
from maestoso.params import Parameter
from maestoso.store.records import InstanceRow
from maestoso.store.run_records import StepRecord


@dataclass(frozen=True, slots=True)
class StepInputs:
    injected: dict[str, ParamDefinition] = field(default_factory=dict)
    """The template chain's params (the TEMPLATE_SCHEMA layer)."""
    tags: list[Any] = field(default_factory=list)
    """The template chain's tags."""
    restart_params: dict[str, ParamDefinition] | None = None
    """The user's ``step_run_params`` for this attempt (the RESTART layer)."""
    restart_json: dict[str, Any] | None = None

    def recorded(self, document: StepRecord | None) -> dict[str, Any]:
        """The fields of the attempt's document these change: Maestro's
        ``step_run_params``, and the template's tags after the step's own."""
        changes: dict[str, Any] = {}
        if self.restart_json:
            changes["step_run_params"] = self.restart_json
        if self.tags:
            tags = list((document.tags if document else None) or [])
            names = {_name(tag) for tag in tags}
            changes["tags"] = tags + [tag for tag in self.tags if _name(tag) not in names]
        return changes


async def step_inputs(
    engine: EngineContext,
    step: Step,
    instance: InstanceRow,
    workflow_params: Mapping[str, Parameter],
    restart_params: Mapping[str, Any] | None = None,
) -> StepInputs:
    """The inputs of an attempt of ``step``; ``restart_params`` are those a restart of the
    step in a live run gave. ``ValidationError`` when a template or a param cannot be used."""
    injected: dict[str, ParamDefinition] = {}
    tags: list[Any] = []
    if engine.templates is not None and getattr(step, "sub_type", None):
        resolved = await engine.templates.resolve(step, workflow_params)
        injected, tags = resolved.params, resolved.tags
    raw = restart_params if restart_params is not None else _from_run(instance, step.id)
    return StepInputs(injected, tags, _definitions(raw), dict(raw) if raw else None)


def _from_run(instance: InstanceRow, step_id: str) -> Mapping[str, Any] | None:
    return instance.record.run_config.step_restart_params(step_id)


def _definitions(raw: Mapping[str, Any] | None) -> dict[str, ParamDefinition] | None:
    if not raw:
        return None
    definitions = {}
    for name, data in raw.items():
        try:
            definitions[name] = ParamDefinition.model_validate({**data, "name": name})
        except Exception as exc:  # a stored request that no longer parses
            raise ValidationError(f"invalid step run param [{name}]: {exc}") from None
    return definitions


def _name(tag: Any) -> str:
    return tag if isinstance(tag, str) else str((tag or {}).get("name"))
