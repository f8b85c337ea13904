"""Maestro's YAML DSL into the workflow create request that ``POST /api/v3/workflows`` takes.

The document has one root key, ``Workflow`` (or ``workflow``). Its fields are ``id``,
``name``, ``description``, ``owner``, ``run_strategy``, ``workflow_concurrency``, ``tags``,
``timeout``, ``criticality``, ``jobs`` and ``dag``; every other key is a workflow param (see
``yaml_params``), and jobs are described in ``yaml_jobs``. The result is plain JSON data with
Maestro's keys and shapes, e.g.::

    {"properties": {"owner": "tester",
                    "run_strategy": {"rule": "SEQUENTIAL", "workflow_concurrency": 1},
                    "step_concurrency": 20},
     "workflow": {"id": "wf", "params": {}, "steps": [{"step": {...}}]},
     "is_active": true}

Every problem found is reported at once, in a ``ValidationError`` whose ``errors`` name the
path (and line) of each offending item.
"""

from __future__ import annotations

from typing import Any

from maestoso.dsl.yaml_fields import FieldReader
from maestoso.dsl.yaml_jobs import JobContext, StepTypeResolver, convert_jobs, tag_list
from maestoso.dsl.yaml_load import load_document
from maestoso.dsl.yaml_params import parse_params
from maestoso.dsl.yaml_problems import Loc, Problems, YamlMap
from maestoso.dsl.yaml_triggers import TRIGGER_KEYS, signal_triggers, time_triggers

__all__ = ["StepTypeResolver", "parse_workflow_yaml"]

ROOT_KEYS = ("Workflow", "workflow")
WORKFLOW_FIELDS = frozenset(
    {"id", "name", "description", "owner", "run_strategy", "workflow_concurrency", "tags",
     "timeout", "criticality", "jobs", "dag"}
)  # fmt: skip
_RESERVED_PARAM_KEY = "workflow_params"
RUN_STRATEGY_RULES = frozenset(
    {"SEQUENTIAL", "STRICT_SEQUENTIAL", "FIRST_ONLY", "LAST_ONLY", "PARALLEL",
     "SERIAL_LATEST_ONLY"}
)  # fmt: skip
CRITICALITIES = frozenset({"CRITICAL", "HIGH", "MEDIUM", "LOW"})
DEFAULT_STEP_CONCURRENCY = 20
DEFAULT_PARALLELISM = 20
_WORKFLOW_KEY_ORDER = ("id", "name", "description", "tags", "timeout", "criticality")


def parse_workflow_yaml(
    text: str, *, resolve_step_type: StepTypeResolver | None = None
) -> dict[str, Any]:
    """Convert a YAML DSL document into a workflow create request (plain JSON data).

    A job whose ``type`` is not one of Maestro's step types names a job template: it becomes
    the step's ``sub_type``, and its step type is what ``resolve_step_type(type, version)``
    returns (a problem if None). Without a resolver such steps get the type ``template``.

    Raises ``maestoso.errors.ValidationError`` listing every problem in the document.
    """
    document = load_document(text)
    problems = Problems()
    workflow = _root(document, problems)
    request = {
        "properties": _properties(workflow),
        "workflow": _with_triggers(
            _workflow(workflow, JobContext(problems, resolve_step_type)), document, problems
        ),
        "is_active": True,
    }
    problems.raise_if_any()
    return request


def _with_triggers(
    workflow: dict[str, Any], document: YamlMap, problems: Problems
) -> dict[str, Any]:
    """The workflow with the root's trigger keys (``yaml_triggers``), in Maestro's order."""
    triggers: dict[str, Any] = {}
    for key, convert in (("time_triggers", time_triggers), ("signal_triggers", signal_triggers)):
        if key in document:
            loc = Loc(key, document.key_lines[key])
            triggers[key] = convert(document[key], loc, problems)
    if not triggers:
        return workflow
    head = [key for key in ("id", "name", "description", "tags", "timeout") if key in workflow]
    ordered: dict[str, Any] = {key: workflow[key] for key in head}
    ordered.update(triggers)
    ordered.update({key: value for key, value in workflow.items() if key not in ordered})
    return ordered


def _root(document: Any, problems: Problems) -> FieldReader:
    """The reader of the ``Workflow`` mapping; the root's problems end the parse."""
    root = Loc("document", getattr(document, "line", None))
    if not isinstance(document, YamlMap):
        problems.add(root, "must be a mapping with a Workflow key")
        problems.fail()
    for key in document.keys() - set(ROOT_KEYS) - set(TRIGGER_KEYS):
        problems.add(
            root.key(document, key),
            "unknown key; the root must only hold Workflow, time_triggers and signal_triggers",
        )
    present = [key for key in ROOT_KEYS if key in document]
    if len(present) != 1:
        problems.add(root, "must have exactly one Workflow (or workflow) key")
        problems.fail()
    key = present[0]
    loc = Loc(key, document.key_lines[key])
    if not isinstance(document[key], YamlMap):
        problems.add(loc, "must be a mapping")
        problems.fail()
    return FieldReader(document[key], loc, problems)


def _properties(workflow: FieldReader) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    if (owner := workflow.text("owner")) is not None:
        properties["owner"] = owner
    properties["run_strategy"] = _run_strategy(workflow)
    properties["step_concurrency"] = DEFAULT_STEP_CONCURRENCY
    return properties


def _run_strategy(workflow: FieldReader) -> dict[str, Any]:
    """The run strategy as Maestro maps it: ``workflow_concurrency`` only counts with a rule.

    Without ``run_strategy`` the default (SEQUENTIAL, 1) applies whatever the concurrency; a
    rule without a concurrency gets 20 for PARALLEL and 1 otherwise.
    """
    rule_text = workflow.text("run_strategy")
    concurrency = workflow.long("workflow_concurrency")
    if rule_text is None:
        return {"rule": "SEQUENTIAL", "workflow_concurrency": 1}
    rule = rule_text.upper()
    if rule not in RUN_STRATEGY_RULES:
        workflow.problems.add(
            workflow.at("run_strategy"),
            f"invalid run strategy [{rule_text}]; expected one of {sorted(RUN_STRATEGY_RULES)}",
        )
    if concurrency is None:
        concurrency = DEFAULT_PARALLELISM if rule == "PARALLEL" else 1
    elif concurrency > 1 and rule != "PARALLEL":
        workflow.problems.add(
            workflow.at("workflow_concurrency"),
            "only the PARALLEL run strategy allows a workflow_concurrency greater than 1",
        )
    return {"rule": rule, "workflow_concurrency": concurrency}


def _workflow(workflow: FieldReader, ctx: JobContext) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if (workflow_id := workflow.required_text("id", "a workflow needs an id")) is not None:
        result["id"] = workflow_id
    for key in ("name", "description", "timeout"):
        if (value := workflow.text(key)) is not None:
            result[key] = value
    if (tags := tag_list(workflow, "tags")) is not None:
        result["tags"] = tags
    if (criticality := workflow.text("criticality")) is not None:
        result["criticality"] = _criticality(criticality, workflow)
    ordered = {key: result[key] for key in _WORKFLOW_KEY_ORDER if key in result}
    params = workflow.others(WORKFLOW_FIELDS, _RESERVED_PARAM_KEY)
    ordered["params"] = parse_params(params, workflow.loc, ctx.problems)
    if workflow.data.get("jobs") in (None, []):
        ctx.problems.add(workflow.loc, "a workflow needs at least one job in jobs")
    if (steps := convert_jobs(workflow, ctx)) is not None:
        ordered["steps"] = steps
    return ordered


def _criticality(text: str, workflow: FieldReader) -> str:
    if text.upper() not in CRITICALITIES:
        workflow.problems.add(
            workflow.at("criticality"),
            f"invalid criticality [{text}]; expected one of {sorted(CRITICALITIES)}",
        )
    return text.upper()
