"""Typed readings of the JSON documents of a run and of a step attempt.

The store keeps Maestro's ``WorkflowInstance`` and ``StepInstance`` fields that are not
columns as one JSON document each (``InstanceRow.document``, ``StepAttemptRow.document``): the
API returns them as they are. The engine reads them through these records instead, decoded
once per row (``InstanceRow.record``, ``StepAttemptRow.record``), and writes a new run's
document with ``RunRecord.to_json``, the one place that knows its field names.

Keys the engine does not read (``aggregated_info`` …) are kept in ``extras`` and written back
untouched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import TYPE_CHECKING, Any, Self, get_type_hints

from maestoso.params import Parameter

JsonDict = dict[str, Any]

FRESH_RUN = "START_FRESH_NEW_RUN"
"""The run policy of a run that is not a restart."""
_FRESH_POLICIES = frozenset({None, FRESH_RUN, "START_CUSTOMIZED_RUN"})


def decode_params(stored: Mapping[str, Mapping[str, Any]] | None) -> dict[str, Parameter]:
    """Evaluated params as stored (JSON) → ``Parameter`` values."""
    return {name: Parameter.from_json(name, data) for name, data in (stored or {}).items()}


def results_of(stored: Mapping[str, Mapping[str, Any]] | None) -> dict[str, Any]:
    """Evaluated params as stored → name → evaluated result."""
    return {name: param.get("evaluated_result") for name, param in (stored or {}).items()}


class _JsonRecord:
    """A record of JSON keys: each field is the key of its name (``params_json`` is
    ``params``), a field that is itself a record is decoded as one, and the keys no field
    names are kept in ``extras``. None is absent: a null reads as the field's default, and a
    field left None is not written."""

    extras: JsonDict

    if TYPE_CHECKING:

        def __init__(self, **values: Any) -> None: ...

    @classmethod
    def from_json(cls, document: Mapping[str, Any] | None) -> Self:
        data = dict(document or {})
        known: dict[str, Any] = {}
        for name, key, record in _fields_of(cls):
            value = data.pop(key, None)
            if value is not None:  # a null is read as absent: the field's default
                known[name] = value if record is None else record.from_json(value)
        return cls(extras=data, **known)

    def to_json(self) -> JsonDict:
        """Maestro's JSON of these fields, then the extras."""
        body: JsonDict = {}
        for name, key, record in _fields_of(type(self)):
            value = getattr(self, name)
            if value is not None:
                body[key] = value if record is None else value.to_json()
        body.update(self.extras)
        return body


_KEYS = {"params_json": "params"}


def _record_type(hint: Any) -> Any:
    return hint if isinstance(hint, type) and issubclass(hint, _JsonRecord) else None


_FIELDS: dict[type[Any], tuple[tuple[str, str, Any], ...]] = {}


def _fields_of(cls: type[Any]) -> tuple[tuple[str, str, Any], ...]:
    """(field, JSON key, record type or None) of every field of ``cls`` but ``extras``."""
    found = _FIELDS.get(cls)
    if found is None:
        hints = get_type_hints(cls)
        found = _FIELDS[cls] = tuple(
            (f.name, _KEYS.get(f.name, f.name), _record_type(hints[f.name]))
            for f in fields(cls)
            if f.name != "extras"
        )
    return found


class _Params:
    """The evaluated params of a record: kept as stored, decoded on first use, once."""

    params_json: Mapping[str, Mapping[str, Any]] | None

    @cached_property
    def params(self) -> dict[str, Parameter]:
        return decode_params(self.params_json)

    @cached_property
    def results(self) -> dict[str, Any]:
        """Name → evaluated result: what SEL expressions see of these params."""
        return results_of(self.params_json)

    def result(self, name: str) -> Any:
        return ((self.params_json or {}).get(name) or {}).get("evaluated_result")


@dataclass(frozen=True, kw_only=True)
class RunConfig(_JsonRecord):
    """Maestro's ``RunConfig``: how this run was started (a fresh run or a restart)."""

    policy: str | None = None
    correlation_id: str | None = None
    runtime_tags: list[Any] | None = None
    restart_config: JsonDict | None = None
    extras: JsonDict = field(default_factory=dict)

    @property
    def is_fresh(self) -> bool:
        """A run started anew, not a restart that carries a step's restart params."""
        return self.policy in _FRESH_POLICIES

    def step_restart_params(self, step_id: str) -> Mapping[str, Any] | None:
        """The ``step_run_params`` a restart that made this run gave ``step_id``."""
        if self.is_fresh:
            return None
        restart = self.restart_config or {}
        return (restart.get("step_restart_params") or {}).get(step_id) or None


@dataclass(frozen=True, kw_only=True)
class RunProperties(_JsonRecord):
    """The workflow properties a run keeps from its start (``run_properties``)."""

    owner: Any = None
    """A name, or a user object (``{"name": …, <auth info>}``)."""
    step_concurrency: int | None = None
    alerting: JsonDict | None = None
    """The workflow's ``alerting`` block, as JSON."""
    extras: JsonDict = field(default_factory=dict)
    """``create_time``, ``tags``: kept as they were."""

    @property
    def owner_name(self) -> Any:
        return self.owner.get("name") if isinstance(self.owner, dict) else self.owner


@dataclass(frozen=True, kw_only=True)
class RunRecord(_Params, _JsonRecord):
    """The document of a run (``InstanceRow.document``), typed."""

    internal_id: int | None = None
    correlation_id: str | None = None
    group_info: int | None = None
    run_config: RunConfig = field(default_factory=RunConfig)
    run_params: JsonDict | None = None
    run_properties: RunProperties = field(default_factory=RunProperties)
    runtime_workflow: JsonDict = field(default_factory=dict)
    """The definition this run executes, in Maestro's JSON."""
    runtime_dag: Mapping[str, JsonDict] | None = None
    """The steps this run executes, each with its edges; None: every step of the definition."""
    timeout_in_millis: int | None = None
    instance_step_concurrency: int | None = None
    params_json: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    extras: JsonDict = field(default_factory=dict)

    @property
    def step_ids(self) -> list[str]:
        """The ids of the steps this run executes, in its DAG's order (none when unknown)."""
        return list(self.runtime_dag or {})

    @property
    def definition_step_concurrency(self) -> int | None:
        """The step concurrency the run was given, or its definition's."""
        value = self.instance_step_concurrency or self.runtime_workflow.get(
            "instance_step_concurrency"
        )
        return value if isinstance(value, int) and value > 0 else None


@dataclass(frozen=True, kw_only=True)
class StepRecord(_Params, _JsonRecord):
    """The document of a step attempt (``StepAttemptRow.document``), typed: what every
    attempt of a step records of its run and definition, then what the attempt adds."""

    workflow_uuid: str | None = None
    correlation_id: str | None = None
    step_instance_id: int | None = None
    """The step's ordinal in its workflow."""
    workflow_version_id: int | None = None
    group_info: int | None = None
    owner: Any = None
    definition: JsonDict | None = None
    """The step's definition, boxed by its kind (``{"step": {…}}``…)."""
    tags: list[Any] | None = None
    transition: JsonDict | None = None
    step_run_params: JsonDict | None = None
    """The params a user's restart gave this attempt."""
    params_json: Mapping[str, Mapping[str, Any]] | None = None
    signal_dependencies: JsonDict | None = None
    signal_outputs: JsonDict | None = None
    retry_at: int | None = None
    """When a retry of this attempt is due (epoch ms)."""
    step_retry: JsonDict | None = None
    timeout_in_millis: int | None = None
    extras: JsonDict = field(default_factory=dict)
