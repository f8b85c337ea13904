"""Time-trigger schedules: cron in a time zone across DST, Quartz, predefined, interval, jitter."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from maestoso.store.triggering import TimeTriggerRow
from maestoso.triggers.firing import plan
from maestoso.triggers.time import Schedule, next_execution_extras, schedule_problem

PACIFIC = ZoneInfo("US/Pacific")
DAY = 86_400_000


def ms(*parts: int, zone: ZoneInfo = PACIFIC) -> int:
    return int(datetime(*parts, tzinfo=zone).timestamp() * 1000)  # type: ignore[misc]


def fires(schedule: Schedule, start: int, end: int) -> list[datetime]:
    times, current = [], schedule.next_after(start)
    while current is not None and current <= end:
        times.append(datetime.fromtimestamp(current / 1000, PACIFIC))
        current = schedule.next_after(current)
    return times


def test_a_daily_cron_fires_once_a_day_at_its_local_time_across_both_dst_changes() -> None:
    for cron in ("0 12 * * *", "0 0 12 1/1 * ? *", "30 1 * * *", "30 2 * * *"):
        daily = Schedule({"type": "CRON", "cron": cron, "timezone": "US/Pacific"}, "wf")
        for start in (ms(2021, 3, 10), ms(2021, 11, 3)):  # spring forward, fall back
            times = fires(daily, start, start + 7 * DAY - 1)
            assert len(times) == 7, (cron, times)
            assert len({t.date() for t in times}) == 7
    noon = Schedule({"type": "CRON", "cron": "0 0 12 1/1 * ? *", "timezone": "US/Pacific"}, "wf")
    times = fires(noon, ms(2021, 3, 13), ms(2021, 3, 15, 23))
    assert [(t.hour, t.utcoffset().total_seconds() / 3600) for t in times] == [  # type: ignore[union-attr]
        (12, -8),
        (12, -7),
        (12, -7),
    ]


def test_predefined_and_interval_schedules() -> None:
    tokyo = Schedule({"type": "PREDEFINED", "expression": "@daily", "timezone": "Asia/Tokyo"}, "w")
    midnight = tokyo.next_after(ms(2021, 1, 1, 12, zone=ZoneInfo("Asia/Tokyo")))
    assert midnight == ms(2021, 1, 2, zone=ZoneInfo("Asia/Tokyo"))
    every = Schedule({"type": "INTERVAL", "interval": "3 hours", "start_time": 1000}, "w")
    assert every.next_after(0) == 1000
    assert every.next_after(1000) == 1000 + 3 * 3_600_000
    anchored = Schedule({"type": "INTERVAL", "interval": 600}, "w", anchor=5000)
    assert anchored.next_after(5000) == 5000 + 600_000


def test_jitter_is_deterministic_per_workflow_and_below_the_maximum() -> None:
    trigger = {"type": "CRON", "cron": "*/2 * * * *", "fuzzy_max_delay": "30s"}
    jitters = {Schedule(trigger, f"wf-{n}").jitter_ms() for n in range(50)}
    assert all(0 <= j < 30_000 and j % 1000 == 0 for j in jitters) and len(jitters) > 5
    assert Schedule(trigger, "wf-1").jitter_ms() == Schedule(trigger, "wf-1").jitter_ms()
    assert Schedule({"type": "CRON", "cron": "0 * * * *"}, "wf").jitter_ms() == 0


def test_triggers_firing_more_often_than_every_two_minutes_are_refused() -> None:
    assert schedule_problem(Schedule({"type": "CRON", "cron": "* * * * *"}, "w"), 0)
    assert schedule_problem(Schedule({"type": "CRON", "cron": "*/2 * * * *"}, "w"), 0) is None
    assert schedule_problem(Schedule({"type": "CRON", "cron": "nonsense"}, "w"), 0)


def test_next_execution_times_follow_the_definition_order() -> None:
    workflow = {
        "id": "wf",
        "time_triggers": [
            {"type": "CRON", "cron": "0 12 * * *", "timezone": "US/Pacific"},
            {"type": "PREDEFINED", "expression": "@hourly"},
        ],
    }
    now = ms(2021, 3, 13, 9)
    extras = next_execution_extras(workflow, now)
    assert extras["next_execution_times"] == [ms(2021, 3, 13, 12), ms(2021, 3, 13, 10)]
    assert extras["next_execution_time"] == ms(2021, 3, 13, 10)
    assert next_execution_extras({"id": "wf"}, now) == {}


def row(policy: str, watermark: int) -> TimeTriggerRow:
    return TimeTriggerRow(
        workflow_id="wf",
        trigger_uuid="u",
        trigger_index=0,
        definition={
            "trigger": {"type": "CRON", "cron": "0 * * * *"},
            "catch_up": {"policy": policy, "max_runs": 2},
        },
        watermark=watermark,
        next_fire_time=watermark + 3_600_000,
    )


def test_missed_times_are_fired_per_the_catch_up_policy() -> None:
    hour = 3_600_000
    start = ms(2021, 1, 1, zone=ZoneInfo("UTC"))
    now = start + 4 * hour + 10  # three hours missed, the fourth due just now
    hours = [start + n * hour for n in range(1, 5)]
    assert plan(row("all", start), now).fire_times == hours[1:]  # at most 2 missed ones
    assert plan(row("last", start), now).fire_times == hours[3:]
    assert plan(row("none", start), now).fire_times == hours[3:]
    late = now + 5 * 60_000
    assert plan(row("last", start), late).fire_times == hours[3:]
    skipped = plan(row("none", start), late)
    assert skipped.fire_times == [] and skipped.skipped == 4
    assert skipped.watermark == hours[3] and skipped.next_fire_time == start + 5 * hour
