"""The params Maestro injects: every workflow's and every step's, and those of a step type.

Read from the YAML files beside this module (the same definitions as Maestro's
``defaultparams/*.yaml``). The workflow defaults derive the run's dates from ``RUN_TS``
(``System.currentTimeMillis()``, so the evaluation's clock) in the instance's time zone.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from maestoso.models import ParamDefinition, StepType
from maestoso.params.parameter import read_definition

_TYPE_FILES = {
    StepType.FOREACH: "foreach",
    StepType.WHILE: "while",
    StepType.SUBWORKFLOW: "subworkflow",
}


@cache
def _load(name: str) -> dict[str, ParamDefinition]:
    text = resources.files("maestoso.params").joinpath(f"defaults/{name}.yaml").read_text()
    raw: dict[str, dict[str, Any]] = yaml.safe_load(text)
    return {key: read_definition(key, value) for key, value in raw.items()}


def _fresh(name: str) -> dict[str, ParamDefinition]:
    # Callers get their own dict; the definitions themselves are never mutated.
    return dict(_load(name))


def workflow_defaults() -> dict[str, ParamDefinition]:
    """``RUN_TS``, ``TARGET_RUN_DATE``, ``DERIVED_RUN_*``, ``owner``, ``workflow_id``..."""
    return _fresh("workflow")


def step_defaults() -> dict[str, ParamDefinition]:
    """``workflow_instance_id``, ``step_instance_uuid``, ``step_attempt_id``, ``step_id``."""
    return _fresh("step")


def step_type_defaults(step_type: StepType | str) -> dict[str, ParamDefinition]:
    """The defaults of a step type: ``loop_params``/``loop_index`` for foreach and while,
    ``subworkflow_id``/``subworkflow_version`` for subworkflow; none for the others."""
    name = _TYPE_FILES.get(step_type) if isinstance(step_type, StepType) else None
    return _fresh(name) if name else {}


def dry_run_defaults() -> dict[str, ParamDefinition]:
    """``FROM_DATE`` and ``TO_DATE``, added when a definition is validated by a dry run."""
    return _fresh("dry_run")


def default_names() -> frozenset[str]:
    """Every name a default may inject, for definition-time reference checks."""
    names: set[str] = set()
    for name in ("workflow", "step", "dry_run", *_TYPE_FILES.values()):
        names.update(_load(name))
    return frozenset(names)
