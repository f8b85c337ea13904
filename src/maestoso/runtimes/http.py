"""``Http``: one HTTP request; its status code decides the step's state.

Param ``http`` (MAP): ``url`` (required), ``method`` (GET), ``headers`` (STRING_MAP; JSON
``Content-Type``/``Accept`` when absent), ``body`` (STRING). The response gives the output
params ``status_code`` (LONG) and ``response_body`` (STRING); ``state_expr`` (a SEL
expression over them and the step's params) returns the state, by default 2xx → DONE, 4xx →
FATAL_ERROR, anything else USER_ERROR (retried). An expression may also return CONTINUE to
send the request again later (polling an endpoint).

As in Maestro, only hosts of an allow-list may be called (a server making requests on a
workflow's behalf must not reach whatever its network reaches), redirects are not
followed, and the response is read up to a size limit. Connection failures and timeouts
are PLATFORM_ERRORs, retried by the platform retry policy. When tracing is on, the request
carries the attempt's trace context (``traceparent``) unless the step sets that header.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from maestoso import tracing
from maestoso.params import ParamError, off_loop
from maestoso.runtimes import inputs
from maestoso.runtimes.base import State, StepContext, StepResult
from maestoso.sel import SelError, evaluate

ARTIFACT = "maestro_http"
DEFAULT_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}
_SCHEMES = ("http", "https")


@dataclass(frozen=True, slots=True)
class Request:
    url: str
    method: str
    headers: dict[str, str]
    body: str | None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"url": self.url, "method": self.method, "headers": self.headers}
        if self.body is not None:
            data["body"] = self.body
        return data


class Refused(Exception):
    """A request that is not sent (its URL or its response is not acceptable)."""


class HttpRuntime:
    default_poll_seconds = 3.0

    def __init__(
        self,
        *,
        allowed_hosts: Iterable[str],
        connect_timeout: float = 30.0,
        send_timeout: float = 30.0,
        max_response_bytes: int = 1024 * 1024,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.allowed_hosts = frozenset(host.lower() for host in allowed_hosts)
        self.connect_timeout = connect_timeout
        self.send_timeout = send_timeout
        self.max_response_bytes = max_response_bytes
        self._transport = transport

    async def start(self, context: StepContext) -> StepResult:
        try:
            self.check_url(_request(context.params).url)
        except (inputs.InvalidParam, Refused) as exc:
            return inputs.fatal(str(exc))
        return StepResult(state=State.CONTINUE, next_poll_seconds=0.0)

    async def execute(self, context: StepContext) -> StepResult:
        try:
            request = _request(context.params)
            self.check_url(request.url)
            timeline = [f"Making the HTTP request: method=[{request.method}], url=[{request.url}]"]
            status, body = await asyncio.wait_for(self._send(request), self.send_timeout)
        except (inputs.InvalidParam, Refused) as exc:
            return inputs.fatal(str(exc))
        except (httpx.TransportError, TimeoutError) as exc:
            message = f"The HTTP request failed: {type(exc).__name__}: {exc}"
            return StepResult(state=State.PLATFORM_ERROR, timeline=[message])
        timeline.append(f"The HTTP request completed with status code=[{status}]")
        return await self._result(context, request, status, body, timeline)

    async def terminate(self, context: StepContext) -> StepResult:
        return StepResult(state=State.STOPPED)

    def check_url(self, url: str) -> None:
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise Refused(f"Invalid URL: [{url}]") from exc
        if not parsed.host:
            raise Refused(f"Invalid URL: [{url}]")
        if parsed.scheme.lower() not in _SCHEMES:
            raise Refused(f"URL scheme [{parsed.scheme}] is not allowed. Only HTTP and HTTPS are.")
        if parsed.host.lower() not in self.allowed_hosts:
            raise Refused(
                f"URL host [{parsed.host}] is not allowed. Please contact the administrator."
            )

    async def _send(self, request: Request) -> tuple[int, str]:
        timeout = httpx.Timeout(self.send_timeout, connect=self.connect_timeout)
        # trust_env=False: no proxy from the environment may reroute a step's request.
        async with (
            httpx.AsyncClient(
                timeout=timeout, follow_redirects=False, trust_env=False, transport=self._transport
            ) as client,
            client.stream(
                request.method, request.url, headers=_traced(request.headers), content=request.body
            ) as response,
        ):
            return response.status_code, await self._body(response)

    async def _body(self, response: httpx.Response) -> str:
        limit = self.max_response_bytes
        declared = response.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise Refused(f"Http response content length [{declared}] is not between 0 and {limit}")
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > limit:  # stop reading at once: the rest is never downloaded
                raise Refused(f"Http response size exceeds the size limit [{limit}] bytes")
        return body.decode(response.encoding or "utf-8", errors="replace")

    async def _result(
        self,
        context: StepContext,
        request: Request,
        status: int,
        body: str,
        timeline: list[str],
    ) -> StepResult:
        now = context.now_ms()
        outputs: dict[str, dict[str, Any]] = {
            "status_code": {"value": status, "type": "LONG", "evaluated_result": status},
            "response_body": {"value": body, "type": "STRING", "evaluated_result": body},
        }
        for param in outputs.values():
            param["evaluated_time"] = now
        state, message = await _state(context, status, body)
        timeline.append(message)
        artifact = {
            "request": request.to_json(),
            "status": "FAILED" if state in _FAILED else "SUCCESS",
            "status_code": status,
            "body": body,
            "type": "HTTP",
        }
        return StepResult(
            state=state,
            artifacts={ARTIFACT: artifact},
            timeline=timeline,
            output_params=outputs,
            next_poll_seconds=self.default_poll_seconds if state is State.CONTINUE else None,
        )


_FAILED = (State.USER_ERROR, State.PLATFORM_ERROR, State.FATAL_ERROR, State.TIMED_OUT)


def _request(params: dict[str, Any]) -> Request:
    http = inputs.mapping(params, "http")
    url = inputs.optional_string(http, "url")
    if not url:
        raise inputs.InvalidParam("param [http.url] is required")
    headers = inputs.string_map(http, "headers") if "headers" in http else dict(DEFAULT_HEADERS)
    return Request(
        url=url,
        method=(inputs.optional_string(http, "method") or "GET").upper(),
        headers=headers,
        body=inputs.optional_string(http, "body") or None,
    )


def _traced(headers: dict[str, str]) -> dict[str, str]:
    parent = tracing.traceparent()
    if parent is None or any(name.lower() == "traceparent" for name in headers):
        return headers
    return {**headers, "traceparent": parent}


async def _state(context: StepContext, status: int, body: str) -> tuple[State, str]:
    expression = context.params.get("state_expr")
    if not isinstance(expression, str) or not expression.strip():
        return _default_state(status), f"HTTP step finished by its status code [{status}]"
    variables = {**context.params, "status_code": status, "response_body": body}
    try:  # on a worker thread, bounded in time: the response body is the remote's to choose
        value = await off_loop(_evaluated, expression, variables)
    except (SelError, ParamError) as exc:
        return State.FATAL_ERROR, f"state_expr failed: {exc}"
    try:
        state = State(str(value).upper())
    except ValueError:
        return State.FATAL_ERROR, f"state_expr returned [{value}], which is not a step state"
    return state, f"HTTP step finished with state [{state.value}] by its state_expr"


def _evaluated(expression: str, variables: dict[str, Any]) -> Any:
    return evaluate(expression, variables).value


def _default_state(status: int) -> State:
    if 200 <= status < 300:
        return State.DONE
    if 400 <= status < 500:
        return State.FATAL_ERROR
    return State.USER_ERROR
