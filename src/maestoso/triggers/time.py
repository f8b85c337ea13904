"""When a time trigger fires: cron (Unix or Quartz), predefined (``@daily``…) and interval.

Times are epoch milliseconds. ``Schedule.next_after(t)`` is the first scheduled time strictly
after ``t``, without jitter; ``fire_time`` adds the trigger's deterministic jitter. A cron is
read in its time zone, so a daily cron fires once a day at its local time across DST changes:
a wall-clock time that comes twice (the hour repeated in autumn) fires once, and one that does
not exist (the hour skipped in spring) fires at the first minute after the jump.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from croniter import croniter

from maestoso.dsl.validation import quartz_to_unix
from maestoso.models.durations import duration_millis
from maestoso.models.interval_start import interval_start_ms
from maestoso.models.naming import canonical, name_uuid
from maestoso.models.triggers import PREDEFINED_CRONS

MIN_INTERVAL_MS = 2 * 60 * 1000
"""The shortest time between two firings of a trigger (Maestro's minimum)."""

DEFAULT_TIMEZONE = "UTC"


@dataclass(frozen=True, slots=True)
class Schedule:
    """One time trigger of one workflow."""

    trigger: dict[str, Any]
    """The trigger as in the definition (``{"type": "CRON", "cron": …, "timezone": …}``)."""
    workflow_id: str
    anchor: int = 0
    """An interval trigger without ``start_time`` counts from here (its subscription time)."""

    @property
    def kind(self) -> str:
        return str(self.trigger.get("type", "")).upper()

    @property
    def timezone(self) -> str:
        return str(self.trigger.get("timezone") or DEFAULT_TIMEZONE)

    def next_after(self, time_ms: int) -> int | None:
        """The first scheduled time strictly after ``time_ms`` (no jitter); None if none."""
        if self.kind == "INTERVAL":
            return self._next_interval(time_ms)
        zone = ZoneInfo(self.timezone)
        start = datetime.fromtimestamp(time_ms / 1000, UTC).astimezone(zone)
        times = croniter(self.cron(), start)
        for _ in range(4):
            found: datetime = times.get_next(datetime)
            # The autumn hour comes twice; its wall-clock times fire only the first time.
            if found.replace(tzinfo=None) != start.replace(tzinfo=None):
                return int(found.timestamp() * 1000)
        return None

    def fire_time(self, scheduled: int) -> int:
        return scheduled + self.jitter_ms()

    def jitter_ms(self) -> int:
        """A delay in ``[0, fuzzy_max_delay)`` whole seconds, the same for every firing of
        this trigger of this workflow (seeded by a name UUID of both, as Maestro does)."""
        limit = _millis(self.trigger.get("fuzzy_max_delay"), numbers_are="ms") // 1000
        if limit <= 0:
            return 0
        seed = uuid.UUID(name_uuid(canonical(self.trigger) + self.workflow_id)).int
        return random.Random(seed).randrange(limit) * 1000

    def cron(self) -> str:
        """The trigger as a 5-field Unix cron expression."""
        if self.kind == "PREDEFINED":
            expression = str(self.trigger.get("expression", "")).lower()
            if expression not in PREDEFINED_CRONS:
                raise ValueError(f"[{expression}] is not a predefined schedule")
            return PREDEFINED_CRONS[expression]
        text = str(self.trigger.get("cron", ""))
        fields = text.split()
        if len(fields) in (6, 7):
            unix = quartz_to_unix(fields)
            if unix is None:
                raise ValueError(f"[{text}] is not a Quartz cron this server runs")
            return unix
        return text

    def interval_ms(self) -> int:
        return _millis(self.trigger.get("interval"), numbers_are="s")

    def _next_interval(self, time_ms: int) -> int | None:
        step = self.interval_ms()
        if step <= 0:
            return None
        start = self.trigger.get("start_time")
        if not isinstance(start, int) and isinstance(self.trigger.get("start"), str):
            start = interval_start_ms(self.trigger["start"])  # Maestro's text form
        origin = int(start) if isinstance(start, int) else self.anchor
        if time_ms < origin:
            return origin
        return origin + ((time_ms - origin) // step + 1) * step


def schedule_problem(schedule: Schedule, now: int) -> str | None:
    """Why the trigger cannot be scheduled (a bad expression, firings closer than two
    minutes), or None."""
    try:
        first = schedule.next_after(now)
        second = None if first is None else schedule.next_after(first)
    except (ValueError, KeyError, TypeError) as exc:
        return f"[time-trigger] {schedule.trigger} is not valid: {exc}"
    if first is not None and second is not None and second - first < MIN_INTERVAL_MS:
        return (
            "[time-trigger] the interval between time triggers is less than the minimal "
            f"value [{MIN_INTERVAL_MS}] millis"
        )
    return None


def next_fire_times(schedules: list[Schedule], now: int) -> list[int | None]:
    """Each trigger's next firing after ``now`` (jitter included), in the given order."""
    result: list[int | None] = []
    for schedule in schedules:
        try:
            scheduled = schedule.next_after(now)
        except (ValueError, KeyError, TypeError):
            scheduled = None
        result.append(None if scheduled is None else schedule.fire_time(scheduled))
    return result


def _millis(value: Any, *, numbers_are: str) -> int:
    if value is None or isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value if numbers_are == "ms" else value * 1000
    text = str(value).strip()
    if text.isdigit():
        return _millis(int(text), numbers_are=numbers_are)
    millis = duration_millis(text)
    if millis is None:
        raise ValueError(f"[{text}] is not a duration")
    return millis


def next_execution_extras(workflow: dict[str, Any], now: int) -> dict[str, Any]:
    """``next_execution_time`` (the earliest) and ``next_execution_times`` (per trigger, in
    definition order) of a workflow's time triggers, as Maestro's enriched extras."""
    triggers = workflow.get("time_triggers") or []
    if not triggers:
        return {}
    workflow_id = str(workflow.get("id", ""))
    times = next_fire_times([Schedule(t, workflow_id, anchor=now) for t in triggers], now)
    known = [t for t in times if t is not None]
    extras: dict[str, Any] = {"next_execution_times": times}
    if known:
        extras = {"next_execution_time": min(known), **extras}
    return extras
