"""The access log: one line per request, written off the event loop.

The middleware only formats a line and puts it on a queue (``QueueHandler``); a listener
thread writes it, so a slow terminal or disk never delays a response. The listener looks
at the queue every ``PAUSE`` seconds and writes what has come, instead of blocking on it:
a thread woken for every line takes the GIL from the event loop once per request.
"""

from __future__ import annotations

import logging
import logging.handlers
import queue
import time

from starlette.types import Scope

from maestoso.api.observer import Observer

logger = logging.getLogger("maestoso.access")
PAUSE = 0.05


class AccessLog(Observer):
    def wanted(self) -> bool:
        return logger.isEnabledFor(logging.INFO)

    def seen(self, scope: Scope, status: int, seconds: float) -> None:
        client = scope.get("client")
        query = scope.get("query_string", b"")
        target = scope["path"] + ("?" + query.decode("latin-1") if query else "")
        logger.info(
            '%s "%s %s" %d %.1fms',
            client[0] if client else "-",
            scope["method"],
            target,
            status,
            seconds * 1000,
        )


def start_access_log(stream_handler: logging.Handler) -> logging.handlers.QueueListener:
    """Route the access log through a queue to ``stream_handler``; stop the listener at
    shutdown to flush it."""
    lines: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    logger.addHandler(_QueueHandler(lines))
    logger.setLevel(logging.INFO)
    logger.propagate = False
    listener = _PollingListener(lines, stream_handler)
    listener.start()
    return listener


class _QueueHandler(logging.handlers.QueueHandler):
    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        # The line's arguments are plain strings and numbers, safe to format later: the
        # listener's thread does it, not the event loop (the base class formats and copies).
        return record


class _PollingListener(logging.handlers.QueueListener):
    def __init__(
        self, lines: queue.SimpleQueue[logging.LogRecord], handler: logging.Handler
    ) -> None:
        super().__init__(lines, handler)
        self._lines = lines

    def dequeue(self, block: bool) -> logging.LogRecord:
        while True:
            try:
                return self._lines.get_nowait()
            except queue.Empty:
                if not block:
                    raise
                time.sleep(PAUSE)
