"""Planning what a due time trigger fires, and firing it exactly once.

The watermark is the last scheduled time handled. A plan walks the scheduled times after it
up to now (at most ``PLAN_LIMIT`` per call: a longer backlog is walked over several ticks
and only its last part can fire),
splits them into times due just now and times missed (due for longer than the grace), keeps
the missed ones the catch-up policy wants, drops any closer than the two-minute minimum to the
one before, and moves the watermark past all of them. The store writes the new watermark and
the start events in one transaction, only if the watermark is still the one read.
"""

from __future__ import annotations

from dataclasses import dataclass

from maestoso.store.triggering import TimeTriggerRow, TriggerStore
from maestoso.triggers.catch_up import GRACE_MS, parse_catch_up
from maestoso.triggers.starts import time_start
from maestoso.triggers.time import MIN_INTERVAL_MS, Schedule

PLAN_LIMIT = 10_000


@dataclass(frozen=True, slots=True)
class Plan:
    fire_times: list[int]
    """Fire times (jitter included) to start, oldest first."""
    watermark: int
    next_fire_time: int | None
    skipped: int


def schedule_of(row: TimeTriggerRow) -> Schedule:
    definition = row.definition
    return Schedule(definition["trigger"], row.workflow_id, int(definition.get("anchor") or 0))


def plan(row: TimeTriggerRow, now: int) -> Plan:
    schedule = schedule_of(row)
    due: list[int] = []
    mark = row.watermark
    upcoming = schedule.next_after(mark)
    while upcoming is not None and schedule.fire_time(upcoming) <= now and len(due) < PLAN_LIMIT:
        due.append(schedule.fire_time(upcoming))
        mark = upcoming
        upcoming = schedule.next_after(mark)
    if len(due) == PLAN_LIMIT:
        # All of them are older than the backlog still to walk: no policy picks them.
        return Plan([], mark, schedule.fire_time(upcoming) if upcoming else None, len(due))
    missed = [t for t in due if now - t > GRACE_MS]
    policy = parse_catch_up(row.definition.get("catch_up"))
    chosen = policy.choose(missed, on_time=len(due) > len(missed))
    fires = _spaced(chosen + due[len(missed) :])
    next_fire = None if upcoming is None else schedule.fire_time(upcoming)
    return Plan(fires, mark, next_fire, len(due) - len(fires))


def _spaced(times: list[int]) -> list[int]:
    kept: list[int] = []
    for time in times:
        if not kept or time - kept[-1] >= MIN_INTERVAL_MS:
            kept.append(time)
    return kept


async def fire(store: TriggerStore, row: TimeTriggerRow, now: int) -> int | None:
    """Fire what is due of ``row``; the number of starts enqueued, None if another scheduler
    moved the watermark first."""
    planned = plan(row, now)
    schedule = schedule_of(row)
    events = [time_start(schedule, row.trigger_uuid, t, now) for t in planned.fire_times]
    done = await store.advance_time_trigger(
        row, watermark=planned.watermark, next_fire_time=planned.next_fire_time, events=events
    )
    return len(events) if done else None
