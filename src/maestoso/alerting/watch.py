"""Time-based alerts, found by looking at the runs in progress every few seconds:
TCT_VIOLATION (the target passed, or predicted to be missed), LONG_RUNNING (a run or step
over ``duration_minutes``) and DEPENDENCY_LATE (a step waiting for signals that long).

Each is delivered once per run (or step attempt) by its key, however many checks and nodes
see it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from maestoso.alerting.deadlines import deadline
from maestoso.alerting.decide import address, alerting_disabled, run_alerting
from maestoso.alerting.history import Predictions
from maestoso.alerting.messages import Subject, alert_message, digest
from maestoso.alerting.rules import enabled, type_config
from maestoso.clock import Clock
from maestoso.models.naming import is_inline
from maestoso.models.properties import Alerting, AlertType
from maestoso.store.deliveries import NewDelivery
from maestoso.store.port import Store
from maestoso.store.records import InstanceRow, StepAttemptRow

logger = logging.getLogger(__name__)


class Watch:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        predictions: Predictions,
        notifiers: Sequence[str],
        *,
        public_url: str,
        groups: int,
        interval: float,
        wake: Callable[[], None] = lambda: None,
    ) -> None:
        self._store, self._clock = store, clock
        self._predictions = predictions
        self._notifiers = list(notifiers)
        self._public_url = public_url
        self._groups = groups
        self._interval = interval
        self._wake = wake

    async def run(self) -> None:
        while True:
            # The next look is timed from the start of this one (on a virtual clock, time
            # then never jumps past it while this one waits for the database).
            tick = asyncio.ensure_future(self._clock.sleep(self._interval))
            try:
                await self.check()
            except asyncio.CancelledError:
                tick.cancel()
                raise
            except Exception as exc:  # the database is away: look again next time
                logger.warning("alert deadlines not checked: %s", exc)
            await tick

    async def check(self) -> int:
        """Look at every run in progress once; how many deliveries were decided."""
        if not self._notifiers:
            return 0
        deliveries: list[NewDelivery] = []
        for row in await self._store.unfinished_instances(list(range(self._groups))):
            if is_inline(row.workflow_id) or row.start_time is None:
                continue
            alerting = run_alerting(row, workflow_disabled=False)
            if alerting is None or not timed(alerting):
                continue  # nothing here depends on time: no query for this run
            if not await alerting_disabled(self._store, row.workflow_id):
                deliveries += await self._run(row, alerting)
        if await self._store.add_deliveries(deliveries):
            self._wake()
        return len(deliveries)

    async def _run(self, row: InstanceRow, alerting: Alerting) -> list[NewDelivery]:
        now = self._clock.now_ms()
        steps = await self._store.get_step_attempts(row.workflow_id, row.instance_id, row.run_id)
        found = self._tct(row, alerting, now) + self._long(row, alerting, steps, now)
        if alerting.tct is not None and enabled(alerting, AlertType.TCT_VIOLATION):
            found += await self._predicted(row, alerting, steps, now)
        return found

    def _deliveries(
        self,
        row: InstanceRow,
        alerting: Alerting,
        alert_type: AlertType,
        detail: str,
        *,
        step: StepAttemptRow | None = None,
        occasion: str = "",
    ) -> list[NewDelivery]:
        subject = Subject(
            workflow_id=row.workflow_id,
            instance_id=row.instance_id,
            run_id=row.run_id,
            step_id="" if step is None else step.step_id,
            attempt_id=0 if step is None else step.attempt_id,
            status=row.status if step is None else step.status,
            time=self._clock.now_ms(),
        )
        message = alert_message(alert_type.value, subject, self._public_url, detail=detail)
        key = digest(alert_type, occasion, row.workflow_id, row.instance_id, row.run_id)
        key = digest(key, subject.step_id, subject.attempt_id)
        params = row.record.params_json
        return address(message, alerting, alert_type, params, self._notifiers, subject, key)

    def _tct(self, row: InstanceRow, alerting: Alerting, now: int) -> list[NewDelivery]:
        if alerting.tct is None or not enabled(alerting, AlertType.TCT_VIOLATION):
            return []
        due = deadline(alerting.tct, row.start_time or row.create_time)
        if now <= due:
            return []
        detail = f"Not done by its target completion time ({_utc(due)})"
        return self._deliveries(row, alerting, AlertType.TCT_VIOLATION, detail)

    async def _predicted(
        self, row: InstanceRow, alerting: Alerting, steps: list[StepAttemptRow], now: int
    ) -> list[NewDelivery]:
        tct = alerting.tct
        due = now if tct is None else deadline(tct, row.start_time or row.create_time)
        if now >= due:
            return []
        eta = await self._predictions.eta(row, steps)
        # The earliest likely end, not the middle one: warn only when even that misses.
        if eta is None or eta.earliest <= due:
            return []
        behind = ", ".join(f"{step} ({late / 1000:.0f}s late)" for step, late in eta.behind[:5])
        detail = (
            f"Predicted to miss its target completion time ({_utc(due)}): expected at "
            f"{_utc(eta.end_time)} (confidence {eta.confidence:.0%})"
        )
        if behind:
            detail += f"; behind: {behind}"
        return self._deliveries(
            row, alerting, AlertType.TCT_VIOLATION, detail, occasion="predicted"
        )

    def _long(
        self, row: InstanceRow, alerting: Alerting, steps: list[StepAttemptRow], now: int
    ) -> list[NewDelivery]:
        found: list[NewDelivery] = []
        for alert_type in (AlertType.LONG_RUNNING, AlertType.DEPENDENCY_LATE):
            config = type_config(alerting, alert_type)
            if config is None or config.duration_minutes is None:
                continue
            if not enabled(alerting, alert_type):
                continue
            limit = config.duration_minutes * 60_000
            detail = f"Over {config.duration_minutes} minutes"
            if alert_type is AlertType.LONG_RUNNING and now - (row.start_time or now) > limit:
                found += self._deliveries(row, alerting, alert_type, detail)
            for step in steps:
                if _over(step, alert_type, now, limit):
                    found += self._deliveries(row, alerting, alert_type, detail, step=step)
        return found


def timed(alerting: Alerting) -> bool:
    """Whether a run's alerts depend on time (a target, or a duration limit)."""
    limits = (type_config(alerting, t) for t in (AlertType.LONG_RUNNING, AlertType.DEPENDENCY_LATE))
    return alerting.tct is not None or any(c and c.duration_minutes is not None for c in limits)


def _over(step: StepAttemptRow, alert_type: AlertType, now: int, limit: int) -> bool:
    state = step.runtime_state
    if alert_type is AlertType.DEPENDENCY_LATE:
        waiting = step.status == "WAITING_FOR_SIGNALS"
        return waiting and now - int(state.get("modify_time") or now) > limit
    started = state.get("start_time")
    return step.status == "RUNNING" and started is not None and now - int(started) > limit


def _utc(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
