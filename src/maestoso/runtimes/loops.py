"""What foreach, while and subworkflow steps share: params handed down to child instances,
rollups of leaf steps, and statuses of children."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from maestoso.models import Step
from maestoso.models.statuses import StepStatus

ITERATION_LIMIT = 25_000
"""Iterations of one foreach or while step, as in Maestro."""
DEPTH_LIMIT = 10
"""Nesting of subworkflows and loops, as in Maestro."""
LOOP_PARAMS = "loop_params"
LOOP_INDEX = "loop_index"

_SYSTEM_SOURCES = frozenset({"SYSTEM", "SYSTEM_DEFAULT", "SYSTEM_INJECTED"})
_SCALAR_OF = {
    "LONG_ARRAY": "LONG",
    "STRING_ARRAY": "STRING",
    "DOUBLE_ARRAY": "DOUBLE",
    "BOOLEAN_ARRAY": "BOOLEAN",
}
_TERMINAL = frozenset({"SUCCEEDED", "FAILED", "STOPPED", "TIMED_OUT"})


def is_terminal(status: str) -> bool:
    return normal_status(status) in _TERMINAL


def normal_status(status: str) -> str:
    """Maestro stores ``FAILED_1``/``FAILED_2``; both read as ``FAILED``."""
    return "FAILED" if status.startswith("FAILED") else status


def evaluated(name: str, value: Any, type_: str, now: int, source: str) -> dict[str, Any]:
    """A param as a child receives it: already evaluated, typed, with where it came from."""
    return {
        "value": value,
        "type": type_,
        "evaluated_result": value,
        "evaluated_time": now,
        "source": source,
    }


def scalar_type(array_type: str) -> str | None:
    """The element type of an ``*_ARRAY`` type (None for any other type)."""
    return _SCALAR_OF.get(array_type.upper())


def user_params(
    step: Step, step_params: Mapping[str, Mapping[str, Any]], *drop: str
) -> dict[str, dict[str, Any]]:
    """The params the step's definition declares (not the injected ones), evaluated."""
    declared = getattr(step, "params", None) or {}
    return {
        name: dict(step_params[name])
        for name in declared
        if name in step_params and name not in drop
    }


def inherited(workflow_params: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The parent run's params a child inherits: the ones a user or a caller gave (the
    system's own, such as ``workflow_id``, are the child's to compute)."""
    return {
        name: dict(param)
        for name, param in workflow_params.items()
        if param.get("source") not in _SYSTEM_SOURCES
    }


def as_definition(param: Mapping[str, Any]) -> dict[str, Any]:
    """An evaluated param as a definition with its value (for a run request)."""
    if param.get("type") == "MAP":
        return {"value": param.get("value"), "type": "MAP"}
    return {"value": param.get("evaluated_result"), "type": param.get("type")}


def empty_rollup() -> dict[str, Any]:
    return {"total_leaf_count": 0, "overview": {}}


def add_rollup(into: dict[str, Any], rollup: Mapping[str, Any] | None) -> None:
    """Add the counts of ``rollup`` (a ``rollup_overview``) to ``into``; references are
    kept only for the statuses that keep them, so finished work adds counts only."""
    if not rollup:
        return
    into["total_leaf_count"] = int(into.get("total_leaf_count", 0)) + int(
        rollup.get("total_leaf_count", 0)
    )
    overview = into.setdefault("overview", {})
    for status, entry in (rollup.get("overview") or {}).items():
        target = overview.setdefault(status, {"cnt": 0})
        target["cnt"] += int(entry.get("cnt", 0))
        if entry.get("ref") and _keeps_refs(status):
            refs = target.setdefault("ref", {})
            for key, items in entry["ref"].items():
                refs.setdefault(key, []).extend(items)


def rollup_of(overview: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    return None if not overview else overview.get("rollup_overview")


def count(statuses: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    return counts


def _keeps_refs(status: str) -> bool:
    try:
        return StepStatus(status).is_overview
    except ValueError:
        return False
