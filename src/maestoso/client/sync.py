"""``Client``: the REST API from Python, blocking (httpx)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from functools import partial
from types import TracebackType
from typing import Any

import httpx

from maestoso.client import calls
from maestoso.client.connection import DEFAULT_TIMEOUT, Connection, decoded, transport_error
from maestoso.client.errors import ClientError, ErrorBody
from maestoso.client.job_types import server_resolver
from maestoso.client.models import (
    InstanceSummary,
    Page,
    StartResponse,
    StepAttempt,
    WorkflowDefinition,
    WorkflowInstance,
    WorkflowSummary,
)
from maestoso.client.run_params import typed_params
from maestoso.client.sources import Source, request_json
from maestoso.client.waiting import start_body, timed_out


class Client:
    """A Maestoso (or Maestro) server. ``url``, ``user`` and ``token`` default to
    ``MAESTOSO_SERVER`` (else http://127.0.0.1:8080), ``MAESTOSO_USER`` (else ``$USER``) and
    ``MAESTOSO_TOKEN``. Every failure raises ``ClientError``."""

    def __init__(
        self,
        url: str | None = None,
        *,
        user: str | None = None,
        token: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.connection = Connection.resolve(url, user, token)
        self._http = httpx.Client(
            base_url=self.connection.url,
            headers=self.connection.headers,
            timeout=timeout,
            transport=transport,
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def call(self, call: calls.Call) -> Any:
        """Send one call; its JSON (or text) answer."""
        try:
            response = self._http.request(call.method, call.path, params=call.query, json=call.json)
        except httpx.TransportError as error:
            raise transport_error(self.connection.url, error) from None
        return decoded(response)

    # definitions

    def push(self, definition: Source) -> WorkflowDefinition:
        """Store a new version of a workflow; ``definition`` as ``sources.create_request``."""
        answer = self.call(calls.push(request_json(definition, partial(server_resolver, self))))
        return WorkflowDefinition.model_validate(answer["workflow_definition"])

    def validate(self, definition: Source) -> None:
        self.call(calls.validate(request_json(definition, partial(server_resolver, self))))

    def definition(self, workflow_id: str, version: str = "latest") -> WorkflowDefinition:
        return WorkflowDefinition.model_validate(self.call(calls.definition(workflow_id, version)))

    def list_workflows(
        self,
        *,
        q: str | None = None,
        owner: str | None = None,
        tag: str | None = None,
        first: int | None = None,
        cursor: str | None = None,
    ) -> Page[WorkflowSummary]:
        call = calls.list_workflows(q=q, owner=owner, tag=tag, first=first, cursor=cursor)
        return Page[WorkflowSummary].model_validate(self.call(call))

    def deactivate(self, workflow_id: str) -> Any:
        return self.call(calls.deactivate(workflow_id))

    # runs

    def list_instances(
        self,
        workflow_id: str | None = None,
        *,
        status: str | None = None,
        first: int | None = None,
        cursor: str | None = None,
    ) -> Page[InstanceSummary]:
        call = calls.list_instances(
            workflow_id=workflow_id, status=status, first=first, cursor=cursor
        )
        return Page[InstanceSummary].model_validate(self.call(call))

    def start(
        self,
        workflow_id: str,
        params: dict[str, Any] | None = None,
        *,
        version: str = "latest",
        request_id: str | None = None,
    ) -> StartResponse:
        """Start an instance; plain ``params`` get the types the definition declares."""
        run_params = None
        if params:
            declared = self.definition(workflow_id, version).workflow.get("params") or {}
            run_params = typed_params(params, declared)
        body = start_body(self.connection.user, run_params, request_id)
        return StartResponse.model_validate(self.call(calls.start(workflow_id, version, body)))

    def instance(
        self, workflow_id: str, instance_id: int, run_id: int | None = None
    ) -> WorkflowInstance:
        answer = self.call(calls.run(workflow_id, instance_id, run_id))
        return WorkflowInstance.model_validate(answer)

    def steps(
        self, workflow_id: str, instance_id: int, run_id: int | None = None
    ) -> list[StepAttempt]:
        answer = self.call(calls.steps(workflow_id, instance_id, run_id))
        return [StepAttempt.model_validate(step) for step in answer]

    def wait(
        self,
        workflow_id: str,
        instance_id: int,
        *,
        timeout: float | None = None,
        interval: float = 0.5,
    ) -> WorkflowInstance:
        """The instance's latest run once it ended; ``ClientError`` (``TIMEOUT``) after
        ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            instance = self.instance(workflow_id, instance_id)
            if instance.status.is_terminal:
                return instance
            if deadline is not None and time.monotonic() >= deadline:
                raise timed_out(instance, timeout)
            time.sleep(interval)

    def logs(
        self,
        workflow_id: str,
        instance_id: int,
        step_id: str,
        *,
        run_id: int | None = None,
        attempt: int | None = None,
        stream: str = "stdout",
        tail: int | None = None,
    ) -> str:
        call = calls.logs(
            workflow_id,
            instance_id,
            step_id,
            run_id=run_id,
            attempt=attempt,
            stream=stream,
            tail=tail,
        )
        return str(self.call(call))

    def follow_logs(
        self,
        workflow_id: str,
        instance_id: int,
        step_id: str,
        *,
        run_id: int | None = None,
        attempt: int | None = None,
        stream: str = "stdout",
    ) -> Iterator[str]:
        """The log as it is written, until the attempt ends."""
        call = calls.logs(
            workflow_id,
            instance_id,
            step_id,
            run_id=run_id,
            attempt=attempt,
            stream=stream,
            follow=True,
        )
        try:
            with self._http.stream("GET", call.path, params=call.query, timeout=None) as answer:
                if not answer.is_success:
                    answer.read()
                    decoded(answer)
                yield from answer.iter_text()
        except httpx.TransportError as error:
            raise transport_error(self.connection.url, error) from None

    # actions

    def stop(self, workflow_id: str, instance_id: int | None = None) -> Any:
        """Stop one instance, or every unfinished instance of the workflow."""
        return self.call(calls.terminate(workflow_id, instance_id, "stop"))

    def kill(self, workflow_id: str, instance_id: int | None = None) -> Any:
        return self.call(calls.terminate(workflow_id, instance_id, "kill"))

    def unblock(self, workflow_id: str, instance_id: int | None = None) -> Any:
        return self.call(calls.terminate(workflow_id, instance_id, "unblock"))

    def restart(
        self,
        workflow_id: str,
        instance_id: int,
        *,
        from_step: str | None = None,
        from_beginning: bool = False,
    ) -> Any:
        """A new run of the instance: from its incomplete steps, its beginning, or a step."""
        if from_step is not None:
            return self.call(calls.restart_step(workflow_id, instance_id, from_step))
        return self.call(calls.restart(workflow_id, instance_id, from_beginning))

    def step_action(self, workflow_id: str, instance_id: int, step_id: str, action: str) -> Any:
        """``action``: ``stop``, ``kill``, ``skip`` or ``bypass``."""
        return self.call(calls.step_action(workflow_id, instance_id, step_id, action))

    def signal(self, name: str, params: dict[str, Any] | None = None) -> Any:
        return self.call(calls.signal(name, params or {}))

    def backfill(
        self, workflow_id: str, start_ms: int, end_ms: int, *, dry_run: bool = False
    ) -> Any:
        return self.call(calls.backfill(workflow_id, start_ms, end_ms, dry_run))

    def plugins(self) -> Any:
        """The server's installed plugins by group (``step_types``, ``signal_sources``,
        ``notifiers``), each with its load error if any."""
        return self.call(calls.plugins())


__all__ = ["Client", "ClientError", "ErrorBody"]
