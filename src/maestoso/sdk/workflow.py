"""``Workflow``: a definition built in Python, written as Maestro's YAML DSL."""

from __future__ import annotations

from typing import Any

import yaml

from maestoso.dsl.native_steps import with_native_steps
from maestoso.dsl.yaml_dsl import parse_workflow_yaml
from maestoso.sdk.jobs import JobBase
from maestoso.sdk.params import param_key, param_value
from maestoso.sdk.shortcuts import Shortcuts


class Workflow(Shortcuts):
    """A workflow: its fields, params and jobs. Setters return the workflow, so they chain::

    wf = Workflow("etl", owner="alice").tags("daily").param("day", 20240101)
    """

    def __init__(
        self,
        id: str,
        *,
        owner: str | None = None,
        name: str | None = None,
        description: str | None = None,
        tags: list[str] | None = None,
        run_strategy: str | None = None,
        workflow_concurrency: int | None = None,
        timeout: str | int | None = None,
        criticality: str | None = None,
    ) -> None:
        self.id = id
        fields = {
            "name": name,
            "description": description,
            "owner": owner,
            "run_strategy": run_strategy,
            "workflow_concurrency": workflow_concurrency,
            "timeout": timeout,
            "criticality": criticality,
            "tags": tags,
        }
        self._fields: dict[str, Any] = {k: v for k, v in fields.items() if v is not None}
        self._params: dict[str, Any] = {}
        self.jobs: list[JobBase] = []

    def _set(self, key: str, value: Any) -> Workflow:
        self._fields[key] = value
        return self

    def owner(self, owner: str) -> Workflow:
        return self._set("owner", owner)

    def name(self, name: str) -> Workflow:
        return self._set("name", name)

    def description(self, description: str) -> Workflow:
        return self._set("description", description)

    def tags(self, *tags: str) -> Workflow:
        return self._set("tags", list(tags))

    def run_strategy(self, rule: str, concurrency: int | None = None) -> Workflow:
        """``sequential``, ``strict_sequential``, ``first_only``, ``last_only``, ``parallel``."""
        self._set("run_strategy", rule)
        return self if concurrency is None else self._set("workflow_concurrency", concurrency)

    def timeout(self, timeout: str | int) -> Workflow:
        return self._set("timeout", timeout)

    def criticality(self, criticality: str) -> Workflow:
        return self._set("criticality", criticality)

    def param(
        self, name: str, value: Any, *, type: str | None = None, mode: str | None = None
    ) -> Workflow:
        """A workflow param; ``value`` may be an ``Expr`` (SEL)."""
        self._params[param_key(name, value, type, mode)] = param_value(value)
        return self

    def job(self, *jobs: JobBase) -> Workflow:
        self.jobs.extend(jobs)
        return self

    def to_dict(self) -> dict[str, Any]:
        """The YAML DSL document as data: ``{"Workflow": {...}}``."""
        body = {"id": self.id, **self._fields, **self._params}
        body["jobs"] = [job.to_dict() for job in self.jobs]
        return {"Workflow": body}

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)

    def to_request(self) -> dict[str, Any]:
        """Maestro's JSON create request; raises ``ValidationError`` for a DSL problem."""
        return with_native_steps(parse_workflow_yaml(self.to_yaml()))
