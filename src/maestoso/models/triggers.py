"""Time triggers (cron, predefined, interval) and signal triggers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from maestoso.models.base import CaseInsensitiveEnum, MaestroModel
from maestoso.models.durations import ParsableLong
from maestoso.models.interval_start import interval_start_ms
from maestoso.models.params import ParamMap


def _upper_type(value: Any) -> Any:
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        return {**value, "type": value["type"].upper()}
    return value


class CronTimeTrigger(MaestroModel):
    type: Literal["CRON"] = "CRON"
    cron: str
    timezone: str | None = None
    fuzzy_max_delay: ParsableLong | None = None


class PredefinedTimeTrigger(MaestroModel):
    type: Literal["PREDEFINED"] = "PREDEFINED"
    expression: str
    timezone: str | None = None
    fuzzy_max_delay: ParsableLong | None = None


def _start_text(value: Any) -> Any:
    if isinstance(value, str):
        interval_start_ms(value)  # a ValueError names the accepted forms
    return value


class IntervalTimeTrigger(MaestroModel):
    """``interval`` (a duration: ``3H``, ``90 min``…) from ``start`` (Maestro's date text, see
    ``interval_start``) or ``start_time`` (epoch ms, Maestoso's); without either, from when the
    version was activated."""

    type: Literal["INTERVAL"] = "INTERVAL"
    start: Annotated[str | None, BeforeValidator(_start_text)] = None
    start_time: int | None = None
    interval: ParsableLong
    timezone: str | None = None
    fuzzy_max_delay: ParsableLong | None = None

    @property
    def start_ms(self) -> int | None:
        if self.start_time is not None:
            return self.start_time
        return None if self.start is None else interval_start_ms(self.start)


# The type id is upper-cased before the discriminator reads it (type ids are case-insensitive).
TimeTrigger = Annotated[
    Annotated[
        CronTimeTrigger | PredefinedTimeTrigger | IntervalTimeTrigger,
        Field(discriminator="type"),
    ],
    BeforeValidator(_upper_type),
]

PREDEFINED_CRONS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}


class SignalOperator(CaseInsensitiveEnum):
    EQUALS_TO = "="
    GREATER_THAN = ">"
    GREATER_THAN_EQUALS_TO = ">="
    LESS_THAN = "<"
    LESS_THAN_EQUALS_TO = "<="


class SignalMatchParam(MaestroModel):
    value: Annotated[str | int, Field(union_mode="left_to_right")]
    operator: SignalOperator


class SignalTriggerEntry(MaestroModel):
    match_params: dict[str, SignalMatchParam] | None = None
    join_keys: list[str] | None = None


class SignalTrigger(MaestroModel):
    definitions: dict[str, SignalTriggerEntry]
    condition: str | None = None
    dedup_expr: str | None = None
    params: ParamMap | None = None
