"""Retry policy arithmetic: how many retries each failure class gets, and how long to wait."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from maestoso.models import FailureMode, Step, TypedStep
from maestoso.models import seconds_of as _seconds_of
from maestoso.models.retry import (
    DEFAULT_BACKOFF,
    DEFAULT_ERROR_RETRY_LIMIT,
    DEFAULT_PLATFORM_RETRY_LIMIT,
    DEFAULT_TIMEOUT_RETRY_LIMIT,
    ExponentialBackoff,
    FixedBackoff,
    RetryPolicy,
)
from maestoso.models.statuses import StepStatus
from maestoso.runtimes import State
from maestoso.store.records import StepAttemptRow

_KIND = {
    StepStatus.USER_FAILED: "error",
    StepStatus.PLATFORM_FAILED: "platform",
    StepStatus.TIMEOUT_FAILED: "timeout",
}
_DEFAULT_LIMITS = {
    "error": DEFAULT_ERROR_RETRY_LIMIT,
    "platform": DEFAULT_PLATFORM_RETRY_LIMIT,
    "timeout": DEFAULT_TIMEOUT_RETRY_LIMIT,
}


def _number(value: int | str | None, default: int) -> int:
    if value is None:
        return default
    seconds = _seconds_of(value)
    return default if seconds is None else seconds


@dataclass(slots=True)
class RetryTracker:
    """Retries used so far, per failure class, against the step's policy."""

    policy: RetryPolicy
    used: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_DEFAULT_LIMITS, 0))

    @classmethod
    def of(cls, step: Step, previous: StepAttemptRow | None) -> RetryTracker:
        policy = step.retry_policy if isinstance(step, TypedStep) and step.retry_policy else None
        tracker = cls(policy or RetryPolicy())
        retry = (previous.record.step_retry if previous else None) or {}
        for kind in _DEFAULT_LIMITS:
            tracker.used[kind] = int(retry.get(f"{kind}_retries", 0))
        return tracker

    def limit(self, kind: str) -> int:
        return _number(getattr(self.policy, f"{kind}_retry_limit"), _DEFAULT_LIMITS[kind])

    def next_delay(self, status: StepStatus) -> float | None:
        """Seconds to wait before the next attempt, or None when no retry is left."""
        kind = _KIND.get(status)
        if kind is None or self.used[kind] >= self.limit(kind):
            return None
        delay = self.backoff_seconds(kind, self.used[kind])
        self.used[kind] += 1
        return delay

    def backoff_seconds(self, kind: str, retries: int) -> float:
        backoff = self.policy.backoff or DEFAULT_BACKOFF
        default = _number(getattr(DEFAULT_BACKOFF, f"{kind}_retry_backoff_in_secs"), 60)
        base = _number(getattr(backoff, f"{kind}_retry_backoff_in_secs"), default)
        if isinstance(backoff, FixedBackoff):
            return float(base)
        assert isinstance(backoff, ExponentialBackoff)
        exponent = _number(getattr(backoff, f"{kind}_retry_exponent"), 2)
        cap = _number(getattr(backoff, f"{kind}_retry_limit_in_secs"), 3600)
        return float(min(base * exponent**retries, cap))

    def summary(self, artifacts: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Maestro's ``step_retry`` bookkeeping: counts, limits, whether the system may
        retry (not when the work said so in a ``maestro_retry`` artifact) and the backoff
        merged with the defaults."""
        return {
            "error_retries": self.used["error"],
            "error_retry_limit": self.limit("error"),
            "platform_retries": self.used["platform"],
            "platform_retry_limit": self.limit("platform"),
            "timeout_retries": self.used["timeout"],
            "timeout_retry_limit": self.limit("timeout"),
            "manual_retries": 0,
            "retryable": not not_retryable(artifacts or {}),
            "backoff": backoff_json(self.policy.backoff),
        }


def backoff_json(backoff: ExponentialBackoff | FixedBackoff | None) -> dict[str, Any]:
    """A backoff with every field the defaults fill in, ``type`` last (Maestro's order)."""
    given = backoff or DEFAULT_BACKOFF
    defaults = (
        DEFAULT_BACKOFF
        if isinstance(given, ExponentialBackoff)
        else FixedBackoff(
            error_retry_backoff_in_secs=60,
            platform_retry_backoff_in_secs=60,
            timeout_retry_backoff_in_secs=60,
        )
    )
    merged = {**defaults.to_json(), **given.to_json()}
    kind = merged.pop("type")
    return {**merged, "type": kind}


_STATUS_OF = {
    State.DONE: StepStatus.SUCCEEDED,
    State.USER_ERROR: StepStatus.USER_FAILED,
    State.PLATFORM_ERROR: StepStatus.PLATFORM_FAILED,
    State.FATAL_ERROR: StepStatus.FATALLY_FAILED,
    State.STOPPED: StepStatus.STOPPED,
    State.TIMED_OUT: StepStatus.TIMEOUT_FAILED,
}


def final_status(state: State) -> StepStatus:
    """The status of an attempt whose work ended in ``state``."""
    return _STATUS_OF.get(state, StepStatus.INTERNALLY_FAILED)


def settle(status: StepStatus, step: Step) -> StepStatus:
    """The final status once no retry is left, after the step's failure mode."""
    if status.is_retryable:
        status = (
            StepStatus.TIMED_OUT
            if status is StepStatus.TIMEOUT_FAILED
            else StepStatus.FATALLY_FAILED
        )
    mode = getattr(step, "failure_mode", None)
    if status.is_failed and mode is FailureMode.IGNORE_FAILURE:
        return StepStatus.COMPLETED_WITH_ERROR
    return status


def not_retryable(artifacts: Mapping[str, Any]) -> bool:
    """The work said a retry would not help (Maestro's ``maestro_retry`` artifact)."""
    retry = artifacts.get("maestro_retry")
    return isinstance(retry, Mapping) and retry.get("retryable") is False


def next_attempt_id(previous: StepAttemptRow | None) -> int:
    """A new attempt after a failed one; the same attempt again if it never got far."""
    if previous is None:
        return 1
    if StepStatus(previous.status).is_retryable:
        return previous.attempt_id + 1
    return previous.attempt_id
