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
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

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
class RunConfig:
    """Maestro's ``RunConfig``: how this run was started (a fresh run or a restart)."""

    policy: str | None = None
    correlation_id: str | None = None
    runtime_tags: list[Any] | None = None
    restart_config: JsonDict | None = None
    extras: JsonDict = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> RunConfig:
        data = dict(data or {})
        return cls(
            policy=data.pop("policy", None),
            correlation_id=data.pop("correlation_id", None),
            runtime_tags=data.pop("runtime_tags", None),
            restart_config=data.pop("restart_config", None),
            extras=data,
        )

    def to_json(self) -> JsonDict:
        body = {
            "policy": self.policy,
            "correlation_id": self.correlation_id,
            "runtime_tags": self.runtime_tags,
            "restart_config": self.restart_config,
        }
        return {**{k: v for k, v in body.items() if v is not None}, **self.extras}

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
class RunProperties:
    """The workflow properties a run keeps from its start (``run_properties``)."""

    owner: Any = None
    """A name, or a user object (``{"name": …, <auth info>}``)."""
    step_concurrency: int | None = None
    alerting: JsonDict | None = None
    """The workflow's ``alerting`` block, as JSON."""
    extras: JsonDict = field(default_factory=dict)
    """``create_time``, ``tags``: kept as they were."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> RunProperties:
        data = dict(data or {})
        return cls(
            owner=data.pop("owner", None),
            step_concurrency=data.pop("step_concurrency", None),
            alerting=data.pop("alerting", None),
            extras=data,
        )

    def to_json(self) -> JsonDict:
        body = {
            "owner": self.owner,
            "step_concurrency": self.step_concurrency,
            "alerting": self.alerting,
        }
        return {**{k: v for k, v in body.items() if v is not None}, **self.extras}

    @property
    def owner_name(self) -> Any:
        return self.owner.get("name") if isinstance(self.owner, dict) else self.owner


@dataclass(frozen=True, kw_only=True)
class RunRecord(_Params):
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

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> RunRecord:
        data = dict(document)
        return cls(
            internal_id=data.pop("internal_id", None),
            correlation_id=data.pop("correlation_id", None),
            group_info=data.pop("group_info", None),
            run_config=RunConfig.from_json(data.pop("run_config", None)),
            run_params=data.pop("run_params", None),
            run_properties=RunProperties.from_json(data.pop("run_properties", None)),
            runtime_workflow=data.pop("runtime_workflow", None) or {},
            runtime_dag=data.pop("runtime_dag", None),
            timeout_in_millis=data.pop("timeout_in_millis", None),
            instance_step_concurrency=data.pop("instance_step_concurrency", None),
            params_json=data.pop("params", None) or {},
            extras=data,
        )

    def to_json(self) -> JsonDict:
        """Maestro's JSON of these fields; absent ones are not written."""
        body = {
            "correlation_id": self.correlation_id,
            "group_info": self.group_info,
            "internal_id": self.internal_id,
            "run_config": self.run_config.to_json(),
            "run_params": self.run_params,
            "run_properties": self.run_properties.to_json(),
            "runtime_workflow": self.runtime_workflow,
            "runtime_dag": self.runtime_dag,
            "timeout_in_millis": self.timeout_in_millis,
            "instance_step_concurrency": self.instance_step_concurrency,
            "params": dict(self.params_json),
        }
        return {**{k: v for k, v in body.items() if v is not None}, **self.extras}

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
class StepRecord(_Params):
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

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> StepRecord:
        data = dict(document)
        known = {name: data.pop(name) for name in _STEP_FIELDS if name in data}
        return cls(params_json=data.pop("params", None), extras=data, **known)

    def to_json(self) -> JsonDict:
        """Maestro's JSON of these fields; absent ones are not written."""
        body = {name: getattr(self, name) for name in _STEP_FIELDS}
        body["params"] = None if self.params_json is None else dict(self.params_json)
        return {**{k: v for k, v in body.items() if v is not None}, **self.extras}


_STEP_FIELDS = tuple(
    name for name in StepRecord.__dataclass_fields__ if name not in ("params_json", "extras")
)
