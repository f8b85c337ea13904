"""Small builders shared by the params tests."""

from __future__ import annotations

from typing import Any

from maestoso.clock import FakeClock
from maestoso.models import ParamDefinition

NOW = 1_569_018_000_000  # 2019-09-20T22:20:00Z


def defs(**params: dict[str, Any]) -> dict[str, ParamDefinition]:
    return {name: ParamDefinition.model_validate(raw) for name, raw in params.items()}


def clock() -> FakeClock:
    return FakeClock(NOW)
