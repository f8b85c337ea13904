"""DSL jobs (``- job:``, ``- foreach:``, ``- while:``, ``- subworkflow:``) into wrapped steps.

A job's own fields are listed per kind below; every other key is a step param. A ``dag``
beside a ``jobs`` list adds transitions to the jobs that have none: ``sequential`` chains
them in order, ``parallel`` adds nothing, and a mapping gives each named job its list.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from maestoso.dsl.yaml_fields import FieldReader
from maestoso.dsl.yaml_params import parse_params
from maestoso.dsl.yaml_problems import Loc, Problems, YamlList, YamlMap
from maestoso.dsl.yaml_transitions import parse_transition
from maestoso.models.steps import PLUGIN_STEP_TYPE, StepType

StepTypeResolver = Callable[[str, str | None], str | None]
"""Finds the step type (e.g. ``"Notebook"``) of a job template, given its name and version."""

STEP_TYPES = {
    "NOOP": "NoOp", "SLEEP": "Sleep", "TITUS": "Titus", "NOTEBOOK": "Notebook",
    "KUBERNETES": "Kubernetes", "HTTP": "Http", "TEMPLATE": "template",
}  # fmt: skip
_TEMPLATE = STEP_TYPES["TEMPLATE"]
JOB_STEP_TYPES = {
    **{name: value for name, value in STEP_TYPES.items() if value != _TEMPLATE},
    "SHELL": "Shell",
    "PYTHON": "Python",
}
"""The step types a job template may run on: Maestro's leaf types and this server's Shell
and Python."""
# Step types a `- job:` cannot have: each has its own list item, or is internal to the engine.
_OTHER_STEP_TYPES = {"FOREACH", "WHILE", "SUBWORKFLOW", "JOIN"}
FAILURE_MODES = frozenset({"FAIL_IMMEDIATELY", "FAIL_AFTER_RUNNING", "IGNORE_FAILURE"})

_BASE_FIELDS = {"id", "name", "description", "failure_mode", "tags", "timeout", "transition"}
_KIND_FIELDS = {
    "job": {"type", "type_version"},
    "foreach": {"concurrency", "job_concurrency", "loop_params", "params", "ranges", "jobs", "dag"},
    "while": {"loop_params", "params", "condition", "jobs", "dag"},
    "subworkflow": {
        "workflow_id", "subworkflow_id", "version", "subworkflow_version", "sync",
        "explicit_params",
    },
}  # fmt: skip
_RESERVED_PARAM_KEY = "job_params"
_HEAD = ("id", "name", "description", "transition")
_TAIL = ("failure_mode", "tags", "timeout")
_KEY_ORDER = {
    "job": (*_HEAD, "type", "sub_type", "sub_type_version", *_TAIL, "params"),
    "template": (*_HEAD, "sub_type", *_TAIL, "params"),
    "foreach": (*_HEAD, *_TAIL, "concurrency", "params", "steps"),
    "while": (*_HEAD, *_TAIL, "condition", "params", "steps"),
    "subworkflow": (*_HEAD, "sync", "explicit_params", *_TAIL, "params"),
}
_RANGE_FIELDS = ("from", "to", "increment")


@dataclass
class JobContext:
    """What converting the jobs of one workflow shares: problems, the resolver, seen ids."""

    problems: Problems
    resolve_step_type: StepTypeResolver | None = None
    seen_ids: dict[str, str] = field(default_factory=dict)


@dataclass
class _Job:
    kind: str
    fields: FieldReader
    id: str | None
    transition: Any
    transition_loc: Loc


def convert_jobs(owner: FieldReader, ctx: JobContext) -> list[dict[str, Any]] | None:
    """The wrapped steps of the ``jobs`` list (and ``dag``) of a workflow, foreach or while."""
    raw = owner.items("jobs")
    if raw is None:
        return None
    loc = owner.at("jobs")
    jobs = [job for index in range(len(raw)) if (job := _read_job(raw, index, loc, ctx))]
    _apply_dag(owner, jobs, ctx.problems)
    ids = {job.id for job in jobs if job.id is not None}
    return [_STEP_BUILDERS[job.kind](job, ids, ctx) for job in jobs]


def _read_job(raw: YamlList, index: int, loc: Loc, ctx: JobContext) -> _Job | None:
    item, at = raw[index], loc.item(raw, index)
    kinds = "job, foreach, while or subworkflow"
    if not isinstance(item, YamlMap) or len(item) != 1:
        ctx.problems.add(at, f"must be a mapping with exactly one key: {kinds}")
        return None
    kind = next(iter(item))
    if kind not in _KIND_FIELDS:
        ctx.problems.add(at.key(item, kind), f"unknown job kind [{kind}]; expected {kinds}")
        return None
    body, body_loc = item[kind], at.key(item, kind)
    if not isinstance(body, YamlMap):
        ctx.problems.add(body_loc, "must be a mapping")
        return None
    fields = FieldReader(body, body_loc, ctx.problems)
    job_id = _job_id(fields, ctx)
    return _Job(kind, fields, job_id, body.get("transition"), fields.at("transition"))


def _job_id(fields: FieldReader, ctx: JobContext) -> str | None:
    job_id = fields.required_text("id", "a job needs an id")
    if job_id is not None and job_id in ctx.seen_ids:
        ctx.problems.add(
            fields.at("id"), f"job id [{job_id}] is already used at {ctx.seen_ids[job_id]}"
        )
    elif job_id is not None:
        ctx.seen_ids[job_id] = fields.loc.path
    return job_id


def _apply_dag(owner: FieldReader, jobs: list[_Job], problems: Problems) -> None:
    dag, loc = owner.data.get("dag"), owner.at("dag")
    if dag is None:
        return
    if isinstance(dag, YamlMap):
        _apply_dag_map(dag, loc, jobs, problems)
    elif isinstance(dag, str) and dag.strip().lower() == "sequential":
        for job, successor in itertools.pairwise(jobs):
            if not job.transition and successor.id is not None:
                job.transition, job.transition_loc = [successor.id], loc
    elif not (isinstance(dag, str) and dag.strip().lower() == "parallel"):
        problems.add(loc, f"must be sequential, parallel or a mapping of job id to transitions, "
                          f"not [{dag}]")  # fmt: skip


def _apply_dag_map(dag: YamlMap, loc: Loc, jobs: list[_Job], problems: Problems) -> None:
    by_id = {job.id: job for job in jobs if job.id is not None}
    for job_id, transition in dag.items():
        at = loc.key(dag, job_id)
        job = by_id.get(job_id)
        if job is None:
            problems.add(at, f"names an unknown job [{job_id}]")
        elif not job.transition:
            job.transition, job.transition_loc = transition, at


def _base_step(job: _Job, ids: set[str], ctx: JobContext) -> dict[str, Any]:
    fields = job.fields
    step: dict[str, Any] = {"id": job.id}
    for key in ("name", "description", "timeout"):
        if (value := fields.text(key)) is not None:
            step[key] = value
    step["transition"] = _transition(job, ids, ctx.problems)
    if (failure_mode := fields.text("failure_mode")) is not None:
        step["failure_mode"] = _enum(failure_mode, FAILURE_MODES, fields.at("failure_mode"), ctx)
    if (tags := tag_list(fields, "tags")) is not None:
        step["tags"] = tags
    params = fields.others(_BASE_FIELDS | _KIND_FIELDS[job.kind], _RESERVED_PARAM_KEY)
    step["params"] = parse_params(params, fields.loc, ctx.problems)
    return step


def _transition(job: _Job, ids: set[str], problems: Problems) -> dict[str, Any]:
    if job.transition is None:
        return {}
    if not isinstance(job.transition, list):
        problems.add(job.transition_loc, "must be a list of transitions")
        return {}
    return parse_transition(job.transition, job.transition_loc, problems, ids)


def tag_list(fields: FieldReader, key: str) -> list[dict[str, Any]] | None:
    """A list of tag names as Maestro's tag objects, rejecting a name given twice."""
    names = fields.texts(key)
    if names is None:
        return None
    for name in {name for name in names if names.count(name) > 1}:
        fields.problems.add(fields.at(key), f"tag [{name}] is given more than once")
    return [{"name": name} for name in names]


def _enum(text: str, allowed: frozenset[str], loc: Loc, ctx: JobContext) -> str:
    if text.upper() not in allowed:
        ctx.problems.add(loc, f"invalid value [{text}]; expected one of {sorted(allowed)}")
    return text.upper()


def _ordered(step: dict[str, Any], kind: str) -> dict[str, Any]:
    return {key: step[key] for key in _KEY_ORDER[kind] if key in step}


def _typed_step(job: _Job, ids: set[str], ctx: JobContext) -> dict[str, Any]:
    """A ``step``, or a ``template`` step for a job template whose step type is unknown."""
    step, fields = _base_step(job, ids, ctx), job.fields
    version = fields.text("type_version")
    step_type, sub_type = _step_type(fields, version, ctx)
    if sub_type is not None:
        step["sub_type"] = sub_type
    if step_type == _TEMPLATE:
        # A template step has no version field: its version comes from the job template.
        return {"template": _ordered(step, "template")}
    if step_type is not None:
        step["type"] = step_type
    if version is not None:
        step["sub_type_version"] = version
    return {"step": _ordered(step, "job")}


def _step_type(
    fields: FieldReader, version: str | None, ctx: JobContext
) -> tuple[str | None, str | None]:
    """The step type and the sub type (a job template) that a job's ``type`` names."""
    type_text = fields.required_text("type", "a job needs a type")
    if type_text is None:
        return None, None
    name = type_text.upper()
    if name in _OTHER_STEP_TYPES:
        message = f"type [{type_text}] is not a job type; use its own list item"
        ctx.problems.add(fields.at("type"), message)
        return None, None
    if name in STEP_TYPES:
        return STEP_TYPES[name], None
    job_id = fields.text("id")
    step_type = _resolve(job_id, type_text, version, fields.at("type"), ctx)
    if version is None and step_type is not None and step_type.upper() == name:
        return step_type, None  # a step type of this server (Shell), by its built-in template
    return step_type, type_text


def _resolve(
    job_id: str | None, type_text: str, version: str | None, loc: Loc, ctx: JobContext
) -> str | None:
    """The step type of a job template; ``template`` when no resolver is configured."""
    if ctx.resolve_step_type is None:
        return _TEMPLATE
    step_type = _job_step_type(ctx.resolve_step_type(type_text, version))
    if step_type is None:
        which = type_text if version is None else f"{type_text}] of version [{version}"
        ctx.problems.add(
            loc, f"cannot find step type for job id: [{job_id}] with job type: [{which}]"
        )
    return step_type


def _job_step_type(resolved: str | None) -> str | None:
    """A step type a job may have: a leaf step type, or a plugin's (the server knows it)."""
    if not resolved:
        return None
    try:
        StepType(resolved)
    except ValueError:
        return resolved if PLUGIN_STEP_TYPE.fullmatch(resolved) else None
    return JOB_STEP_TYPES.get(resolved.upper())


def _foreach_step(job: _Job, ids: set[str], ctx: JobContext) -> dict[str, Any]:
    step, fields = _base_step(job, ids, ctx), job.fields
    concurrency = fields.long(fields.key_or_alias("concurrency", "job_concurrency"))
    if concurrency is not None:
        step["concurrency"] = concurrency
    loop_params = _loop_params(fields, ctx) or {}
    for name, definition in _ranges(fields, ctx).items():
        if name in loop_params:
            ctx.problems.add(fields.at("ranges"), f"[{name}] is both a range and a loop param")
        loop_params[name] = definition
    step["params"]["loop_params"] = {"value": loop_params, "type": "MAP"}
    if (steps := convert_jobs(fields, ctx)) is not None:
        step["steps"] = steps
    return {"foreach": _ordered(step, "foreach")}


def _loop_params(fields: FieldReader, ctx: JobContext) -> dict[str, Any] | None:
    key = fields.key_or_alias("loop_params", "params")
    raw = fields.mapping(key)
    return None if raw is None else parse_params(raw, fields.at(key), ctx.problems)


def _ranges(fields: FieldReader, ctx: JobContext) -> dict[str, dict[str, Any]]:
    """Each range ``{from (0), to (excluded), increment (1)}`` as a LONG_ARRAY expression."""
    ranges, result = fields.mapping("ranges"), {}
    if ranges is None:
        return {}
    for name, spec in ranges.items():
        at = fields.at("ranges").key(ranges, name)
        if not isinstance(spec, YamlMap):
            ctx.problems.add(at, "a range must be a mapping with from, to and increment")
            continue
        spec_fields = FieldReader(spec, at, ctx.problems)
        for unknown in spec.keys() - set(_RANGE_FIELDS):
            ctx.problems.add(spec_fields.at(unknown), "unknown range field")
        start, end, step = (spec_fields.long(key) for key in _RANGE_FIELDS)
        if end is None:
            ctx.problems.add(at, "a range needs a 'to' (its excluded end)")
        start, step = 0 if start is None else start, 1 if step is None else step
        expression = f"Util.intsBetween({start}, {end}, {step});"
        result[name] = {"expression": expression, "type": "LONG_ARRAY"}
    return result


def _while_step(job: _Job, ids: set[str], ctx: JobContext) -> dict[str, Any]:
    step, fields = _base_step(job, ids, ctx), job.fields
    if (
        condition := fields.required_text("condition", "a while job needs a condition")
    ) is not None:
        step["condition"] = condition
    if (loop_params := _loop_params(fields, ctx)) is not None:
        step["params"]["loop_params"] = {"value": loop_params, "type": "MAP"}
    if (steps := convert_jobs(fields, ctx)) is not None:
        step["steps"] = steps
    return {"while": _ordered(step, "while")}


def _subworkflow_step(job: _Job, ids: set[str], ctx: JobContext) -> dict[str, Any]:
    step, fields = _base_step(job, ids, ctx), job.fields
    for key in ("sync", "explicit_params"):
        if (flag := fields.flag(key)) is not None:
            step[key] = flag
    workflow_id = fields.text(fields.key_or_alias("workflow_id", "subworkflow_id")) or job.id
    version = fields.text(fields.key_or_alias("version", "subworkflow_version"))
    step["params"]["subworkflow_id"] = {"value": workflow_id, "type": "STRING"}
    if version is not None:
        step["params"]["subworkflow_version"] = {"value": version, "type": "STRING"}
    return {"subworkflow": _ordered(step, "subworkflow")}


_STEP_BUILDERS: dict[str, Callable[[_Job, set[str], JobContext], dict[str, Any]]] = {
    "job": _typed_step,
    "foreach": _foreach_step,
    "while": _while_step,
    "subworkflow": _subworkflow_step,
}
