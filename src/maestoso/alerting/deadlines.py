"""When a run must be done by: its ``tct`` (target completion time) as a moment."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from maestoso.models.properties import Tct


def deadline(tct: Tct, run_start: int) -> int:
    """``completed_by_ts`` as given (epoch ms); ``duration_minutes`` after the run's start;
    ``completed_by_hour``: the first such hour (in ``tz``, UTC by default) after the start."""
    if tct.completed_by_ts is not None:
        return tct.completed_by_ts
    if tct.duration_minutes is not None:
        return run_start + tct.duration_minutes * 60_000
    try:
        zone = ZoneInfo(tct.tz or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    started = datetime.fromtimestamp(run_start / 1000, zone)
    due = started.replace(hour=tct.completed_by_hour or 0, minute=0, second=0, microsecond=0)
    if due <= started:
        due += timedelta(days=1)
    return int(due.timestamp() * 1000)
