"""Flattened foreach views (Maestro's ``maestro-extensions``, ``/api/v3/views/flatten``).

One record per iteration of a step nested in foreach steps, however deep: its iteration rank
(the iteration ids from the outermost foreach in, each prefixed by its length so that ranks
sort as text), the run and attempt of each level (``step_attempt_seq``), the loop params
that iteration got, and the step's runtime state. Maestro keeps these in a table fed by
events; here they are read from the iterations themselves: a foreach's artifact names its
inline workflow and iteration count, iteration k's loop params follow from the evaluated loop
param arrays (the first varies fastest), and the step's attempts are read a range of
iterations at a time, so a page of a 10,000-iteration loop costs one or two queries.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from maestoso.engine.reads.inline import path_to
from maestoso.engine.reads.steps import RUNTIME_STATE_KEYS
from maestoso.engine.reads.views import ordered
from maestoso.errors import NotFoundError, ValidationError
from maestoso.models import Workflow
from maestoso.store.iterations import IterationStep
from maestoso.store.port import Store
from maestoso.store.records import StepAttemptRow

PAGE_MAX = 200
CHUNK = 1000
"""Iterations whose step attempts one query reads."""
SAMPLE_SIZE = 100
"""Iterations the summary's loop param values are taken from (Maestro's sampling)."""
ITERATION_KEYS = (
    "workflow_id", "step_id", "iteration_rank", "step_attempt_seq", "leaf_step_instance_ref",
    "loop_params", "step_runtime_state",
)  # fmt: skip
"""``StepIteration``'s order: the rest (``workflow_instance_id``, ``workflow_run_id``, which
its ``@JsonPropertyOrder`` misspells) follows alphabetically."""
REFERENCE_KEYS = (
    "workflow_id", "workflow_instance_id", "workflow_run_id", "step_id", "step_attempt_id",
)  # fmt: skip
_PRIORITY = {
    "SUCCEEDED": 10, "UNSATISFIED": 20, "NOT_CREATED": 30, "DISABLED": 40, "SKIPPED": 50,
    "FINISHING": 60, "STARTING": 70, "INITIALIZED": 80, "CREATED": 90,
    "COMPLETED_WITH_ERROR": 100, "STOPPED": 110, "RUNNING": 120, "WAITING_FOR_PERMITS": 130,
    "EVALUATING_PARAMS": 140, "WAITING_FOR_SIGNALS": 150, "TIMED_OUT": 160,
    "INTERNALLY_FAILED": 170, "FATALLY_FAILED": 180, "PLATFORM_FAILED": 190, "USER_FAILED": 200,
    "TIMEOUT_FAILED": 201, "PAUSED": 210,
}  # fmt: skip
"""Maestro's ``StepInstanceStatusEncoder`` priorities: the representative iteration is the
one whose status ranks highest (a failure over a success)."""


def encode_by_length(number: int) -> str:
    """Maestro's length-prefixed id: ``25`` → ``"225"``; lengths from 10 on are letters."""
    text = str(number)
    size = len(text)
    return (chr(ord("0") + size) if size < 10 else chr(ord("A") + size - 10)) + text


def rank_text(rank: Sequence[int]) -> str:
    return "-".join(encode_by_length(part) for part in rank)


def parse_rank(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part[1:]) for part in text.split("-"))
    except ValueError:
        raise ValidationError(f"invalid iteration rank [{text}]") from None


def java_text(value: Any) -> str:
    """A loop param's value as Maestro's string map holds it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True, slots=True)
class Leaf:
    """One iteration of the innermost foreach around the step."""

    rank: tuple[int, ...]
    workflow_id: str
    """The inline workflow the iteration is an instance of."""
    loop_params: dict[str, str]
    seq: tuple[tuple[int, int], ...]
    """``(run id, attempt id)`` of the foreach step at each level, from the root."""
    root_run_id: int

    @property
    def instance_id(self) -> int:
        return self.rank[-1]


_Level = tuple[StepAttemptRow, tuple[int, ...], dict[str, str], tuple[tuple[int, int], ...]]
"""A foreach step at one level: its attempt, the rank and loop params so far, the attempts."""


@dataclass(frozen=True, slots=True)
class Scope:
    workflow_id: str
    instance_id: int
    run_id: int
    step_id: str


def _loops(row: StepAttemptRow) -> list[tuple[str, list[Any]]]:
    values = row.record.result("loop_params") or {}
    return [(name, list(items)) for name, items in values.items() if isinstance(items, list)]


def _loop_values(loops: list[tuple[str, list[Any]]], index: int) -> dict[str, str]:
    values, rest = {}, index
    for name, items in loops:
        values[name] = java_text(items[rest % len(items)]) if items else ""
        rest //= max(len(items), 1)
    return values


class FlattenedViews:
    def __init__(self, store: Store) -> None:
        self._store = store

    # -- the three endpoints -----------------------------------------------------------------

    async def iterations(
        self,
        scope: Scope,
        *,
        first: int | None,
        last: int | None,
        cursor: str | None,
        statuses: list[str] | None,
        loop_params: str | None,
    ) -> dict[str, Any]:
        """A page of the step's iterations, by iteration rank."""
        forward, limit = _direction(first, last)
        after = _cursor_rank(cursor) if cursor else None
        wanted = _statuses(statuses)
        params = _loop_filter(loop_params)
        leaves = [
            leaf for leaf in await self._leaves(scope) if _params_match(leaf.loop_params, params)
        ]
        if after is not None:
            leaves = [
                leaf for leaf in leaves if (leaf.rank > after if forward else leaf.rank < after)
            ]
        if not forward:
            leaves.reverse()
        found = []
        async for leaf, step in self._with_steps(leaves, scope.step_id):
            if wanted and step.status not in wanted:
                continue
            found.append(_iteration(scope, leaf, step))
            if len(found) > limit:
                break
        if not found:
            return {"page_info": {"has_previous_page": False, "has_next_page": False},
                    "total_count": 0, "elements": []}  # fmt: skip
        more = len(found) > limit
        page = found[:limit]
        if not forward:
            page.reverse()
        return {
            "page_info": {
                "start_cursor": _encode(page[0]["iteration_rank"]),
                "end_cursor": _encode(page[-1]["iteration_rank"]),
                # Maestro's rules: a first page has no previous one, a last page no next one
                "has_previous_page": bool(cursor) if forward else more,
                "has_next_page": more if forward else bool(cursor),
            },
            "total_count": len(page),
            "elements": page,
        }

    async def iteration(self, scope: Scope, iteration_id: str) -> dict[str, Any]:
        """One iteration, by its ids (``25-4``: iteration 4 of the inner foreach of outer
        iteration 25)."""
        try:
            rank = tuple(int(part) for part in iteration_id.split("-"))
        except ValueError:
            rank = ()
        for leaf in await self._leaves(scope):
            if leaf.rank == rank:
                steps = await self._store.iteration_steps(
                    leaf.workflow_id, scope.step_id, leaf.instance_id, leaf.instance_id
                )
                if steps:
                    return _iteration(scope, leaf, steps[0])
        raise NotFoundError(
            f"Step iteration is not found for workflowId=[{scope.workflow_id}], "
            f"instanceId=[{scope.instance_id}], runId=[{scope.run_id}], "
            f"stepId=[{scope.step_id}], iterationId=[{iteration_id}]"
        )

    async def summary(
        self, scope: Scope, *, status_count: bool, representative: bool, value_count: int
    ) -> dict[str, Any]:
        """Counts by status, the iteration most worth a look, and sample loop param values."""
        counts: dict[str, int] = {}
        best: tuple[int, tuple[int, ...]] | None = None
        best_iteration: dict[str, Any] | None = None
        values: dict[str, list[str]] = {}
        sampled = 0
        async for leaf, step in self._with_steps(await self._leaves(scope), scope.step_id):
            counts[step.status] = counts.get(step.status, 0) + 1
            key = (-_PRIORITY.get(step.status, 0), leaf.rank)
            if best is None or key < best:
                best, best_iteration = key, _iteration(scope, leaf, step)
            if sampled < SAMPLE_SIZE:
                sampled += 1
                for name, value in leaf.loop_params.items():
                    seen = values.setdefault(name, [])
                    if value not in seen and len(seen) < value_count:
                        seen.append(value)
        body: dict[str, Any] = {}
        if representative and best_iteration is not None:
            body["representative_iteration"] = best_iteration
        if status_count:
            body["count_by_status"] = {s: counts[s] for s in _PRIORITY if s in counts}
        if value_count > 0:
            body["loop_param_values"] = values
        return body

    # -- iterations ----------------------------------------------------------------------------

    async def _leaves(self, scope: Scope) -> list[Leaf]:
        """Every iteration of the innermost foreach around the step, by rank."""
        root = await self._store.get_instance(scope.workflow_id, scope.instance_id, scope.run_id)
        if root is None:
            raise NotFoundError(
                f"Cannot find workflow instance [{scope.workflow_id}][{scope.instance_id}]"
                f"[{scope.run_id}]"
            )
        workflow = Workflow.model_validate(root.record.runtime_workflow)
        path = path_to(workflow.top_steps(), scope.step_id) or []
        if len(path) < 2:
            return []  # not inside a foreach: nothing is flattened
        outer = await self._foreach_row(scope, path[0])
        if outer is None:
            return []
        frontier: list[_Level] = [(outer, (), {}, ((outer.run_id, outer.attempt_id),))]
        for depth in range(1, len(path)):
            inner_id, last = path[depth], depth == len(path) - 1
            leaves: list[Leaf] = []
            next_frontier: list[_Level] = []
            for row, rank, params, seq in frontier:
                artifact = (row.artifacts or {}).get("maestro_foreach") or {}
                child = str(artifact.get("foreach_workflow_id") or "")
                total = int(artifact.get("next_loop_index") or 0)
                loops = _loops(row)
                for index in range(total):
                    values = {**params, **_loop_values(loops, index)}
                    if last:
                        leaves.append(Leaf((*rank, index + 1), child, values, seq, scope.run_id))
                    else:
                        inner = await self._store.get_step_attempt(child, index + 1, 1, inner_id)
                        if inner is not None:
                            step_seq = (*seq, (inner.run_id, inner.attempt_id))
                            next_frontier.append((inner, (*rank, index + 1), values, step_seq))
            if last:
                return leaves
            frontier = next_frontier
        return []

    async def _foreach_row(self, scope: Scope, step_id: str) -> StepAttemptRow | None:
        """The outer foreach step as of the run: its attempt in that run, or in the latest
        earlier run that had it (a restart that did not rerun it carries it)."""
        for run_id in range(scope.run_id, 0, -1):
            row = await self._store.get_step_attempt(
                scope.workflow_id, scope.instance_id, run_id, step_id
            )
            if row is not None:
                return row
        return None

    async def _with_steps(
        self, leaves: list[Leaf], step_id: str
    ) -> AsyncIterator[tuple[Leaf, IterationStep]]:
        """The leaves that have an attempt of the step, each with it, in the leaves' order;
        read a chunk of consecutive iterations of one inline workflow at a time."""
        for chunk in _chunks(leaves):
            ids = [leaf.instance_id for leaf in chunk]
            steps = await self._store.iteration_steps(
                chunk[0].workflow_id, step_id, min(ids), max(ids)
            )
            by_id = {step.instance_id: step for step in steps}
            for leaf in chunk:
                if leaf.instance_id in by_id:
                    yield leaf, by_id[leaf.instance_id]


def _beyond(rank: tuple[int, ...], cursor: tuple[int, ...], forward: bool) -> bool:
    return rank > cursor if forward else rank < cursor


def _chunks(leaves: list[Leaf]) -> Iterator[list[Leaf]]:
    chunk: list[Leaf] = []
    for leaf in leaves:
        if chunk and (leaf.workflow_id != chunk[0].workflow_id or len(chunk) >= CHUNK):
            yield chunk
            chunk = []
        chunk.append(leaf)
    if chunk:
        yield chunk


def _iteration(scope: Scope, leaf: Leaf, step: IterationStep) -> dict[str, Any]:
    seq = [*leaf.seq, (step.run_id, step.attempt_id)]
    state = ordered({**step.runtime_state, "status": step.status}, RUNTIME_STATE_KEYS)
    reference = {
        "workflow_id": leaf.workflow_id,
        "workflow_instance_id": leaf.instance_id,
        "workflow_run_id": step.run_id,
        "step_id": scope.step_id,
        "step_attempt_id": step.attempt_id,
    }
    fields = {
        "workflow_id": scope.workflow_id,
        "step_id": scope.step_id,
        "iteration_rank": rank_text(leaf.rank),
        "step_attempt_seq": "-".join(
            f"{encode_by_length(run)}-{encode_by_length(attempt)}" for run, attempt in seq
        ),
        "leaf_step_instance_ref": reference,
        "loop_params": leaf.loop_params,
        "step_runtime_state": state,
        "workflow_instance_id": scope.instance_id,
        "workflow_run_id": leaf.seq[0][0],
    }
    return ordered(fields, ITERATION_KEYS)


def _direction(first: int | None, last: int | None) -> tuple[bool, int]:
    if (first is None) == (last is None):
        raise ValidationError(
            "Either first or last need to be provided, but not both",
            ["first, last: give exactly one"],
        )
    limit = first if first is not None else last
    assert limit is not None
    if not 1 <= limit <= PAGE_MAX:
        raise ValidationError(
            f"the page size [{limit}] must be between 1 and {PAGE_MAX}",
            [f"{'first' if first is not None else 'last'}: between 1 and {PAGE_MAX}"],
        )
    return first is not None, limit


def _cursor_rank(cursor: str) -> tuple[int, ...]:
    try:
        return parse_rank(_decode(cursor))
    except ValidationError:
        raise ValidationError(f"invalid cursor [{cursor}]", ["cursor: as returned"]) from None


def _encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def _decode(text: str) -> str:
    try:
        padded = text.encode() + b"=" * (-len(text) % 4)
        return base64.b64decode(padded, altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValidationError(f"invalid cursor [{text}]", ["cursor: base64url"]) from None


def _statuses(statuses: list[str] | None) -> set[str]:
    wanted: set[str] = set()
    for item in statuses or []:
        wanted.update(part.strip().upper() for part in item.split(",") if part.strip())
    return wanted


def _loop_filter(text: str | None) -> dict[str, str]:
    if not text:
        return {}
    try:
        data = json.loads(_decode(text))
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ValidationError(
            "loopParams must be a base64url JSON object of loop param names to values",
            ["loopParams: base64url of a JSON object"],
        )
    return {str(key): java_text(value) for key, value in data.items()}


def _params_match(params: dict[str, str], wanted: dict[str, str]) -> bool:
    return all(params.get(name) == value for name, value in wanted.items())
