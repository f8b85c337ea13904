"""The edges into a step: which of them hold, by their SEL conditions."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from maestoso.clock import Clock
from maestoso.engine.runtime.param_context import results_of
from maestoso.sel import SelError, evaluate
from maestoso.store.records import StepAttemptRow

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Edge:
    """An edge whose source passed, with the condition it puts on its target."""

    source: str
    target: str
    condition: str
    row: StepAttemptRow


def any_edge_holds(
    edges: list[Edge], params: dict[str, Any], clock: Clock, key: tuple[str, int, int]
) -> bool:
    """Whether one of ``edges`` holds, in order (blocking: SEL runs here). A condition that
    fails to evaluate does not hold."""
    for edge in edges:
        variables = {**params, **results_of(edge.row.document.get("params") or {})}
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
