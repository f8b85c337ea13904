"""Alerting's settings, from the environment (docs/alerting.md), and the notifiers they make."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from maestoso.alerting.email import EmailNotifier
from maestoso.alerting.notifier import Notifier
from maestoso.alerting.pagerduty import PAGERDUTY_EVENTS_URL, PagerDutyNotifier
from maestoso.alerting.slack import SLACK_API_URL, SlackNotifier
from maestoso.alerting.webhook import WebhookNotifier


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertSettings:
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "maestoso@localhost"
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    slack_token: str | None = None
    slack_api_url: str = SLACK_API_URL
    pagerduty_events_url: str = PAGERDUTY_EVENTS_URL
    pagerduty_routing_keys: Mapping[str, str] = field(default_factory=dict)
    webhook_url: str | None = None
    webhook_secret: str = ""
    public_url: str = "http://127.0.0.1:8080"
    """Where people reach the web UI: message links start with it."""
    retry_seconds: float = 5.0
    """The first pause after a failed send; each next one doubles, up to ``retry_max_seconds``."""
    retry_max_seconds: float = 300.0
    max_attempts: int = 20
    watch_seconds: float = 10.0
    """How often running runs are checked for time-based alerts (TCT, long running, ETA)."""
    timeout_seconds: float = 10.0
    """The longest one send may take; a node that dies while sending leaves the delivery to
    the next claim a moment after that."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AlertSettings:
        env = os.environ if env is None else env
        return cls(
            smtp_host=env.get("MAESTOSO_SMTP_HOST") or None,
            smtp_port=int(env.get("MAESTOSO_SMTP_PORT") or 25),
            smtp_from=env.get("MAESTOSO_SMTP_FROM") or "maestoso@localhost",
            smtp_user=env.get("MAESTOSO_SMTP_USER") or None,
            smtp_password=env.get("MAESTOSO_SMTP_PASSWORD") or None,
            smtp_starttls=(env.get("MAESTOSO_SMTP_STARTTLS") or "").lower() in ("1", "true", "yes"),
            slack_token=env.get("MAESTOSO_SLACK_TOKEN") or None,
            slack_api_url=env.get("MAESTOSO_SLACK_API_URL") or SLACK_API_URL,
            pagerduty_events_url=env.get("MAESTOSO_PAGERDUTY_EVENTS_URL") or PAGERDUTY_EVENTS_URL,
            pagerduty_routing_keys=routing_keys(env.get("MAESTOSO_PAGERDUTY_SERVICES", "")),
            webhook_url=env.get("MAESTOSO_EVENTS_WEBHOOK_URL") or None,
            webhook_secret=env.get("MAESTOSO_EVENTS_WEBHOOK_SECRET") or "",
            public_url=(env.get("MAESTOSO_PUBLIC_URL") or "http://127.0.0.1:8080").rstrip("/"),
            retry_seconds=float(env.get("MAESTOSO_ALERT_RETRY_SECONDS") or 5),
            retry_max_seconds=float(env.get("MAESTOSO_ALERT_RETRY_MAX_SECONDS") or 300),
            max_attempts=int(env.get("MAESTOSO_ALERT_MAX_ATTEMPTS") or 20),
            watch_seconds=float(env.get("MAESTOSO_ALERT_WATCH_SECONDS") or 10),
            timeout_seconds=float(env.get("MAESTOSO_ALERT_TIMEOUT_SECONDS") or 10),
        )


def routing_keys(value: str) -> dict[str, str]:
    """``service=routing_key,…``; a service listed without a key has none (it may be named by
    definitions but pages nowhere: its deliveries fail with that reason)."""
    keys: dict[str, str] = {}
    for item in value.split(","):
        service, _, key = item.partition("=")
        if service.strip():
            keys[service.strip()] = key.strip()
    return keys


def build_notifiers(settings: AlertSettings) -> list[Notifier]:
    """The notifiers ``settings`` configure; none when nothing is configured."""
    notifiers: list[Notifier] = []
    timeout = settings.timeout_seconds
    if settings.smtp_host:
        notifiers.append(
            EmailNotifier(
                host=settings.smtp_host,
                port=settings.smtp_port,
                sender=settings.smtp_from,
                user=settings.smtp_user,
                password=settings.smtp_password,
                starttls=settings.smtp_starttls,
                timeout=timeout,
            )
        )
    if settings.slack_token:
        notifiers.append(SlackNotifier(settings.slack_token, settings.slack_api_url, timeout))
    if settings.pagerduty_routing_keys:
        notifiers.append(
            PagerDutyNotifier(
                settings.pagerduty_routing_keys, settings.pagerduty_events_url, timeout
            )
        )
    if settings.webhook_url:
        notifiers.append(
            WebhookNotifier(
                settings.webhook_url, settings.webhook_secret, settings.public_url, timeout
            )
        )
    return notifiers
