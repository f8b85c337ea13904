"""The workflow defaults evaluated once an hour equal those evaluated at each start."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from maestoso.params import StaticContext, evaluate_workflow_params, hourly_defaults
from maestoso.params.hourly import HOUR_MS
from maestoso.sel.state import FixedNow


def _ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


# Hour, day, month, year and leap-day edges, and the hours Los Angeles moves its clocks
# (the derived Pacific dates and hours change there).
_EDGES = [
    "2026-03-08T09:00:00",
    "2026-03-08T10:00:00",
    "2026-11-01T08:00:00",
    "2026-11-01T09:00:00",
    "2026-12-31T23:00:00",
    "2027-01-01T00:00:00",
    "2028-02-29T07:00:00",
    "2028-02-29T08:00:00",
    "2026-12-06T05:00:00",
]
_INSTANTS = [_ms(edge) + offset for edge in _EDGES for offset in (0, 1, 1_234_567, HOUR_MS - 1, -1)]


def _full(context: StaticContext, now_ms: int) -> dict[str, Any]:
    params = evaluate_workflow_params(
        None, clock=FixedNow(now_ms), context=context, workflow_id="wf-a"
    )
    return {name: param.to_json() for name, param in params.items()}


@pytest.mark.parametrize("owner", ["tester", None])
def test_every_default_agrees_with_a_full_evaluation_at_each_instant(owner: str | None) -> None:
    context = StaticContext(instance={"owner": owner, "workflow_id": "wf-a"})

    for now_ms in _INSTANTS:
        hourly = hourly_defaults(context, now_ms)

        # As text: the run stores them, and Maestro's key order must be kept too.
        assert json.dumps(hourly) == json.dumps(_full(context, now_ms)), now_ms


def test_an_empty_time_zone_is_utc_as_the_defaults_read_it() -> None:
    context = StaticContext(
        instance={"owner": "o", "workflow_id": "wf-a", "INITIATOR_TIMEZONE": ""}
    )
    now_ms = _ms("2026-12-06T23:30:00")

    hourly = hourly_defaults(context, now_ms)

    assert hourly == _full(context, now_ms)


@pytest.mark.parametrize("zone", ["INITIATOR_TIMEZONE", "FIRST_TIME_TRIGGER_TIMEZONE"])
def test_a_run_with_a_time_zone_is_evaluated_in_full(zone: str) -> None:
    context = StaticContext(instance={"owner": "o", "workflow_id": "wf-a", zone: "Asia/Kolkata"})

    assert hourly_defaults(context, _ms("2026-12-06T23:30:00")) is None


def test_each_run_gets_its_own_run_ts_and_evaluation_time() -> None:
    context = StaticContext(instance={"owner": "o", "workflow_id": "wf-a"})
    first, second = _ms("2026-12-06T10:00:00") + 5, _ms("2026-12-06T10:00:00") + 7

    one, two = hourly_defaults(context, first), hourly_defaults(context, second)

    assert one is not None and two is not None
    assert (one["RUN_TS"]["evaluated_result"], two["RUN_TS"]["evaluated_result"]) == (first, second)
    assert {p["evaluated_time"] for p in two.values()} == {second}
    assert one["RUN_TS"]["evaluated_time"] == first  # the first copy was not changed


def test_a_run_changing_its_params_leaves_the_next_runs_alone() -> None:
    context = StaticContext(instance={"owner": "o", "workflow_id": "wf-a"})
    now_ms = _ms("2026-12-06T10:00:00") + 5
    one = hourly_defaults(context, now_ms)
    assert one is not None
    # Each param's dict is copied, not its values: they must all be plain scalars.
    assert all(
        isinstance(value, str | int | float | bool | None)
        for param in one.values()
        for value in param.values()
    )

    for param in one.values():
        param["evaluated_result"] = "changed"
    one.clear()

    assert hourly_defaults(context, now_ms) == _full(context, now_ms)
