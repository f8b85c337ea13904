"""Retry policies of typed steps, with Maestro's defaults."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from maestoso.models.base import MaestroModel
from maestoso.models.durations import ParsableLong


class ExponentialBackoff(MaestroModel):
    type: Literal["EXPONENTIAL_BACKOFF"] = "EXPONENTIAL_BACKOFF"
    error_retry_backoff_in_secs: ParsableLong | None = None
    error_retry_exponent: ParsableLong | None = None
    error_retry_limit_in_secs: ParsableLong | None = None
    platform_retry_backoff_in_secs: ParsableLong | None = None
    platform_retry_exponent: ParsableLong | None = None
    platform_retry_limit_in_secs: ParsableLong | None = None
    timeout_retry_backoff_in_secs: ParsableLong | None = None
    timeout_retry_exponent: ParsableLong | None = None
    timeout_retry_limit_in_secs: ParsableLong | None = None


class FixedBackoff(MaestroModel):
    type: Literal["FIXED_BACKOFF"] = "FIXED_BACKOFF"
    error_retry_backoff_in_secs: ParsableLong | None = None
    platform_retry_backoff_in_secs: ParsableLong | None = None
    timeout_retry_backoff_in_secs: ParsableLong | None = None


def _backoff_type(value: object) -> object:
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        return {**value, "type": value["type"].upper()}
    return value


# The type id is upper-cased before the discriminator reads it (type ids are case-insensitive).
Backoff = Annotated[
    Annotated[ExponentialBackoff | FixedBackoff, Field(discriminator="type")],
    BeforeValidator(_backoff_type),
]


class RetryPolicy(MaestroModel):
    """Limits per failure class; missing fields take the defaults below when a step runs."""

    error_retry_limit: ParsableLong | None = None
    platform_retry_limit: ParsableLong | None = None
    timeout_retry_limit: ParsableLong | None = None
    backoff: Backoff | None = None


DEFAULT_ERROR_RETRY_LIMIT = 2
DEFAULT_PLATFORM_RETRY_LIMIT = 10
DEFAULT_TIMEOUT_RETRY_LIMIT = 0
RETRY_LIMIT_MAX = 99
RETRY_WAIT_MAX_SECS = 86_400
DEFAULT_BACKOFF = ExponentialBackoff(
    error_retry_backoff_in_secs=60,
    error_retry_exponent=2,
    error_retry_limit_in_secs=600,
    platform_retry_backoff_in_secs=60,
    platform_retry_exponent=2,
    platform_retry_limit_in_secs=3600,
    timeout_retry_backoff_in_secs=60,
    timeout_retry_exponent=2,
    timeout_retry_limit_in_secs=3600,
)
