"""Run strategies: what happens to a workflow's runs when a new one arrives, and which
queued runs may start (Maestro's ``MaestroRunStrategyDao``).

* SEQUENTIAL: first in, first out, one at a time.
* STRICT_SEQUENTIAL: the same, but a FAILED run blocks the queue until it is restarted or
  unblocked (stored as FAILED_1 once unblocked, FAILED_2 once restarted).
* FIRST_ONLY: no queue; a run arriving while another is not finished is stopped at once.
* LAST_ONLY: no queue; a new run stops every unfinished one, then runs.
* PARALLEL: up to ``workflow_concurrency`` at once (0 pauses the workflow), the rest queued.
* SERIAL_LATEST_ONLY: one at a time; a new run stops the queued ones, never the running one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from maestoso.models import RunStrategy, RunStrategyRule
from maestoso.models.statuses import WorkflowStatus
from maestoso.store.port import InstanceStore
from maestoso.store.records import InstanceRow, RunLimit

_R = RunStrategyRule
CREATED = WorkflowStatus.CREATED.value
ACTIVE = (WorkflowStatus.IN_PROGRESS.value, WorkflowStatus.PAUSED.value)
NONTERMINAL = (CREATED, *ACTIVE)
BLOCKING_FAILURE = WorkflowStatus.FAILED.value
"""Only a plain FAILED blocks: FAILED_1 (unblocked) and FAILED_2 (restarted) do not."""
_LIMIT = 100_000


def strategy_of(properties_snapshot: dict[str, Any]) -> RunStrategy:
    return RunStrategy.model_validate(properties_snapshot.get("run_strategy") or "sequential")


@dataclass(slots=True)
class Arrival:
    """What a new run does to the others, and whether it may wait in the queue at all."""

    stop_new: bool = False
    stop_queued: list[InstanceRow] = field(default_factory=list)
    stop_running: list[InstanceRow] = field(default_factory=list)


async def on_arrival(store: InstanceStore, strategy: RunStrategy, workflow_id: str) -> Arrival:
    rule = strategy.rule
    if rule not in (_R.FIRST_ONLY, _R.LAST_ONLY, _R.SERIAL_LATEST_ONLY):
        return Arrival()
    unfinished = await store.find_instances(workflow_id, statuses=NONTERMINAL, limit=_LIMIT)
    queued = [row for row in unfinished if row.status == CREATED]
    running = [row for row in unfinished if row.status in ACTIVE]
    if rule is _R.FIRST_ONLY:
        return Arrival(stop_new=bool(unfinished))
    if rule is _R.LAST_ONLY:
        return Arrival(stop_queued=queued, stop_running=running)
    return Arrival(stop_queued=queued)


def run_limit(strategy: RunStrategy) -> RunLimit:
    """What the store counts to start a run at once (see ``InstanceStore.create_instance``)."""
    return RunLimit(
        concurrency=max(strategy.workflow_concurrency, 0),
        blocked_by_failure=strategy.rule is _R.STRICT_SEQUENTIAL,
    )


def limit_of(properties_snapshot: dict[str, Any]) -> RunLimit:
    """The run limit of a workflow's current properties snapshot."""
    return run_limit(strategy_of(properties_snapshot))


async def switch_problem(
    store: InstanceStore, workflow_id: str, current: RunStrategy | None, new: RunStrategy
) -> str | None:
    """Why the workflow cannot switch to ``new`` now (Maestro's rules), or None."""
    if current is not None and current.rule is new.rule:
        return None
    if new.rule not in (_R.FIRST_ONLY, _R.LAST_ONLY, _R.STRICT_SEQUENTIAL):
        return None
    unfinished = await store.find_instances(workflow_id, statuses=NONTERMINAL, limit=2)
    if len(unfinished) > 1:
        return (
            f"cannot switch the run strategy of [{workflow_id}] to {new.rule.value} while "
            f"{len(unfinished)} or more runs are not finished"
        )
    if new.rule is _R.STRICT_SEQUENTIAL:
        failed = await store.find_instances(workflow_id, statuses=(BLOCKING_FAILURE,), limit=1)
        if failed:
            return (
                f"cannot switch [{workflow_id}] to STRICT_SEQUENTIAL while run "
                f"[{failed[0].instance_id}] is FAILED: restart or unblock it first"
            )
    return None
