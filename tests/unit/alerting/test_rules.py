"""Alert types and recipients: type_configs override the block, actions narrow channels,
opt-in types need a config, ``disabled`` silences, ``${param}`` is filled in."""

from __future__ import annotations

from maestoso.alerting.deadlines import deadline
from maestoso.alerting.rules import enabled, interpolate, recipients, run_alerts, step_alert
from maestoso.models.properties import Alerting, AlertType, Tct

BLOCK = Alerting.model_validate(
    {
        "emails": ["team@example.com", "${owner}@example.com"],
        "slack": {"channels": ["#team"], "users": ["bob"], "mention_users": ["al"]},
        "pagerduties": ["ops"],
        "pagerduty_config": {"severity": "critical"},
        "type_configs": {
            "STEP_FAILURE": {"emails": ["failures@example.com"], "actions": ["email", "slack"]},
            "LONG_RUNNING": {"disabled": True, "duration_minutes": 5},
            "SUCCESS_WITHIN": {"duration_minutes": 10},
        },
    }
)
PARAMS = {"owner": {"value": "carol", "type": "STRING"}}


def test_a_type_config_overrides_the_block_and_its_actions_narrow_the_channels() -> None:
    who = recipients(BLOCK, AlertType.STEP_FAILURE, PARAMS)
    assert who.emails == ("failures@example.com",)
    assert who.slack == ("#team", "bob") and who.mentions == ("al",)
    assert who.pagerduties == ()


def test_without_a_type_config_the_block_applies_with_params_filled_in() -> None:
    who = recipients(BLOCK, AlertType.BREAKPOINT_HIT, PARAMS)
    assert who.emails == ("team@example.com", "carol@example.com")
    assert who.pagerduties == ("ops",) and who.severity == "critical"


def test_always_page_pages_whatever_the_actions() -> None:
    block = BLOCK.model_copy(
        update={"pagerduty_config": BLOCK.pagerduty_config.model_copy(update={"always_page": True})}  # type: ignore[union-attr]
    )
    assert recipients(block, AlertType.STEP_FAILURE, PARAMS).pagerduties == ("ops",)


def test_opt_in_types_need_a_config_and_disabled_silences() -> None:
    assert enabled(BLOCK, AlertType.STEP_FAILURE)
    assert not enabled(BLOCK, AlertType.RUN_SUCCESS)
    assert enabled(BLOCK, AlertType.SUCCESS_WITHIN)
    assert not enabled(BLOCK, AlertType.LONG_RUNNING)
    assert not enabled(None, AlertType.STEP_FAILURE)


def test_what_a_status_raises() -> None:
    assert step_alert("FATALLY_FAILED") is AlertType.STEP_FAILURE
    assert step_alert("USER_FAILED") is None  # a retry is coming
    assert step_alert("PAUSED") is AlertType.BREAKPOINT_HIT
    assert run_alerts(BLOCK, "SUCCEEDED", 9 * 60_000) == [
        AlertType.RUN_SUCCESS,
        AlertType.SUCCESS_WITHIN,
    ]
    assert run_alerts(BLOCK, "SUCCEEDED", 11 * 60_000) == [AlertType.RUN_SUCCESS]
    assert run_alerts(BLOCK, "FAILED", 1) == []


def test_an_unknown_param_is_left_as_written() -> None:
    assert interpolate("${nobody}-x", PARAMS) == "${nobody}-x"


def test_deadlines_from_each_kind_of_tct() -> None:
    start = 1_700_000_000_000  # 2023-11-14 22:13:20 UTC
    assert deadline(Tct(completed_by_ts=5), start) == 5
    assert deadline(Tct(duration_minutes=2), start) == start + 120_000
    assert deadline(Tct(completed_by_hour=23), start) == 1_700_002_800_000
    assert deadline(Tct(completed_by_hour=1, tz="UTC"), start) == 1_700_010_000_000
