"""Traces: a span per run and per step attempt, and the attempt's trace context handed to the
work, as the ``traceparent`` header of an Http step (seen by a loopback receiver) and as
``TRACEPARENT`` in a Shell step's environment. The SDK exports to memory, in-process."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from tests.integration.engine_support import Harness
from tests.unit.runtimes.harness import engine_at, string, typed_step, workflow
from tests.unit.runtimes.http_server import LoopbackServer, serving

from maestoso import tracing
from maestoso.models.steps import StepType
from maestoso.runtimes import HttpRuntime, ShellRuntime


@pytest.fixture(scope="module")
def receiver() -> Iterator[LoopbackServer]:
    with serving() as running:
        yield running


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.enable(provider)
    try:
        yield exporter
    finally:
        tracing.disable()
        provider.shutdown()


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[Harness]:
    runtimes = {
        StepType.HTTP: HttpRuntime(allowed_hosts=["127.0.0.1"], send_timeout=5),
        StepType.SHELL: ShellRuntime(grace_seconds=1.0),
    }
    url = f"sqlite:///{tmp_path / 'traced.sqlite'}"
    async with engine_at(url, tmp_path / "home", runtimes) as running:
        yield running


def _traced_workflow(receiver: LoopbackServer, env_file: Path) -> dict[str, object]:
    def call(path: str) -> dict[str, object]:
        return {"http": {"type": "MAP", "value": {"url": string(f"{receiver.base}{path}")}}}

    shell = {"command": string(f'printf %s "$$TRACEPARENT" > {env_file}')}
    return workflow(
        "traced",
        typed_step("call", "Http", call("/echo"), {"shell": "true"}),
        typed_step("shell", "Shell", shell, {"broken": "true"}),
        typed_step("broken", "Http", call("/status/404")),  # fatal: no retry
    )


def _parent(value: str, span: ReadableSpan) -> None:
    context = span.get_span_context()
    flags = f"{context.trace_flags:02x}"
    assert value == f"00-{context.trace_id:032x}-{context.span_id:016x}-{flags}"


async def test_runs_and_attempts_are_spans_whose_context_reaches_the_work(
    spans: InMemorySpanExporter, engine: Harness, receiver: LoopbackServer, tmp_path: Path
) -> None:
    env_file = tmp_path / "traceparent.txt"
    await engine.create(_traced_workflow(receiver, env_file))
    await engine.start("traced")
    assert (await engine.wait("traced", 1)).status == "FAILED"

    finished = spans.get_finished_spans()
    [run] = [s for s in finished if s.name == "run"]
    attempts = {s.attributes["maestoso.step_id"]: s for s in finished if s.name == "step attempt"}
    assert set(attempts) == {"call", "shell", "broken"}
    assert run.attributes is not None
    assert dict(run.attributes) == {
        "maestoso.workflow_id": "traced",
        "maestoso.instance_id": 1,
        "maestoso.run_id": 1,
    }
    for attempt in attempts.values():
        assert attempt.parent is not None
        assert attempt.parent.span_id == run.get_span_context().span_id
        assert attempt.get_span_context().trace_id == run.get_span_context().trace_id
    assert attempts["call"].attributes["maestoso.step_type"] == "Http"  # type: ignore[index]
    assert attempts["call"].status.status_code is not StatusCode.ERROR
    assert attempts["broken"].status.status_code is StatusCode.ERROR

    response = (await engine.steps("traced", 1))["call"].document["params"]["response_body"]
    headers = json.loads(response["evaluated_result"])["headers"]
    _parent(headers["traceparent"], attempts["call"])
    _parent(env_file.read_text(), attempts["shell"])


async def test_without_tracing_no_trace_context_is_sent(
    engine: Harness, receiver: LoopbackServer, tmp_path: Path
) -> None:
    env_file = tmp_path / "traceparent.txt"
    await engine.create(_traced_workflow(receiver, env_file))
    await engine.start("traced")
    await engine.wait("traced", 1)

    response = (await engine.steps("traced", 1))["call"].document["params"]["response_body"]
    headers = json.loads(response["evaluated_result"])["headers"]
    assert "traceparent" not in {name.lower() for name in headers}
    assert env_file.read_text() == ""


def test_the_environment_decides_whether_to_trace() -> None:
    assert not tracing.wanted({})
    assert tracing.wanted({"MAESTOSO_TRACING": "true"})
    assert tracing.wanted({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"})
    assert tracing.wanted({"OTEL_TRACES_EXPORTER": "console"})
    assert not tracing.wanted({"OTEL_TRACES_EXPORTER": "none", "MAESTOSO_TRACING": "no"})
    assert not tracing.wanted({"OTEL_SDK_DISABLED": "true", "MAESTOSO_TRACING": "true"})
    assert tracing.configure({}) is None
