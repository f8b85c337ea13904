"""DSL transitions (``job_id``, ``IF <sel> THEN job_id``, ``OTHERWISE job_id``) into successors.

``OTHERWISE`` takes the negation of every ``IF`` before it, written as Maestro writes it:
``IF a THEN x``, ``IF b THEN y``, ``OTHERWISE z`` gives ``z: "!((a) || (b))"``. Empty items are
skipped, as in Maestro.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from maestoso.dsl.yaml_fields import scalar_text
from maestoso.dsl.yaml_problems import Loc, Problems

NO_CONDITION = "true"
_JOB_ID = r"([_a-zA-Z][.\-_a-zA-Z0-9]*)"
_FLAGS = re.ASCII | re.IGNORECASE
_SIMPLE = re.compile(rf"\s*{_JOB_ID}\s*", re.ASCII)
_CONDITIONAL = re.compile(rf"\s*IF\s+(.+?)\s+THEN\s+{_JOB_ID}\s*", _FLAGS)
_OTHERWISE = re.compile(rf"\s*OTHERWISE\s+{_JOB_ID}\s*", _FLAGS)
_EXPECTED = "expected 'job_id', 'IF <condition> THEN job_id' or 'OTHERWISE job_id'"


def parse_transition(
    items: list[Any], loc: Loc, problems: Problems, job_ids: Collection[str]
) -> dict[str, Any]:
    """Convert the transition list at ``loc`` into Maestro's ``{"successors": {...}}``.

    Each successor must be one of ``job_ids``, the ids of the jobs in the same list.
    """
    successors: dict[str, str] = {}
    conditions: list[str] = []
    for index, item in enumerate(items):
        at = loc.item(items, index)
        text = scalar_text(item)
        if item is None or text == "":
            continue
        parsed = None if text is None else _parse_one(text, conditions)
        if text is None or parsed is None:
            problems.add(at, f"invalid transition [{item}]; {_EXPECTED}")
            continue
        job_id, condition = parsed
        if _OTHERWISE.fullmatch(text) and index != len(items) - 1:
            problems.add(at, "OTHERWISE must be the last transition")
        if job_id not in job_ids:
            problems.add(at, f"names an unknown job [{job_id}]")
        if job_id in successors:
            problems.add(at, f"job [{job_id}] is named by more than one transition")
        successors[job_id] = condition
    return {"successors": successors} if successors else {}


def _parse_one(text: str, conditions: list[str]) -> tuple[str, str] | None:
    """The successor and condition of one transition; records IF conditions for OTHERWISE."""
    if match := _SIMPLE.fullmatch(text):
        return match.group(1), NO_CONDITION
    if match := _CONDITIONAL.fullmatch(text):
        conditions.append(match.group(1))
        return match.group(2), match.group(1)
    if match := _OTHERWISE.fullmatch(text):
        if not conditions:
            return match.group(1), NO_CONDITION
        return match.group(1), "!((" + ") || (".join(conditions) + "))"
    return None
