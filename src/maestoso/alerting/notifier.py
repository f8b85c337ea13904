"""What a notifier is: a name and an async send of one message, which raises to be retried.

A message is notifier-neutral: each notifier reads the fields its protocol needs. It is
stored as JSON in its delivery row and read back for every attempt, so it carries all that
sending needs and nothing a notifier must look up again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

ALERT_CHANNELS = ("email", "slack", "pagerduty")
"""Notifiers that receive the alerts of a run's ``alerting`` block, addressed to its
recipients; every other notifier receives the stream of status changes."""


class Notifier(Protocol):
    name: str

    async def send(self, message: Message) -> None:
        """Deliver ``message``; raise if it was not delivered (``PermanentError`` when trying
        again cannot help)."""
        ...


class PermanentError(Exception):
    """A delivery that no retry can make succeed (a service with no routing key…)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Message:
    alert_type: str
    """An ``AlertType``, or ``STATUS_CHANGE`` for the event stream."""
    title: str
    text: str
    link: str = ""
    to: tuple[str, ...] = ()
    """Email addresses, Slack channels and users, or PagerDuty services."""
    mentions: tuple[str, ...] = ()
    severity: str = "error"
    resolve: bool = False
    """A PagerDuty resolve of the incident ``dedup_key`` rather than a trigger."""
    dedup_key: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)
    """The facts behind the message (ids, statuses, times), as JSON."""

    def to_json(self) -> dict[str, Any]:
        return {
            "alert_type": self.alert_type,
            "title": self.title,
            "text": self.text,
            "link": self.link,
            "to": list(self.to),
            "mentions": list(self.mentions),
            "severity": self.severity,
            "resolve": self.resolve,
            "dedup_key": self.dedup_key,
            "data": dict(self.data),
        }

    @classmethod
    def from_json(cls, payload: Mapping[str, Any]) -> Message:
        return cls(
            alert_type=str(payload["alert_type"]),
            title=str(payload["title"]),
            text=str(payload["text"]),
            link=str(payload.get("link", "")),
            to=tuple(payload.get("to", ())),
            mentions=tuple(payload.get("mentions", ())),
            severity=str(payload.get("severity", "error")),
            resolve=bool(payload.get("resolve", False)),
            dedup_key=str(payload.get("dedup_key", "")),
            data=dict(payload.get("data", {})),
        )
