"""How the server's log lines look: text (the default) or JSON, one object per line.

A JSON line has ``time`` (ISO 8601, UTC), ``level``, ``logger`` and ``message``, the
exception's traceback as ``exc_info`` when there is one, and, while a traced run or step is
current, its ``trace_id`` and ``span_id``, so a line can be found from its trace and back.
"""

from __future__ import annotations

import logging
import time

from opentelemetry import trace
from pythonjsonlogger.json import JsonFormatter

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
_RENAMED = {"asctime": "time", "levelname": "level", "name": "logger"}


def formatter(kind: str, text: str = TEXT_FORMAT) -> logging.Formatter:
    """A formatter of ``kind`` (one of ``FORMATS``); ``text`` is the text format's pattern."""
    if kind == "json":
        json = JsonFormatter(["asctime", "levelname", "name", "message"], rename_fields=_RENAMED)
        json.default_msec_format = "%s.%03dZ"
        json.converter = time.gmtime
        json.default_time_format = "%Y-%m-%dT%H:%M:%S"
        return json
    if kind == "text":
        return logging.Formatter(text)
    raise ValueError(f"unknown log format [{kind}]: use one of {', '.join(FORMATS)}")


def handler(kind: str, text: str = TEXT_FORMAT) -> logging.Handler:
    """A stderr handler writing ``kind`` lines (with trace ids in JSON)."""
    stream = logging.StreamHandler()
    stream.setFormatter(formatter(kind, text))
    if kind == "json":
        stream.addFilter(_with_trace)
    return stream


def configure(kind: str) -> None:
    """The root logger writes ``kind`` lines at INFO to stderr."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler(kind))
    root.setLevel(logging.INFO)


def _with_trace(record: logging.LogRecord) -> bool:
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        record.trace_id = format(context.trace_id, "032x")
        record.span_id = format(context.span_id, "016x")
    return True
