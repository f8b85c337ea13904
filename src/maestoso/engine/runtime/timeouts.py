"""Step and workflow timeouts: ParsableLong values resolved against the run's params.

A timeout is seconds (a number, a numeric string or a duration such as ``"1 min 40 s"``), or a
``$param``/``${param}`` reference to a workflow param holding one of those (``"${t}s"`` too).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from maestoso.errors import ValidationError
from maestoso.models import seconds_of
from maestoso.models.workflow import DEFAULT_WORKFLOW_TIMEOUT_SECS, TIMEOUT_MAX_SECS
from maestoso.params import interpolate


def resolve_seconds(value: int | str | None, params: Mapping[str, Any]) -> int | None:
    """The seconds ``value`` denotes once its param references are filled in; None if unset."""
    if value is None:
        return None
    if isinstance(value, str) and "$" in value:

        def lookup(name: str) -> Any:
            if name not in params:
                raise ValidationError(f"timeout [{value}] refers to an unknown param [{name}]")
            return params[name]

        value = interpolate(value, lookup)
    seconds = seconds_of(value)
    if seconds is None or seconds <= 0 or seconds > TIMEOUT_MAX_SECS:
        raise ValidationError(
            f"timeout [{value}] must be between 1 second and {TIMEOUT_MAX_SECS} seconds"
        )
    return seconds


def workflow_timeout_seconds(value: int | str | None, params: Mapping[str, Any]) -> int:
    return resolve_seconds(value, params) or DEFAULT_WORKFLOW_TIMEOUT_SECS
