"""Jobs: ``Job`` (one step of any type) and ``Subworkflow``; loops are in ``loops``.

Each builds the item of a ``jobs`` list of the YAML DSL; setters return the job, so they
chain: ``Job(id="load", type="NoOp").name("Load").param("day", 20240101)``.
"""

from __future__ import annotations

from typing import Any, TypeVar

from maestoso.sdk.params import Expr, param_key, param_value

J = TypeVar("J", bound="JobBase")


class JobBase:
    """What every job has: an id, optional fields, params and transitions."""

    _kind = "job"

    def __init__(self, id: str, **fields: Any) -> None:
        self.id = id
        self._fields: dict[str, Any] = {k: v for k, v in fields.items() if v is not None}
        self._params: dict[str, Any] = {}
        self._transitions: list[str] = []

    def _set(self: J, key: str, value: Any) -> J:
        self._fields[key] = value
        return self

    def name(self: J, name: str) -> J:
        return self._set("name", name)

    def description(self: J, description: str) -> J:
        return self._set("description", description)

    def failure_mode(self: J, mode: str) -> J:
        """``fail_after_running``, ``ignore_failure`` or ``fail_immediately``."""
        return self._set("failure_mode", mode.upper())

    def timeout(self: J, timeout: str | int) -> J:
        return self._set("timeout", timeout)

    def tags(self: J, *tags: str) -> J:
        return self._set("tags", list(tags))

    def param(
        self: J, name: str, value: Any, *, type: str | None = None, mode: str | None = None
    ) -> J:
        """A step param; ``value`` may be an ``Expr`` (SEL)."""
        self._params[param_key(name, value, type, mode)] = param_value(value)
        return self

    def params(self: J, **values: Any) -> J:
        for name, value in values.items():
            self.param(name, value)
        return self

    def transition(self: J, *targets: JobBase | str, when: str | Expr | None = None) -> J:
        """Run ``targets`` after this job, always or ``when`` a SEL condition holds."""
        condition = when.text if isinstance(when, Expr) else when
        for target in targets:
            target_id = target.id if isinstance(target, JobBase) else target
            self._transitions.append(f"IF {condition} THEN {target_id}" if condition else target_id)
        return self

    def otherwise(self: J, target: JobBase | str) -> J:
        """Run ``target`` when none of the conditional transitions before it held."""
        target_id = target.id if isinstance(target, JobBase) else target
        self._transitions.append(f"OTHERWISE {target_id}")
        return self

    def _body(self) -> dict[str, Any]:
        return {}

    def to_dict(self) -> dict[str, Any]:
        """The item of a DSL ``jobs`` list: ``{"job": {...}}`` (or foreach, while…)."""
        body: dict[str, Any] = {"id": self.id, **self._fields, **self._body(), **self._params}
        if self._transitions:
            body["transition"] = list(self._transitions)
        return {self._kind: body}


class Job(JobBase):
    """A step of ``type`` (``NoOp``, ``Sleep``, ``Shell``, ``Http``, ``Kubernetes``…)."""

    def __init__(self, id: str, type: str, **params: Any) -> None:
        super().__init__(id, type=type)
        self.params(**params)

    def type_version(self, version: str) -> Job:
        return self._set("type_version", version)


class Subworkflow(JobBase):
    """Runs another workflow (``workflow_id``, at ``version`` or its active one)."""

    _kind = "subworkflow"

    def __init__(
        self,
        id: str,
        workflow_id: str | None = None,
        version: str | int | None = None,
        sync: bool | None = None,
    ) -> None:
        super().__init__(id, workflow_id=workflow_id, version=version, sync=sync)

    def explicit_params(self, explicit: bool = True) -> Subworkflow:
        return self._set("explicit_params", explicit)
