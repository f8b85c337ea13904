"""Jobs that hold jobs: ``Foreach`` and ``While``, with the step shortcuts inside."""

from __future__ import annotations

from typing import Any, TypeVar

from maestoso.sdk.jobs import JobBase
from maestoso.sdk.params import Expr, param_key, param_value
from maestoso.sdk.shortcuts import Shortcuts

L = TypeVar("L", bound="JobList")


class JobList(JobBase, Shortcuts):
    """A job holding jobs (``Foreach`` and ``While``), with the step shortcuts."""

    def __init__(self, id: str, **fields: Any) -> None:
        super().__init__(id, **fields)
        self.jobs: list[JobBase] = []

    def job(self: L, *jobs: JobBase) -> L:
        self.jobs.extend(jobs)
        return self

    def _body(self) -> dict[str, Any]:
        return {"jobs": [job.to_dict() for job in self.jobs]}


class Foreach(JobList):
    """Runs its jobs once per combination of its loop params."""

    _kind = "foreach"

    def __init__(self, id: str, concurrency: int | None = None) -> None:
        super().__init__(id, concurrency=concurrency)
        self._loop: dict[str, Any] = {}

    def loop_param(
        self, name: str, values: list[Any] | Expr, *, type: str | None = None
    ) -> Foreach:
        self._loop[param_key(name, values, type)] = param_value(values)
        return self

    def range(self, name: str, to: int, *, start: int = 0, increment: int = 1) -> Foreach:
        """``name`` takes ``start``, ``start + increment``… up to ``to`` (excluded)."""
        ranges = self._fields.setdefault("ranges", {})
        ranges[name] = {"from": start, "to": to, "increment": increment}
        return self

    def concurrency(self, limit: int) -> Foreach:
        return self._set("concurrency", limit)

    def _body(self) -> dict[str, Any]:
        body = super()._body()
        if self._loop:
            body = {"loop_params": dict(self._loop), **body}
        return body


class While(JobList):
    """Runs its jobs again while ``condition`` (SEL) holds."""

    _kind = "while"

    def __init__(self, id: str, condition: str | Expr) -> None:
        text = condition.text if isinstance(condition, Expr) else condition
        super().__init__(id, condition=text)
        self._loop: dict[str, Any] = {}

    def loop_param(self, name: str, value: Any, *, type: str | None = None) -> While:
        self._loop[param_key(name, value, type)] = param_value(value)
        return self

    def _body(self) -> dict[str, Any]:
        body = super()._body()
        if self._loop:
            body = {"loop_params": dict(self._loop), **body}
        return body
