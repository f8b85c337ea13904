"""Time triggers (cron, predefined, interval) and signal triggers."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from maestoso.models import (
    CronTimeTrigger,
    IntervalTimeTrigger,
    PredefinedTimeTrigger,
    SignalTrigger,
    TimeTrigger,
)
from maestoso.models.triggers import PREDEFINED_CRONS, SignalOperator

TRIGGER = TypeAdapter(TimeTrigger)


@pytest.mark.parametrize(
    ("data", "cls", "out"),
    [
        (
            {"type": "CRON", "cron": "0 0 12 1/1 * ? *", "timezone": "US/Pacific"},
            CronTimeTrigger,
            {"type": "CRON", "cron": "0 0 12 1/1 * ? *", "timezone": "US/Pacific"},
        ),
        (
            {"type": "cron", "cron": "*/5 * * * *", "fuzzy_max_delay": "30s"},
            CronTimeTrigger,
            {"type": "CRON", "cron": "*/5 * * * *", "fuzzy_max_delay": "30s"},
        ),
        (
            {"type": "Predefined", "expression": "@daily", "timezone": "Asia/Tokyo"},
            PredefinedTimeTrigger,
            {"type": "PREDEFINED", "expression": "@daily", "timezone": "Asia/Tokyo"},
        ),
        (
            {"type": "interval", "interval": "1 hour", "start_time": 1_700_000_000_000},
            IntervalTimeTrigger,
            {"type": "INTERVAL", "start_time": 1_700_000_000_000, "interval": "1 hour"},
        ),
        (
            {"type": "INTERVAL", "interval": 3600, "fuzzy_max_delay": 10},
            IntervalTimeTrigger,
            {"type": "INTERVAL", "interval": 3600, "fuzzy_max_delay": 10},
        ),
    ],
)
def test_time_trigger_variants(data: dict[str, Any], cls: type, out: dict[str, Any]) -> None:
    trigger = TRIGGER.validate_python(data)
    assert isinstance(trigger, cls)
    assert trigger.to_json() == out
    assert list(trigger.to_json()) == list(out)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"cron": "* * * * *"}, "type"),
        ({"type": "HOURLY", "cron": "* * * * *"}, "does not match any of the expected tags"),
        ({"type": "cron"}, "cron"),
        ({"type": "cron", "cron": "* * * * *", "expression": "@daily"}, "expression"),
        ({"type": "predefined"}, "expression"),
        ({"type": "interval"}, "interval"),
        ({"type": "interval", "interval": -5}, "must be non-negative"),
        ({"type": "cron", "cron": "* * * * *", "fuzzy_max_delay": "soon"}, "[soon]"),
        ("CRON", "valid dictionary"),
    ],
)
def test_time_trigger_rejects(data: Any, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TRIGGER.validate_python(data)
    assert message in str(caught.value)


def test_predefined_crons() -> None:
    assert PREDEFINED_CRONS["@hourly"] == "0 * * * *"
    assert PREDEFINED_CRONS["@daily"] == "0 0 * * *"
    assert PREDEFINED_CRONS["@weekly"] == "0 0 * * 0"
    assert PREDEFINED_CRONS["@monthly"] == "0 0 1 * *"
    assert PREDEFINED_CRONS["@yearly"] == "0 0 1 1 *"


def test_signal_trigger_round_trip() -> None:
    data = {
        "definitions": {
            "signal_a": {
                "match_params": {
                    "foo": {"value": "bat", "operator": "="},
                    "watermark": {"value": 12345, "operator": ">="},
                },
                "join_keys": ["updated_by"],
            },
            "signal_b": {"join_keys": ["posted_by"]},
        },
        "condition": "245 > 123",
        "dedup_expr": "return UUID.randomUUID().toString();",
        "params": {"foo": {"value": "bar", "type": "STRING"}},
    }
    trigger = SignalTrigger.model_validate(data)
    match = trigger.definitions["signal_a"].match_params
    assert match is not None
    assert match["foo"].value == "bat"
    assert match["watermark"].value == 12345
    assert match["watermark"].operator is SignalOperator.GREATER_THAN_EQUALS_TO
    assert trigger.to_json() == data


def test_signal_match_value_keeps_numeric_text_a_string() -> None:
    trigger = SignalTrigger.model_validate(
        {"definitions": {"s": {"match_params": {"x": {"value": "12", "operator": "<"}}}}}
    )
    match = trigger.definitions["s"].match_params
    assert match is not None and match["x"].value == "12"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"definitions": {"s": {"match_params": {"x": {"value": 1, "operator": "!="}}}}},
        {"definitions": {"s": {"match_params": {"x": {"value": [1], "operator": "="}}}}},
        {"definitions": {"s": {"unknown": 1}}},
    ],
)
def test_signal_trigger_rejects(data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        SignalTrigger.model_validate(data)
