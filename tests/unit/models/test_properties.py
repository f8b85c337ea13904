"""Workflow properties: run strategy shorthands, concurrency limits, alerting and Tct."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from maestoso.models import (
    Alerting,
    Properties,
    PropertiesSnapshot,
    PropertiesUpdate,
    RunStrategy,
    RunStrategyRule,
)
from maestoso.models.properties import (
    PROPERTY_FIELDS,
    AlertAction,
    AlertType,
    Severity,
    Tct,
)


def _error(model: Any, data: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return str(caught.value)


@pytest.mark.parametrize(
    ("given", "rule", "concurrency"),
    [
        ("sequential", RunStrategyRule.SEQUENTIAL, 1),
        ("SEQUENTIAL", RunStrategyRule.SEQUENTIAL, 1),
        ("strict_sequential", RunStrategyRule.STRICT_SEQUENTIAL, 1),
        ("first_only", RunStrategyRule.FIRST_ONLY, 1),
        ("Last_Only", RunStrategyRule.LAST_ONLY, 1),
        ("serial_latest_only", RunStrategyRule.SERIAL_LATEST_ONLY, 1),
        ("parallel", RunStrategyRule.PARALLEL, 20),
        (5, RunStrategyRule.PARALLEL, 5),
        (1, RunStrategyRule.PARALLEL, 1),
        (0, RunStrategyRule.PARALLEL, 0),
        (1000, RunStrategyRule.PARALLEL, 1000),
        ({"rule": "PARALLEL"}, RunStrategyRule.PARALLEL, 20),
        ({"rule": "parallel", "workflow_concurrency": 7}, RunStrategyRule.PARALLEL, 7),
        ({"rule": "sequential"}, RunStrategyRule.SEQUENTIAL, 1),
        ({"rule": "sequential", "workflow_concurrency": 1}, RunStrategyRule.SEQUENTIAL, 1),
        ({"rule": "first_only", "workflow_concurrency": 0}, RunStrategyRule.FIRST_ONLY, 0),
    ],
)
def test_run_strategy_forms(given: Any, rule: RunStrategyRule, concurrency: int) -> None:
    strategy = RunStrategy.model_validate(given)
    assert strategy.rule is rule
    assert strategy.workflow_concurrency == concurrency
    assert strategy.to_json() == {"rule": rule.value, "workflow_concurrency": concurrency}


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"rule": "sequential", "workflow_concurrency": 2}, "only the PARALLEL run strategy"),
        ({"rule": "LAST_ONLY", "workflow_concurrency": 20}, "only the PARALLEL run strategy"),
        (1001, "less than or equal to 1000"),
        (-1, "greater than or equal to 0"),
        ({"rule": "parallel", "workflow_concurrency": 1001}, "less than or equal to 1000"),
        ("sometimes", "rule"),
        (True, "valid dictionary"),
        ({"workflow_concurrency": 3}, "rule"),
        ({"rule": "PARALLEL", "extra": 1}, "extra"),
    ],
)
def test_run_strategy_rejects(given: Any, message: str) -> None:
    assert message in _error(RunStrategy, given)


def test_properties_in_maestros_order_with_nulls_omitted() -> None:
    props = Properties.model_validate(
        {
            "description": "d",
            "time_trigger_disabled": True,
            "step_concurrency": 20,
            "run_strategy": "sequential",
            "owner": "tester",
        }
    )
    assert props.to_json() == {
        "owner": "tester",
        "run_strategy": {"rule": "SEQUENTIAL", "workflow_concurrency": 1},
        "step_concurrency": 20,
        "time_trigger_disabled": True,
        "description": "d",
    }
    assert list(props.to_json()) == [
        "owner",
        "run_strategy",
        "step_concurrency",
        "time_trigger_disabled",
        "description",
    ]
    assert PROPERTY_FIELDS[:3] == ("owner", "access_control", "run_strategy")


def test_owner_may_carry_extra_information() -> None:
    props = Properties.model_validate(
        {"owner": {"name": "tester", "AUTH_ACTING_ON_BEHALF_OF_BLOB": {"user": "x"}}}
    )
    assert props.to_json()["owner"] == {
        "name": "tester",
        "AUTH_ACTING_ON_BEHALF_OF_BLOB": {"user": "x"},
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"step_concurrency": 0}, "greater than or equal to 1"),
        ({"step_concurrency": 1001}, "less than or equal to 1000"),
        ({"description": "d" * 16385}, "at most 16384 characters"),
        ({"unknown": 1}, "extra"),
        ({"tags": ["a", "a"]}, "duplicate tag name [a]"),
    ],
)
def test_properties_reject(data: dict[str, Any], message: str) -> None:
    assert message in _error(Properties, data)


def test_properties_update_adds_resets() -> None:
    update = PropertiesUpdate.model_validate(
        {"owner": "x", "reset_run_strategy_rule": True, "reset_step_concurrency": False}
    )
    assert update.to_json() == {
        "owner": "x",
        "reset_run_strategy_rule": True,
        "reset_step_concurrency": False,
    }
    assert "extra" in _error(Properties, {"reset_run_strategy_rule": True})


def test_properties_snapshot_keeps_extra_keys() -> None:
    snapshot = PropertiesSnapshot.model_validate(
        {"workflow_id": "wf", "create_time": 1, "author": "a", "future_field": 1}
    )
    assert snapshot.to_json() == {
        "workflow_id": "wf",
        "create_time": 1,
        "author": "a",
        "future_field": 1,
    }


def test_alerting_round_trip() -> None:
    data = {
        "emails": ["a@b.c", "${owner}@b.c"],
        "pagerduties": ["svc"],
        "slack": {"users": ["u"], "channels": ["c"], "mention_users": ["m"]},
        "bypass_digest_config": {"workflow": True, "steps": ["job.1"]},
        "type_configs": {
            "step_failure": {"actions": ["email", "PAGE"], "disabled": False},
            "LONG_RUNNING": {"duration_minutes": 30, "granularity": "ALL"},
        },
        "pagerduty_config": {"severity": "CRITICAL", "always_page": True},
        "tct": {"completed_by_hour": 5, "tz": "UTC"},
    }
    alerting = Alerting.model_validate(data)
    assert alerting.type_configs is not None
    assert set(alerting.type_configs) == {AlertType.STEP_FAILURE, AlertType.LONG_RUNNING}
    failure = alerting.type_configs[AlertType.STEP_FAILURE]
    assert failure.actions == [AlertAction.EMAIL, AlertAction.PAGE]
    assert alerting.pagerduty_config is not None
    assert alerting.pagerduty_config.severity is Severity.CRITICAL
    out = alerting.to_json()
    assert out["pagerduty_config"] == {"severity": "critical", "always_page": True}
    assert out["type_configs"] == {
        "STEP_FAILURE": {"actions": ["EMAIL", "PAGE"], "disabled": False},
        "LONG_RUNNING": {"granularity": "ALL", "duration_minutes": 30},
    }
    assert out["tct"] == {"completed_by_hour": 5, "tz": "UTC"}


@pytest.mark.parametrize(
    "data",
    [
        {"type_configs": {"NEVER": {}}},
        {"type_configs": {"STEP_FAILURE": {"actions": ["SHOUT"]}}},
        {"pagerduty_config": {"severity": "fatal"}},
        {"slack": {"unknown": []}},
    ],
)
def test_alerting_rejects(data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Alerting.model_validate(data)


@pytest.mark.parametrize(
    "data",
    [
        {"completed_by_hour": 0},
        {"completed_by_hour": 23, "tz": "US/Pacific"},
        {"duration_minutes": 0},
        {"duration_minutes": 90},
        {"completed_by_ts": 1_700_000_000_000},
    ],
)
def test_tct_accepts_exactly_one_target(data: dict[str, Any]) -> None:
    assert Tct.model_validate(data).to_json() == data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "exactly one of completed_by_hour, duration_minutes and completed_by_ts"),
        ({"tz": "UTC"}, "exactly one of"),
        ({"completed_by_hour": 1, "duration_minutes": 2}, "exactly one of"),
        ({"duration_minutes": 2, "completed_by_ts": 3}, "exactly one of"),
        ({"completed_by_hour": 1, "duration_minutes": 2, "completed_by_ts": 3}, "exactly one of"),
        ({"completed_by_hour": 24}, "less than or equal to 23"),
        ({"completed_by_hour": -1}, "greater than or equal to 0"),
        ({"duration_minutes": -1}, "greater than or equal to 0"),
        ({"completed_by_ts": -1}, "greater than or equal to 0"),
    ],
)
def test_tct_rejects(data: dict[str, Any], message: str) -> None:
    assert message in _error(Tct, data)
