"""From facts to deliveries: what a status change means for the event stream and for the
run's ``alerting`` block, stored as deliveries (each with the event that sends it).

Deciding twice (the fact handled again after a crash) stores nothing new: every delivery's
key names what it is about, so a repeated one is not written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from maestoso.alerting.messages import Subject, alert_message, digest, stream_message
from maestoso.alerting.notifier import ALERT_CHANNELS, Message, Notifier
from maestoso.alerting.rules import (
    enabled,
    parse_alerting,
    recipients,
    run_alerts,
    step_alert,
)
from maestoso.models.events import StatusChanged
from maestoso.models.properties import Alerting, AlertType
from maestoso.store.deliveries import NewDelivery
from maestoso.store.port import Store
from maestoso.store.records import InstanceRow


def address(
    message: Message,
    alerting: Alerting,
    alert_type: AlertType,
    params: Mapping[str, Any],
    notifiers: Sequence[str],
    subject: Subject,
    key: str,
) -> list[NewDelivery]:
    """One delivery per notifier and destination of an alert (one email to all addresses,
    one Slack post per channel, one page per service). ``key`` names the occasion: the same
    occasion is delivered once."""
    who = recipients(alerting, alert_type, params)
    incident = digest("incident", subject.workflow_id, subject.instance_id)
    plan: list[tuple[str, Message]] = []
    if "email" in notifiers and who.emails:
        plan.append(("email", replace(message, to=who.emails)))
    if "slack" in notifiers:
        mentions = who.mentions
        plan += [("slack", replace(message, to=(d,), mentions=mentions)) for d in who.slack]
    if "pagerduty" in notifiers:
        plan += [
            ("pagerduty", replace(message, to=(s,), severity=who.severity, dedup_key=incident))
            for s in who.pagerduties
        ]
    return [
        delivery(digest(key, notifier, *addressed.to), notifier, subject, addressed)
        for notifier, addressed in plan
    ]


def delivery(key: str, notifier: str, subject: Subject, message: Message) -> NewDelivery:
    return NewDelivery(
        key=key,
        notifier=notifier,
        alert_type=message.alert_type,
        workflow_id=subject.workflow_id,
        instance_id=subject.instance_id,
        run_id=subject.run_id,
        step_id=subject.step_id,
        message=message.to_json(),
    )


def run_alerting(row: InstanceRow, workflow_disabled: bool) -> Alerting | None:
    if workflow_disabled:
        return None
    return parse_alerting(row.record.run_properties.alerting)


class Decisions:
    def __init__(self, store: Store, notifiers: Sequence[Notifier], public_url: str) -> None:
        self._store = store
        self._public_url = public_url
        self._alert_channels = [n.name for n in notifiers if n.name in ALERT_CHANNELS]
        self._streams = [n.name for n in notifiers if n.name not in ALERT_CHANNELS]
        # Facts claimed together are decided together and their deliveries written in one
        # transaction; the stream's are buffered before any wait, in the facts' order, which
        # is the order the stream keeps.
        self._buffer: list[NewDelivery] = []
        self._writing = asyncio.Lock()

    async def on_status_changed(self, fact: StatusChanged) -> None:
        subject = Subject.of(fact)
        self._buffer.extend(self._stream_delivery(name, subject) for name in self._streams)
        alerts: list[NewDelivery] = []
        if self._alert_channels and fact.instance_id:
            alerts = await self._alerts(fact, subject)
        elif self._alert_channels and fact.version_id:
            alerts = await self._definition_change(fact, subject)
        self._buffer.extend(alerts)  # the buffer read after the wait: a flush may replace it
        await self._flush()

    async def _flush(self) -> None:
        """Write what is buffered; returns once this handler's deliveries are written (by
        this call or by one it waited for)."""
        async with self._writing:
            batch, self._buffer = self._buffer, []
            try:
                await self._store.add_deliveries(batch)
            except BaseException:
                self._buffer[:0] = batch  # the next flush writes them, or their facts retry
                raise

    def _stream_delivery(self, notifier: str, subject: Subject) -> NewDelivery:
        message = stream_message(subject, self._public_url)
        new = delivery(digest(notifier, message.dedup_key), notifier, subject, message)
        # One event drains an instance's changes (see ``dispatch``): one per batch will do.
        return replace(new, group=f"{notifier}/{subject.workflow_id}/{subject.instance_id}")

    async def _alerts(self, fact: StatusChanged, subject: Subject) -> list[NewDelivery]:
        row = await self._store.get_instance(fact.workflow_id, fact.instance_id, fact.run_id)
        if row is None:
            return []
        alerting = run_alerting(row, await alerting_disabled(self._store, fact.workflow_id))
        if alerting is None:
            return []
        if fact.step_id:
            found = step_alert(fact.status)
            types = [] if found is None else [found]
        else:
            duration = None if row.start_time is None else fact.time - row.start_time
            types = run_alerts(alerting, fact.status, duration)
        params = row.record.params_json
        deliveries: list[NewDelivery] = []
        for alert_type in types:
            if enabled(alerting, alert_type):
                message = alert_message(alert_type.value, subject, self._public_url)
                key = digest(alert_type, fact.workflow_id, fact.instance_id, fact.run_id)
                key = digest(key, fact.step_id, fact.attempt_id)
                deliveries += address(
                    message, alerting, alert_type, params, self._alert_channels, subject, key
                )
        if fact.status == "SUCCEEDED" and not fact.step_id:
            deliveries += await self._resolves(subject)
        return deliveries

    async def _definition_change(self, fact: StatusChanged, subject: Subject) -> list[NewDelivery]:
        """A new version, to the recipients of the workflow's properties as they are now."""
        workflow = await self._store.get_workflow(fact.workflow_id)
        if workflow is None or workflow.properties_snapshot.get("alerting_disabled"):
            return []
        alerting = parse_alerting(workflow.properties_snapshot.get("alerting"))
        alert_type = AlertType.DEFINITION_CHANGE
        if alerting is None or not enabled(alerting, alert_type):
            return []
        message = alert_message(alert_type.value, subject, self._public_url)
        key = digest(alert_type, fact.workflow_id, fact.version_id)
        return address(message, alerting, alert_type, {}, self._alert_channels, subject, key)

    async def _resolves(self, subject: Subject) -> list[NewDelivery]:
        """A run that succeeded resolves the incidents its instance's earlier runs opened."""
        opened = [
            row
            for row in await self._store.list_deliveries(subject.workflow_id, subject.instance_id)
            if row.notifier == "pagerduty" and not row.message.get("resolve")
        ]
        return [
            delivery(
                digest("resolve", row.delivery_id),
                "pagerduty",
                subject,
                replace(Message.from_json(row.message), resolve=True),
            )
            for row in opened
        ]


async def alerting_disabled(store: Store, workflow_id: str) -> bool:
    """``alerting_disabled`` as the workflow's properties say now: switching it on silences
    the runs already going too."""
    workflow = await store.get_workflow(workflow_id)
    return workflow is None or bool(workflow.properties_snapshot.get("alerting_disabled"))
