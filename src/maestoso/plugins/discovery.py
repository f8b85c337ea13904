"""Finding the plugins of an entry-point group, loading each on its own.

A plugin that cannot be imported, or whose factory fails, is logged and reported with its
error; it never stops the others, nor the server.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib.metadata import EntryPoint, entry_points
from typing import Any

logger = logging.getLogger("maestoso.plugins")

STEP_TYPES = "maestoso.step_types"
SIGNAL_SOURCES = "maestoso.signal_sources"
NOTIFIERS = "maestoso.notifiers"
GROUPS = (STEP_TYPES, SIGNAL_SOURCES, NOTIFIERS)


@dataclass(frozen=True, slots=True, kw_only=True)
class Found:
    """One entry point of a group: what it loaded to, or why it did not."""

    group: str
    name: str
    target: str
    """Where it points, ``package.module:attribute``."""
    distribution: str | None
    version: str | None
    value: Any = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "target": self.target,
            "distribution": self.distribution,
            "version": self.version,
            "error": self.error,
        }


def names(group: str) -> frozenset[str]:
    """The names a group's entry points give, without importing anything."""
    return frozenset(point.name for point in entry_points(group=group))


def load(group: str) -> list[Found]:
    """Every entry point of ``group``, loaded, by name; a name given by two distributions
    is loaded from the first only."""
    found: dict[str, Found] = {}
    duplicates: list[Found] = []
    for point in sorted(entry_points(group=group), key=lambda p: p.name):
        first = found.get(point.name)
        if first is None:
            found[point.name] = _load(group, point)
        else:
            error = f"[{point.name}] is provided by [{first.distribution}] already"
            duplicates.append(_report(replace(_found(group, point), error=error)))
    return [*found.values(), *duplicates]


def build(found: Found, make: Callable[[Any], Any]) -> Found:
    """``found`` with its value replaced by ``make(value)``, or with the error ``make``
    raised (``ValueError`` for a value of the wrong kind)."""
    if not found.ok:
        return found
    try:
        return replace(found, value=make(found.value))
    except Exception as exc:
        return _report(replace(found, value=None, error=_describe(exc)), exc)


def _load(group: str, point: EntryPoint) -> Found:
    found = _found(group, point)
    try:
        return replace(found, value=point.load())
    except (Exception, SystemExit) as exc:  # an import that calls sys.exit must not end us
        return _report(replace(found, error=_describe(exc)), exc)


def _found(group: str, point: EntryPoint) -> Found:
    dist = point.dist
    return Found(
        group=group,
        name=point.name,
        target=point.value,
        distribution=None if dist is None else dist.name,
        version=None if dist is None else dist.version,
    )


def _report(found: Found, exc: BaseException | None = None) -> Found:
    logger.warning(
        "plugin [%s] of [%s] (%s) is not loaded: %s",
        found.name,
        found.group,
        found.target,
        found.error,
        exc_info=exc,
    )
    return found


def _describe(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(exc)).strip()
