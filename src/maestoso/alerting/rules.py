"""Which alerts a status change raises, and to whom: Maestro's alert types over a run's
``alerting`` block, with ``type_configs`` overriding the block per type.

Opt-in types (a ``type_configs`` entry turns them on): RUN_SUCCESS, SUCCESS_WITHIN and
DEFINITION_CHANGE. The others are on unless ``disabled``: STEP_FAILURE, BREAKPOINT_HIT,
and, when their limits are set, LONG_RUNNING, DEPENDENCY_LATE and TCT_VIOLATION.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from maestoso.models.properties import AlertAction, Alerting, AlertingTypeConfig, AlertType

OPT_IN = frozenset({AlertType.RUN_SUCCESS, AlertType.SUCCESS_WITHIN, AlertType.DEFINITION_CHANGE})

STEP_FAILED = frozenset({"FATALLY_FAILED", "INTERNALLY_FAILED", "TIMED_OUT"})
"""Step statuses that are failures after every retry (a retryable failure is not one yet)."""

MAX_DESTINATIONS = 50
"""Addresses, channels or services an alert goes to per notifier, at most: a definition
cannot turn one failure into thousands of messages."""

_PARAM = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Recipients:
    emails: tuple[str, ...] = ()
    slack: tuple[str, ...] = ()
    """Channels, then users."""
    mentions: tuple[str, ...] = ()
    pagerduties: tuple[str, ...] = ()
    severity: str = "error"


def parse_alerting(document: Mapping[str, Any] | None) -> Alerting | None:
    """The ``alerting`` block of a run's properties; None when absent or unreadable (an old
    run's block that no longer parses must not stop its other deliveries)."""
    if not document:
        return None
    try:
        return Alerting.model_validate(document)
    except ValueError:
        return None


def type_config(alerting: Alerting, alert_type: AlertType) -> AlertingTypeConfig | None:
    return (alerting.type_configs or {}).get(alert_type)


def enabled(alerting: Alerting | None, alert_type: AlertType) -> bool:
    if alerting is None:
        return False
    config = type_config(alerting, alert_type)
    if config is not None and config.disabled:
        return False
    return config is not None or alert_type not in OPT_IN


def recipients(alerting: Alerting, alert_type: AlertType, params: Mapping[str, Any]) -> Recipients:
    """Who gets an alert of ``alert_type``: the type's own lists where given, else the
    block's; ``actions`` narrows the channels; ``${param}`` is replaced by the run's value."""
    config = type_config(alerting, alert_type) or AlertingTypeConfig()
    actions = set(config.actions or ())
    everything = not actions or AlertAction.ALL in actions
    slack = config.slack or alerting.slack
    pager = alerting.pagerduty_config
    always_page = bool(pager and pager.always_page)

    def wanted(action: AlertAction) -> bool:
        return everything or action in actions

    def filled(values: list[str] | None) -> tuple[str, ...]:
        return tuple(interpolate(v, params) for v in (values or [])[:MAX_DESTINATIONS])

    return Recipients(
        emails=filled(config.emails or alerting.emails) if wanted(AlertAction.EMAIL) else (),
        slack=filled([*(slack.channels or []), *(slack.users or [])])
        if slack and wanted(AlertAction.SLACK)
        else (),
        mentions=filled(slack.mention_users) if slack else (),
        pagerduties=filled(config.pagerduties or alerting.pagerduties)
        if wanted(AlertAction.PAGE) or always_page
        else (),
        severity=pager.severity.value if pager and pager.severity else "error",
    )


def interpolate(text: str, params: Mapping[str, Any]) -> str:
    """``${name}`` replaced by the run param ``name`` (left as is when there is none)."""

    def value(match: re.Match[str]) -> str:
        param = params.get(match.group(1))
        if not isinstance(param, Mapping):
            return match.group(0)
        found = param.get("evaluated_result", param.get("value"))
        return match.group(0) if found is None else str(found)

    return _PARAM.sub(value, text)


def step_alert(status: str) -> AlertType | None:
    """The alert a step status raises at once."""
    if status in STEP_FAILED:
        return AlertType.STEP_FAILURE
    if status == "PAUSED":
        return AlertType.BREAKPOINT_HIT
    return None


def run_alerts(alerting: Alerting, status: str, duration_ms: int | None) -> list[AlertType]:
    """The alerts a run's new status raises at once."""
    if status != "SUCCEEDED":
        return []
    found = [AlertType.RUN_SUCCESS]
    within = type_config(alerting, AlertType.SUCCESS_WITHIN)
    if (
        within is not None
        and within.duration_minutes is not None
        and duration_ms is not None
        and duration_ms <= within.duration_minutes * 60_000
    ):
        found.append(AlertType.SUCCESS_WITHIN)
    return found
