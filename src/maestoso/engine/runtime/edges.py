"""The edges into a step: whether it may start, and which edges hold by their SEL conditions."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from maestoso.clock import Clock
from maestoso.engine.runtime.compiled import CompiledWorkflow
from maestoso.models.statuses import StepStatus
from maestoso.sel import SelError, evaluate
from maestoso.store.records import StepAttemptRow

logger = logging.getLogger(__name__)

_PASSING = frozenset({StepStatus.SUCCEEDED, StepStatus.COMPLETED_WITH_ERROR, StepStatus.SKIPPED})


@dataclass(frozen=True, slots=True)
class Edge:
    """An edge whose source passed, with the condition it puts on its target."""

    source: str
    target: str
    condition: str
    row: StepAttemptRow


def incoming_edges(
    step_id: str,
    predecessors: tuple[str, ...],
    final_row: Callable[[str], StepAttemptRow | None],
    compiled: CompiledWorkflow,
) -> bool | list[Edge] | None:
    """None while a predecessor is not final; True when the step has none or an edge without
    a condition holds; else the edges whose source passed, each with its condition (none: the
    step can never run)."""
    if not predecessors:
        return True
    rows: dict[str, StepAttemptRow] = {}
    for source in predecessors:
        row = final_row(source)
        if row is None:
            return None
        rows[source] = row
    edges: list[Edge] = []
    for source, row in rows.items():
        if StepStatus(row.status) not in _PASSING:
            continue
        condition = compiled.step(source).successors.get(step_id, "true").strip()
        if condition in ("true", "true;"):
            return True
        edges.append(Edge(source, step_id, condition, row))
    return edges


def any_edge_holds(
    edges: list[Edge], params: dict[str, Any], clock: Clock, key: tuple[str, int, int]
) -> bool:
    """Whether one of ``edges`` holds, in order (blocking: SEL runs here). A condition that
    fails to evaluate does not hold."""
    for edge in edges:
        variables = {**params, **edge.row.record.results}
        condition = edge.condition
        text = condition if condition.rstrip().endswith(";") else condition + ";"
        try:
            if evaluate(text, variables, clock=clock).value is True:
                return True
        except SelError as exc:
            logger.warning(
                "flow %s: condition of edge %s -> %s failed: %s",
                key,
                edge.source,
                edge.target,
                exc.message,
            )
    return False
