"""The JSON log format: one object per line, with the current span's ids when traced."""

from __future__ import annotations

import json
import logging

import pytest
from opentelemetry.sdk.trace import TracerProvider

from maestoso import log_format


def _line(handler: logging.Handler, message: str) -> dict[str, object]:
    record = logging.LogRecord("maestoso.test", logging.WARNING, __file__, 1, message, (), None)
    assert handler.filter(record)
    return dict(json.loads(handler.format(record)))


def test_a_json_line_names_its_level_logger_and_time() -> None:
    line = _line(log_format.handler("json"), "disk 93% full")
    assert line["message"] == "disk 93% full"
    assert (line["level"], line["logger"]) == ("WARNING", "maestoso.test")
    assert str(line["time"]).endswith("Z")
    assert "trace_id" not in line


def test_a_json_line_inside_a_span_carries_its_ids() -> None:
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("work") as span:
        line = _line(log_format.handler("json"), "inside")
    context = span.get_span_context()
    assert line["trace_id"] == f"{context.trace_id:032x}"
    assert line["span_id"] == f"{context.span_id:016x}"


def test_an_unknown_format_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"unknown log format \[xml\]"):
        log_format.formatter("xml")
