"""The ``details`` of a foreach overview: which iterations are in which status, as intervals.

Maestro's ``ForeachDetails``: per instance status, a sorted list of iteration ids where a run
of consecutive ids is written ``[first, last]`` and a lone id as itself, e.g.
``{"SUCCEEDED": [[1, 40], 42], "FAILED": [41], "IN_PROGRESS": [43, 44]}``. A terminal status
keeps every iteration that ever ended in it (merged, so memory stays bounded by the number
of gaps, not of iterations); a non-terminal one shows the iterations read last.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from maestoso.runtimes.loops import is_terminal, normal_status

STATUS_ORDER = ("CREATED", "IN_PROGRESS", "PAUSED", "TIMED_OUT", "STOPPED", "FAILED", "SUCCEEDED")
"""Maestro's ``WorkflowInstance.Status`` order, the key order of the details."""

Interval = tuple[int, int]


def intervals(value: Iterable[Any]) -> list[Interval]:
    """Read ``[3, [5, 9]]`` as ``[(3, 3), (5, 9)]``."""
    result = []
    for item in value:
        if isinstance(item, list) and len(item) == 2:
            result.append((int(item[0]), int(item[1])))
        else:
            result.append((int(item), int(item)))
    return result


def merged(spans: Iterable[Interval]) -> list[Interval]:
    """The union of ``spans``: sorted, touching and overlapping ones joined."""
    result: list[Interval] = []
    for start, end in sorted(spans):
        if result and start <= result[-1][1] + 1:
            if end > result[-1][1]:
                result[-1] = (result[-1][0], end)
        else:
            result.append((start, end))
    return result


def as_json(spans: list[Interval]) -> list[Any]:
    return [start if start == end else [start, end] for start, end in spans]


def foreach_details(
    previous: Mapping[str, Any] | None, window: Iterable[tuple[int, str]]
) -> dict[str, list[Any]]:
    """The details after reading ``window`` (``(iteration id, status)`` pairs): terminal
    statuses add to what they had, the others are the window's."""
    spans: dict[str, list[Interval]] = {
        status: intervals(ids) for status, ids in (previous or {}).items() if is_terminal(status)
    }
    for iteration, raw in window:
        status = normal_status(raw)
        spans.setdefault(status, []).append((iteration, iteration))
    ordered = sorted(spans, key=lambda s: STATUS_ORDER.index(s) if s in STATUS_ORDER else 99)
    return {status: as_json(merged(spans[status])) for status in ordered if spans[status]}
