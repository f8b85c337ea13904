"""Shortcuts for this server's step types, on anything that holds jobs.

Each adds a job and returns it, so the next one can run ``after`` it::

    extract = wf.shell("extract", "echo hi")
    wf.shell("load", "echo loaded", after=extract)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from maestoso.sdk.jobs import Job, JobBase
from maestoso.sdk.params import Expr

After = JobBase | Sequence[JobBase] | None


class Shortcuts:
    jobs: list[JobBase]

    def add(self, job: JobBase, *, after: After = None, when: str | Expr | None = None) -> Any:
        """Add ``job``, run after each job of ``after`` (``when`` a SEL condition holds)."""
        predecessors = [after] if isinstance(after, JobBase) else list(after or [])
        for predecessor in predecessors:
            predecessor.transition(job, when=when)
        self.jobs.append(job)
        return job

    def noop(self, id: str, *, after: After = None, when: str | Expr | None = None) -> Job:
        job: Job = self.add(Job(id, "NoOp"), after=after, when=when)
        return job

    def sleep(
        self, id: str, seconds: int | Expr, *, after: After = None, when: str | Expr | None = None
    ) -> Job:
        job = Job(id, "Sleep").param("sleep_seconds", seconds, type="long")
        added: Job = self.add(job, after=after, when=when)
        return added

    def shell(
        self,
        id: str,
        command: str | list[str],
        *,
        env: dict[str, str] | None = None,
        working_dir: str | None = None,
        after: After = None,
        when: str | Expr | None = None,
    ) -> Job:
        """A ``Shell`` step: ``command`` run by ``sh -c`` (a list runs as it is)."""
        job = Job(id, "Shell").param("command", command)
        if env:
            job.param("env", env, type="map")
        if working_dir:
            job.param("working_dir", working_dir)
        added: Job = self.add(job, after=after, when=when)
        return added

    def python(
        self,
        id: str,
        entrypoint: str,
        *,
        params: Mapping[str, Any] | None = None,
        working_dir: str | None = None,
        env: dict[str, str] | None = None,
        interpreter: str | None = None,
        after: After = None,
        when: str | Expr | None = None,
    ) -> Job:
        """A ``Python`` step: the function ``entrypoint`` (``package.module:function``)
        called with ``params`` as keyword arguments; the dict it returns becomes the step's
        output params. ``working_dir`` is first on its ``sys.path``; ``interpreter``
        defaults to the server's Python."""
        job = Job(id, "Python").param("entrypoint", entrypoint)
        for key, value in {"working_dir": working_dir, "interpreter": interpreter}.items():
            if value:
                job.param(key, value)
        if env:
            job.param("env", env, type="map")
        job.params(**(params or {}))
        added: Job = self.add(job, after=after, when=when)
        return added

    def http(
        self,
        id: str,
        url: str,
        *,
        method: str = "GET",
        body: str | None = None,
        headers: dict[str, str] | None = None,
        after: After = None,
        when: str | Expr | None = None,
    ) -> Job:
        """An ``Http`` step: one request, whose answer the step keeps."""
        request: dict[str, Any] = {"url": url, "method": method}
        if body is not None:
            request["body"] = body
        if headers:
            request["headers"] = headers
        job = Job(id, "Http").param("http", request, type="pmap")
        added: Job = self.add(job, after=after, when=when)
        return added
