"""The rules a definition must keep beyond its JSON shape: graph, limits, required params.

Every rule runs and every error is collected, each naming its path
(``workflow.steps[2].step.transition.successors: unknown step [job.9]``).
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from croniter import croniter

from maestoso.dsl.dag import Dag
from maestoso.dsl.expressions import expression_problems
from maestoso.models import (
    CronTimeTrigger,
    ForeachStep,
    IntervalTimeTrigger,
    ParamDefinition,
    ParamType,
    PredefinedTimeTrigger,
    RetryPolicy,
    Step,
    StepBox,
    SubworkflowStep,
    TypedStep,
    WhileStep,
    Workflow,
    WorkflowCreateRequest,
    box_key,
    seconds_of,
    unbox,
)
from maestoso.models.properties import Properties
from maestoso.models.retry import RETRY_LIMIT_MAX, RETRY_WAIT_MAX_SECS, ExponentialBackoff
from maestoso.models.steps import StepType
from maestoso.models.triggers import PREDEFINED_CRONS
from maestoso.models.workflow import DEPTH_LIMIT, STEP_LIMIT, TIMEOUT_MAX_SECS
from maestoso.params.references import unknown_references

RESERVED_PARAM_NAMES = frozenset(
    {
        "maestro", "Maestro", "MAESTRO", "util", "Util", "UTIL", "params", "Params", "PARAMS",
        "AUTH_BLOB", "AUTH_DATA", "AUTH_ACTING_ON_BEHALF_OF_BLOB",
        "AUTH_TRIGGERING_ON_BEHALF_OF_BLOB", "AUTHORIZED_MANAGERS",
    }
)  # fmt: skip
RESERVED_PARAM_PREFIXES = ("scheduler", "maestro_")
SIGNAL_TRIGGER_NAME_LIMIT = 8
MIN_TRIGGER_INTERVAL_SECS = 120
_CRON_BASE = datetime(2026, 1, 5, tzinfo=UTC)  # any fixed time; a Monday at midnight
# Params whose presence a step type needs: (step type, param, key inside that map param).
REQUIRED_TYPED_PARAMS = {
    StepType.KUBERNETES: ("kubernetes", "image"),
    StepType.HTTP: ("http", "url"),
    StepType.NOTEBOOK: ("notebook", "input_path"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidationSettings:
    """Deployment-specific rules."""

    pagerduty_services: frozenset[str] = frozenset()
    """PagerDuty services alerts may name; with none configured, none can be paged."""
    plugin_step_types: frozenset[str] = frozenset()
    """The step types installed plugins provide beside the built-in ones."""


@dataclass
class _Errors:
    items: list[str] = field(default_factory=list)

    def add(self, path: str, message: str) -> None:
        self.items.append(f"{path}: {message}")


def validate_request(
    request: WorkflowCreateRequest, settings: ValidationSettings | None = None
) -> list[str]:
    """Every rule broken by ``request``; an empty list when it is valid."""
    errors = _Errors()
    settings = settings or ValidationSettings()
    if request.properties is not None:
        _check_properties(request.properties, settings, errors)
    _check_workflow(request.workflow, errors)
    _check_step_types("workflow.steps", request.workflow.steps, settings, errors)
    return errors.items


def _check_properties(props: Properties, settings: ValidationSettings, errors: _Errors) -> None:
    if props.tags is not None:
        errors.add("properties.tags", "tags cannot be set here; use the properties tag endpoints")
    if props.alerting is not None:
        services = list(props.alerting.pagerduties or ())
        for config in (props.alerting.type_configs or {}).values():
            services.extend(config.pagerduties or ())
        for service in services:
            if service not in settings.pagerduty_services:
                errors.add(
                    "properties.alerting.pagerduties",
                    f"unknown PagerDuty service [{service}]; the services that can be paged are "
                    f"{sorted(settings.pagerduty_services)} (MAESTOSO_PAGERDUTY_SERVICES)",
                )


def _check_workflow(workflow: Workflow, errors: _Errors) -> None:
    _check_timeout("workflow.timeout", workflow.timeout, errors)
    _check_param_names("workflow.params", workflow.params, errors)
    _check_time_triggers(workflow, errors)
    for index, trigger in enumerate(workflow.signal_triggers or ()):
        path = f"workflow.signal_triggers[{index}]"
        if len(trigger.definitions) > SIGNAL_TRIGGER_NAME_LIMIT:
            errors.add(path, f"a trigger may join at most {SIGNAL_TRIGGER_NAME_LIMIT} signals")
        sizes = {len(entry.join_keys or ()) for entry in trigger.definitions.values()}
        if len(sizes) > 1:
            errors.add(f"{path}.definitions", "join_keys must have the same size in every signal")
    total = sum(1 for _ in workflow.all_steps())
    if total > STEP_LIMIT:
        errors.add("workflow.steps", f"has {total} steps; at most {STEP_LIMIT} are allowed")
    _check_level("workflow.steps", workflow.steps, 1, set(), errors)
    errors.items.extend(expression_problems(workflow))
    errors.items.extend(unknown_references(workflow))


def _check_step_types(
    path: str, boxes: list[StepBox], settings: ValidationSettings, errors: _Errors
) -> None:
    """A step type that is neither built in nor provided by a plugin could never run."""
    for index, box in enumerate(boxes):
        step, step_path = unbox(box), f"{path}[{index}].{box_key(box)}"
        kind = step.kind
        if not isinstance(kind, StepType) and kind not in settings.plugin_step_types:
            provided = sorted(settings.plugin_step_types)
            errors.add(
                f"{step_path}.type",
                f"unknown step type [{kind}]: not a built-in step type, and no installed "
                f"plugin provides it (plugin step types: {provided or 'none installed'})",
            )
        _check_step_types(f"{step_path}.steps", step.children, settings, errors)


def _check_level(
    path: str, boxes: list[StepBox], depth: int, seen: set[str], errors: _Errors
) -> None:
    if depth > DEPTH_LIMIT:
        errors.add(path, f"steps are nested deeper than {DEPTH_LIMIT} levels")
        return
    steps = [unbox(box) for box in boxes]
    edges: dict[str, list[str]] = {}
    for index, (box, step) in enumerate(zip(boxes, steps, strict=True)):
        step_path = f"{path}[{index}].{box_key(box)}"
        if step.id in seen:
            errors.add(f"{step_path}.id", f"duplicate step id [{step.id}]")
        seen.add(step.id)
        edges.setdefault(step.id, list(step.successors))
        _check_step(step_path, step, errors)
        if step.children:
            _check_level(f"{step_path}.steps", step.children, depth + 1, seen, errors)
    ids = {step.id for step in steps}
    for index, (box, step) in enumerate(zip(boxes, steps, strict=True)):
        unknown = [s for s in step.successors if s not in ids]
        if unknown:
            where = f"{path}[{index}].{box_key(box)}.transition.successors"
            errors.add(where, f"unknown step {_ids(unknown)}")
    dag = Dag.build(edges)
    _check_predecessors(path, boxes, steps, dag, errors)
    cycle = dag.find_cycle()
    if cycle is not None:
        errors.add(path, f"the steps [{' -> '.join(cycle)}] form a cycle")


def _check_predecessors(
    path: str, boxes: list[StepBox], steps: list[Step], dag: Dag, errors: _Errors
) -> None:
    for index, (box, step) in enumerate(zip(boxes, steps, strict=True)):
        given = step.transition.predecessors
        if given is not None and sorted(given) != sorted(dag.predecessors.get(step.id, ())):
            errors.add(
                f"{path}[{index}].{box_key(box)}.transition.predecessors",
                f"{_ids(given)} do not match the steps leading here "
                f"{_ids(dag.predecessors.get(step.id, ()))}",
            )


def _check_step(path: str, step: Step, errors: _Errors) -> None:
    _check_timeout(f"{path}.timeout", step.timeout, errors)
    _check_param_names(f"{path}.params", step.params, errors)
    params = step.params or {}
    if isinstance(step, TypedStep):
        _check_typed_step(path, step, errors)
    elif isinstance(step, ForeachStep):
        loop = params.get("loop_params")
        if loop is None or loop.type is not ParamType.MAP or not loop.value:
            errors.add(f"{path}.params.loop_params", "a foreach step needs a non-empty MAP param")
        if "loop_index" in params:
            errors.add(f"{path}.params.loop_index", "is reserved for the iteration index")
    elif isinstance(step, WhileStep):
        loop = params.get("loop_params")
        if loop is not None and loop.type is not ParamType.MAP:
            errors.add(f"{path}.params.loop_params", "must be a MAP param")
        for reserved in ("loop_index", "condition"):
            if reserved in params:
                errors.add(f"{path}.params.{reserved}", "is reserved in a while step")
    elif isinstance(step, SubworkflowStep):
        if "subworkflow_id" not in params:
            errors.add(f"{path}.params.subworkflow_id", "a subworkflow step needs this param")


def _check_typed_step(path: str, step: TypedStep, errors: _Errors) -> None:
    if step.retry_policy is not None:
        _check_retry(f"{path}.retry_policy", step.retry_policy, errors)
    params = step.params or {}
    if step.type is StepType.SLEEP and "sleep_seconds" in params:
        if params["sleep_seconds"].type not in (ParamType.LONG, ParamType.STRING):
            errors.add(f"{path}.params.sleep_seconds", "must be a LONG param")
    required = REQUIRED_TYPED_PARAMS.get(step.type) if isinstance(step.type, StepType) else None
    # A step with a sub_type takes its params from a job template, checked when it runs.
    if required is None or step.sub_type is not None:
        return
    name, key = required
    param = params.get(name)
    if param is None:
        errors.add(f"{path}.params.{name}", f"a {step.type} step needs this MAP param")
    elif param.type is ParamType.MAP and isinstance(param.value, dict):
        if key not in param.value:
            errors.add(f"{path}.params.{name}.value.{key}", "is required")
    elif param.type is not ParamType.MAP:
        errors.add(f"{path}.params.{name}.type", "must be MAP")


def _check_retry(path: str, policy: RetryPolicy, errors: _Errors) -> None:
    for name in ("error_retry_limit", "platform_retry_limit", "timeout_retry_limit"):
        value = _number(getattr(policy, name))
        if value is not None and value > RETRY_LIMIT_MAX:
            errors.add(f"{path}.{name}", f"must be at most {RETRY_LIMIT_MAX}")
    backoff = policy.backoff
    if backoff is None:
        return
    names = [n for n in type(backoff).model_fields if n.endswith("_in_secs")]
    for name in names:
        seconds = _seconds(getattr(backoff, name))
        if seconds is not None and seconds > RETRY_WAIT_MAX_SECS:
            errors.add(f"{path}.backoff.{name}", f"must be at most {RETRY_WAIT_MAX_SECS} (1 day)")
    if isinstance(backoff, ExponentialBackoff):
        for name in ("error_retry_exponent", "platform_retry_exponent", "timeout_retry_exponent"):
            value = _number(getattr(backoff, name))
            if value is not None and value < 1:
                errors.add(f"{path}.backoff.{name}", "must be at least 1")


def _number(value: int | str | None) -> int | None:
    """A ParsableLong's number, written as a number or a numeric string; None for a $param."""
    if isinstance(value, str):
        return int(value) if value.strip().isdigit() else None
    return value


def _seconds(value: int | str | None) -> int | None:
    return None if value is None else seconds_of(value)


def _check_timeout(path: str, value: int | str | None, errors: _Errors) -> None:
    seconds = _seconds(value)
    if seconds is None:
        return
    if seconds <= 0:
        errors.add(path, "must be greater than 0")
    elif seconds > TIMEOUT_MAX_SECS:
        errors.add(path, f"must be at most {TIMEOUT_MAX_SECS} seconds (120 days)")


def _check_param_names(
    path: str, params: dict[str, ParamDefinition] | None, errors: _Errors
) -> None:
    for name in params or {}:
        if (problem := param_name_problem(name)) is not None:
            errors.add(f"{path}.{name}", problem)


def param_name_problem(name: str) -> str | None:
    """What is wrong with a param's name, if anything."""
    if name in RESERVED_PARAM_NAMES or name.startswith(RESERVED_PARAM_PREFIXES):
        return f"[{name}] is a reserved param name"
    if not name or not (name[0].isalpha() or name[0] == "_"):
        return f"param name [{name}] must start with a letter or _"
    if "__" in name:
        return f"param name [{name}] must not contain __"
    return None


def _check_time_triggers(workflow: Workflow, errors: _Errors) -> None:
    for index, trigger in enumerate(workflow.time_triggers or ()):
        path = f"workflow.time_triggers[{index}]"
        if trigger.timezone is not None and not _is_zone(trigger.timezone):
            errors.add(f"{path}.timezone", f"unknown time zone [{trigger.timezone}]")
        if isinstance(trigger, CronTimeTrigger):
            problem = cron_problem(trigger.cron)
            if problem:
                errors.add(f"{path}.cron", problem)
        elif isinstance(trigger, PredefinedTimeTrigger):
            if trigger.expression.lower() not in PREDEFINED_CRONS:
                errors.add(
                    f"{path}.expression",
                    f"[{trigger.expression}] is not one of {sorted(PREDEFINED_CRONS)}",
                )
        elif isinstance(trigger, IntervalTimeTrigger):
            _check_timeout(f"{path}.interval", trigger.interval, errors)
            seconds = _seconds(trigger.interval)
            if seconds is not None and 0 < seconds < MIN_TRIGGER_INTERVAL_SECS:
                errors.add(
                    f"{path}.interval",
                    f"must be at least {MIN_TRIGGER_INTERVAL_SECS} seconds between firings",
                )


def cron_problem(expression: str) -> str | None:
    """Why a cron expression is invalid (5-field Unix, or 6/7-field Quartz), or None."""
    fields = expression.split()
    candidate: str | None = expression
    if len(fields) in (6, 7):
        if fields[0] == "*":
            return (
                f"[{expression}] fires every second; the minimum interval between firings is "
                f"{MIN_TRIGGER_INTERVAL_SECS} seconds"
            )
        candidate = quartz_to_unix(fields)
        if candidate is None:
            return f"[{expression}] is not a valid Quartz cron expression"
    elif len(fields) != 5:
        return f"[{expression}] must have 5 (Unix) or 6-7 (Quartz) fields"
    if not croniter.is_valid(candidate):
        return f"[{expression}] is not a valid cron expression"
    times = croniter(candidate, _CRON_BASE)
    first, second = times.get_next(float), times.get_next(float)
    if second - first < MIN_TRIGGER_INTERVAL_SECS:
        return (
            f"[{expression}] fires every {int(second - first)} seconds; the minimum interval "
            f"between firings is {MIN_TRIGGER_INTERVAL_SECS} seconds"
        )
    return None


def quartz_to_unix(fields: list[str]) -> str | None:
    """The 5-field equivalent of a Quartz expression whose seconds and year are wildcards or 0.

    Quartz puts seconds first and may end with a year; ``?`` means "no specific value".
    """
    seconds, minute, hour, day, month, weekday = fields[:6]
    if seconds not in ("0", "*") or (len(fields) == 7 and fields[6] not in ("*", "?")):
        return None
    if day == "?" and weekday == "?":
        return None
    day = "*" if day == "?" else day
    weekday = "*" if weekday == "?" else _quartz_weekday(weekday)
    return " ".join((minute, hour, day, month, weekday))


def _quartz_weekday(value: str) -> str:
    # Quartz numbers weekdays 1-7 from Sunday, Unix cron 0-6; only the weekday numbers shift,
    # not the n of "n-th weekday" (#) nor the increment of a step (/).
    parts = []
    for part in value.split(","):
        head, sep, tail = re.match(r"([^#/]*)([#/]?)(.*)", part).groups()  # type: ignore[union-attr]
        parts.append(re.sub(r"\d+", lambda m: str(int(m.group()) - 1), head) + sep + tail)
    return ",".join(parts)


def _is_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _ids(ids: Iterable[str]) -> str:
    return "[" + ", ".join(ids) + "]"
