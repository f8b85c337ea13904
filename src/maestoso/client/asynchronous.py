"""``AsyncClient``: the REST API from asyncio code (httpx); the same methods as ``Client``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any

import httpx

from maestoso.client import calls
from maestoso.client.connection import DEFAULT_TIMEOUT, Connection, decoded, transport_error
from maestoso.client.errors import ClientError, ErrorBody
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


class AsyncClient:
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
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.connection = Connection.resolve(url, user, token)
        self._http = httpx.AsyncClient(
            base_url=self.connection.url,
            headers=self.connection.headers,
            timeout=timeout,
            transport=transport,
        )

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        await self._http.aclose()

    async def call(self, call: calls.Call) -> Any:
        """Send one call; its JSON (or text) answer."""
        try:
            response = await self._http.request(
                call.method, call.path, params=call.query, json=call.json
            )
        except httpx.TransportError as error:
            raise transport_error(self.connection.url, error) from None
        return decoded(response)

    # definitions

    async def push(self, definition: Source) -> WorkflowDefinition:
        """Store a new version of a workflow; ``definition`` as ``sources.create_request``."""
        answer = await self.call(calls.push(request_json(definition)))
        return WorkflowDefinition.model_validate(answer["workflow_definition"])

    async def validate(self, definition: Source) -> None:
        await self.call(calls.validate(request_json(definition)))

    async def definition(self, workflow_id: str, version: str = "latest") -> WorkflowDefinition:
        return WorkflowDefinition.model_validate(
            await self.call(calls.definition(workflow_id, version))
        )

    async def list_workflows(
        self,
        *,
        q: str | None = None,
        owner: str | None = None,
        tag: str | None = None,
        first: int | None = None,
        cursor: str | None = None,
    ) -> Page[WorkflowSummary]:
        call = calls.list_workflows(q=q, owner=owner, tag=tag, first=first, cursor=cursor)
        return Page[WorkflowSummary].model_validate(await self.call(call))

    async def deactivate(self, workflow_id: str) -> Any:
        return await self.call(calls.deactivate(workflow_id))

    # runs

    async def list_instances(
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
        return Page[InstanceSummary].model_validate(await self.call(call))

    async def start(
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
            declared = (await self.definition(workflow_id, version)).workflow.get("params") or {}
            run_params = typed_params(params, declared)
        body = start_body(self.connection.user, run_params, request_id)
        return StartResponse.model_validate(
            await self.call(calls.start(workflow_id, version, body))
        )

    async def instance(
        self, workflow_id: str, instance_id: int, run_id: int | None = None
    ) -> WorkflowInstance:
        answer = await self.call(calls.run(workflow_id, instance_id, run_id))
        return WorkflowInstance.model_validate(answer)

    async def steps(
        self, workflow_id: str, instance_id: int, run_id: int | None = None
    ) -> list[StepAttempt]:
        answer = await self.call(calls.steps(workflow_id, instance_id, run_id))
        return [StepAttempt.model_validate(step) for step in answer]

    async def wait(
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
            instance = await self.instance(workflow_id, instance_id)
            if instance.status.is_terminal:
                return instance
            if deadline is not None and time.monotonic() >= deadline:
                raise timed_out(instance, timeout)
            await asyncio.sleep(interval)

    async def logs(
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
        return str(await self.call(call))

    async def follow_logs(
        self,
        workflow_id: str,
        instance_id: int,
        step_id: str,
        *,
        run_id: int | None = None,
        attempt: int | None = None,
        stream: str = "stdout",
    ) -> AsyncIterator[str]:
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
            request = self._http.stream("GET", call.path, params=call.query, timeout=None)
            async with request as answer:
                if not answer.is_success:
                    await answer.aread()
                    decoded(answer)
                async for text in answer.aiter_text():
                    yield text
        except httpx.TransportError as error:
            raise transport_error(self.connection.url, error) from None

    # actions

    async def stop(self, workflow_id: str, instance_id: int | None = None) -> Any:
        """Stop one instance, or every unfinished instance of the workflow."""
        return await self.call(calls.terminate(workflow_id, instance_id, "stop"))

    async def kill(self, workflow_id: str, instance_id: int | None = None) -> Any:
        return await self.call(calls.terminate(workflow_id, instance_id, "kill"))

    async def unblock(self, workflow_id: str, instance_id: int | None = None) -> Any:
        return await self.call(calls.terminate(workflow_id, instance_id, "unblock"))

    async def restart(
        self,
        workflow_id: str,
        instance_id: int,
        *,
        from_step: str | None = None,
        from_beginning: bool = False,
    ) -> Any:
        """A new run of the instance: from its incomplete steps, its beginning, or a step."""
        if from_step is not None:
            return await self.call(calls.restart_step(workflow_id, instance_id, from_step))
        return await self.call(calls.restart(workflow_id, instance_id, from_beginning))

    async def step_action(
        self, workflow_id: str, instance_id: int, step_id: str, action: str
    ) -> Any:
        """``action``: ``stop``, ``kill``, ``skip`` or ``bypass``."""
        return await self.call(calls.step_action(workflow_id, instance_id, step_id, action))

    async def signal(self, name: str, params: dict[str, Any] | None = None) -> Any:
        return await self.call(calls.signal(name, params or {}))

    async def backfill(
        self, workflow_id: str, start_ms: int, end_ms: int, *, dry_run: bool = False
    ) -> Any:
        return await self.call(calls.backfill(workflow_id, start_ms, end_ms, dry_run))

    async def plugins(self) -> Any:
        """The server's installed plugins by group, each with its load error if any."""
        return await self.call(calls.plugins())


__all__ = ["AsyncClient", "ClientError", "ErrorBody"]
