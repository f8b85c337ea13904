"""The database's share of the node's metrics, from SQLAlchemy's engine and pool events:
each statement's time by verb, commits, and the pooled connections in use."""

from __future__ import annotations

import functools
import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from maestoso import metrics

_VERBS = {"select", "insert", "update", "delete"}
_BEGAN = "maestoso_query_began"


def instrument(engine: Engine) -> None:
    """Record the statements, commits and checkouts of ``engine`` (a sync engine, as an
    ``AsyncEngine``'s ``sync_engine``)."""
    event.listen(engine, "before_cursor_execute", _before)
    event.listen(engine, "after_cursor_execute", _after)
    event.listen(engine, "commit", _committed)
    event.listen(engine.pool, "checkout", _checked_out)
    event.listen(engine.pool, "checkin", _checked_in)


def verb(statement: str) -> str:
    """The statement's verb, one of a fixed few (a label value)."""
    head = statement.lstrip()[:6].lower()
    return head if head in _VERBS else "other"


def _before(connection: Connection, *_: Any) -> None:
    connection.info[_BEGAN] = time.perf_counter()


def _after(connection: Connection, _cursor: Any, statement: str, *_: Any) -> None:
    began = connection.info.pop(_BEGAN, None)
    if began is not None:
        _of_verb(verb(statement)).observe(time.perf_counter() - began)


@functools.cache
def _of_verb(name: str) -> Any:
    """The histogram of one verb (a label lookup costs more than the observation)."""
    return metrics.DB_QUERY_SECONDS.labels(name)


def _committed(_connection: Connection) -> None:
    metrics.DB_COMMITS.inc()


def _checked_out(*_: Any) -> None:
    metrics.DB_CONNECTIONS_IN_USE.inc()


def _checked_in(*_: Any) -> None:
    metrics.DB_CONNECTIONS_IN_USE.dec()
