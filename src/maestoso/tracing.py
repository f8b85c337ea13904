"""Traces with OpenTelemetry, when asked for: a span per run and per step attempt.

Off by default, and then free: ``traced`` hands the work back untouched and ``traceparent``
answers None. ``configure`` turns tracing on in a server when ``MAESTOSO_TRACING`` is true
or the standard ``OTEL_*`` variables name an exporter or an endpoint (and
``OTEL_SDK_DISABLED`` is not true); it needs the ``otel`` extra (the OpenTelemetry SDK and
its OTLP/HTTP exporter), configured by the standard variables (``OTEL_SERVICE_NAME``,
``OTEL_EXPORTER_OTLP_ENDPOINT``, ``OTEL_TRACES_EXPORTER=otlp|console|none``…).

A run's span is current in its flow actor's task, and a step's actors are tasks the flow
starts, so an attempt's span is a child of its run's. A step's work sees its attempt's span
as the current one: an Http step sends it as the ``traceparent`` header, Shell and
Kubernetes steps get it in ``TRACEPARENT``, so the work they start can join the trace.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, TypeVar

from opentelemetry import propagate, trace
from opentelemetry.trace import Status, StatusCode, Tracer, TracerProvider

logger = logging.getLogger(__name__)

R = TypeVar("R")
Attributes = Mapping[str, str | int]

_EXPORTER_VARIABLES = (
    "OTEL_TRACES_EXPORTER",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
)
_TRUE = ("1", "true", "yes", "on")

_tracer: Tracer | None = None


def enable(provider: TracerProvider | None = None) -> None:
    """Trace from now on, into ``provider`` (default: the global one)."""
    global _tracer
    _tracer = trace.get_tracer("maestoso", tracer_provider=provider)


def disable() -> None:
    global _tracer
    _tracer = None


def enabled() -> bool:
    return _tracer is not None


def wanted(env: Mapping[str, str]) -> bool:
    """Whether the environment asks for traces."""
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() in _TRUE:
        return False
    if env.get("MAESTOSO_TRACING", "").strip().lower() in _TRUE:
        return True
    exporter = env.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    return exporter != "none" and any(env.get(name) for name in _EXPORTER_VARIABLES)


def configure(env: Mapping[str, str]) -> Callable[[], None] | None:
    """Install the SDK's tracer provider as ``env`` asks and start tracing; returns what
    flushes and stops it at shutdown, or None when traces are not wanted."""
    if not wanted(env):
        return None
    try:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider as SdkProvider
        from opentelemetry.sdk.trace.export import (
            BatchSpanProcessor,
            ConsoleSpanExporter,
            SpanExporter,
        )
    except ImportError as exc:
        raise RuntimeError(
            "tracing is asked for (MAESTOSO_TRACING or OTEL_*) but the OpenTelemetry SDK is "
            "not installed: pip install 'maestoso[otel]'"
        ) from exc
    provider = SdkProvider(resource=Resource.create({"service.name": "maestoso"}))
    kind = env.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower() or "otlp"
    exporter: SpanExporter
    if kind == "console":
        exporter = ConsoleSpanExporter()
    elif kind == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()
    else:
        raise RuntimeError(f"OTEL_TRACES_EXPORTER={kind} is not supported: use otlp or console")
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    enable(provider)
    logger.info("tracing: spans go to the %s exporter", kind)

    def shutdown() -> None:
        disable()
        provider.shutdown()

    return shutdown


def traced(
    work: Coroutine[Any, Any, R],
    name: str,
    attributes: Attributes,
    failure: Callable[[R], str | None] = lambda _: None,
) -> Coroutine[Any, Any, R]:
    """``work``, inside a span current while it runs when tracing is on (else ``work``
    itself). ``failure`` tells from its result whether it failed, and why."""
    if _tracer is None:
        return work
    return _in_span(_tracer, work, name, attributes, failure)


async def _in_span(
    tracer: Tracer,
    work: Coroutine[Any, Any, R],
    name: str,
    attributes: Attributes,
    failure: Callable[[R], str | None],
) -> R:
    with tracer.start_as_current_span(name, attributes=attributes) as span:
        result = await work
        problem = failure(result)
        if problem is not None:
            span.set_status(Status(StatusCode.ERROR, problem))
        return result


def traceparent() -> str | None:
    """The current span's W3C ``traceparent`` value, if tracing is on and a span is current."""
    if _tracer is None:
        return None
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")
