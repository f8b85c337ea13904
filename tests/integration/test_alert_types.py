"""Maestro's alert types over a real engine and store (SQLite and PostgreSQL), on virtual
time, with notifiers that record what they are given: who gets what, once, and when."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from tests.integration.engine_support import Harness, harness
from tests.integration.test_engine import FailingRuntime, step

from maestoso.alerting import AlertSettings, Message
from maestoso.clock import FakeClock
from maestoso.models.steps import StepType
from maestoso.store.deliveries import DeliveryStatus

START = 1_700_000_000_000
NO_WAIT = {"type": "fixed_backoff", "error_retry_backoff_in_secs": 0}


class Recorder:
    def __init__(self, name: str) -> None:
        self.name = name
        self.sent: list[Message] = []

    async def send(self, message: Message) -> None:
        self.sent.append(message)


class Alerted:
    def __init__(self, engine: Harness, clock: FakeClock, notifiers: dict[str, Recorder]):
        self.engine, self.clock, self.notifiers = engine, clock, notifiers

    def alerts(self, name: str) -> list[tuple[str, tuple[str, ...]]]:
        return [(m.alert_type, m.to) for m in self.notifiers[name].sent]

    async def settle(self, workflow_id: str, instance_id: int | None = None) -> None:
        """Every delivery decided so far is sent (a minute of virtual time at most)."""
        for _ in range(600):
            await self.clock.sleep(0.1)
            rows = await self.engine.store.list_deliveries(workflow_id, instance_id)
            events = await self.engine.store.next_available_time()
            if rows and all(r.status is not DeliveryStatus.PENDING for r in rows) and not events:
                return
        raise AssertionError("deliveries still pending")


@pytest.fixture
async def alerted(database_url: str) -> AsyncIterator[Alerted]:
    clock = FakeClock(START, auto_advance=True, quiet_seconds=0.01)
    notifiers = {n: Recorder(n) for n in ("email", "slack", "pagerduty", "stream")}
    settings = AlertSettings(retry_seconds=1, watch_seconds=30, public_url="http://ui")
    async with harness(
        database_url,
        {StepType.TITUS: FailingRuntime()},
        clock=clock,
        notifiers=list(notifiers.values()),
        alert_settings=settings,
    ) as engine:
        yield Alerted(engine, clock, notifiers)


def definition(workflow_id: str, alerting: dict[str, Any], *steps: Any, **props: Any) -> Any:
    return {
        "properties": {"owner": "tester", "alerting": alerting, **props},
        "workflow": {
            "id": workflow_id,
            "params": {"who": {"type": "STRING", "value": "carol"}},
            "steps": list(steps),
        },
    }


def failing(step_id: str = "job", retries: int = 2) -> dict[str, Any]:
    return step(step_id, "Titus", retry_policy={"error_retry_limit": retries, "backoff": NO_WAIT})


async def test_a_step_failing_after_its_retries_alerts_its_type_recipients_once(
    alerted: Alerted,
) -> None:
    alerting = {
        "emails": ["${who}@example.com"],
        "slack": {"channels": ["#team"]},
        "type_configs": {"STEP_FAILURE": {"slack": {"channels": ["#failures"]}}},
    }
    await alerted.engine.create(definition("fails", alerting, failing()))
    await alerted.engine.start("fails")
    assert (await alerted.engine.wait("fails", 1)).status == "FAILED"
    await alerted.settle("fails")

    assert alerted.alerts("email") == [("STEP_FAILURE", ("carol@example.com",))]
    assert alerted.alerts("slack") == [("STEP_FAILURE", ("#failures",))]
    assert alerted.alerts("pagerduty") == []
    message = alerted.notifiers["email"].sent[0]
    assert "fails" in message.title and "job" in message.title and "attempt 3" in message.title
    assert message.link == "http://ui/workflows/fails/instances/1/runs/1"
    step_statuses = [
        m.data["status"] for m in alerted.notifiers["stream"].sent if m.data.get("step_id")
    ]
    assert step_statuses.count("USER_FAILED") == 2 and step_statuses[-1] == "FATALLY_FAILED"


async def test_success_alerts_only_when_configured(alerted: Alerted) -> None:
    opted = {
        "emails": ["team@example.com"],
        "type_configs": {"RUN_SUCCESS": {}, "SUCCESS_WITHIN": {"duration_minutes": 1}},
    }
    await alerted.engine.create(definition("opted", opted, step("job")))
    await alerted.engine.create(definition("quiet", {"emails": ["q@example.com"]}, step("job")))
    await alerted.engine.start("opted")
    await alerted.engine.start("quiet")
    await alerted.engine.wait("opted", 1)
    await alerted.engine.wait("quiet", 1)
    await alerted.settle("opted")
    await alerted.settle("quiet")

    # Both are decided at the run's end and sent independently: their order is not part of it.
    assert sorted(alerted.alerts("email")) == [
        ("RUN_SUCCESS", ("team@example.com",)),
        ("SUCCESS_WITHIN", ("team@example.com",)),
    ]


async def test_alerting_disabled_and_a_disabled_type_are_silent(alerted: Alerted) -> None:
    block = {"emails": ["team@example.com"]}
    off = {**block, "type_configs": {"STEP_FAILURE": {"disabled": True}}}
    await alerted.engine.create(definition("muted", block, failing(), alerting_disabled=True))
    await alerted.engine.create(definition("typeoff", off, failing()))
    await alerted.engine.start("muted")
    await alerted.engine.start("typeoff")
    await alerted.engine.wait("muted", 1)
    await alerted.engine.wait("typeoff", 1)
    await alerted.settle("muted")
    await alerted.settle("typeoff")

    assert alerted.alerts("email") == []
    assert alerted.notifiers["stream"].sent  # the stream is not an alert: it still flows


async def test_long_running_and_a_missed_target_alert_once_each(alerted: Alerted) -> None:
    alerting = {
        "emails": ["team@example.com"],
        "tct": {"duration_minutes": 8},
        "type_configs": {"LONG_RUNNING": {"duration_minutes": 5}},
    }
    nap = step("nap", "Sleep", params={"sleep_seconds": {"type": "LONG", "value": 900}})
    await alerted.engine.create(definition("slow", alerting, nap))
    await alerted.engine.start("slow")
    assert (await alerted.engine.wait("slow", 1)).status == "SUCCEEDED"
    await alerted.settle("slow")

    sent = alerted.notifiers["email"].sent
    assert sorted((m.alert_type, m.data.get("step_id", "")) for m in sent) == [
        ("LONG_RUNNING", ""),
        ("LONG_RUNNING", "nap"),
        ("TCT_VIOLATION", ""),
    ]
    tct = next(m for m in sent if m.alert_type == "TCT_VIOLATION")
    assert "Not done by its target completion time" in tct.text


async def test_a_late_signal_dependency_alerts(alerted: Alerted) -> None:
    alerting = {
        "slack": {"channels": ["#deps"]},
        "type_configs": {"DEPENDENCY_LATE": {"duration_minutes": 2}},
    }
    waiting = step("wait", signal_dependencies=[{"name": "never"}])
    await alerted.engine.create(definition("deps", alerting, waiting))
    await alerted.engine.start("deps")
    await alerted.clock.sleep(200)
    await alerted.settle("deps", 1)

    assert alerted.alerts("slack") == [("DEPENDENCY_LATE", ("#deps",))]


async def test_a_breakpoint_hit_alerts(alerted: Alerted) -> None:
    await alerted.engine.create(definition("paused", {"emails": ["t@example.com"]}, step("b")))
    body = {"workflow_id": "paused", "step_id": "b"}
    created = await alerted.engine.http.post("/api/v3/workflows/steps/breakpoints", json=body)
    assert created.status_code == 200, created.text
    await alerted.engine.start("paused")
    await alerted.settle("paused", 1)

    assert alerted.alerts("email") == [("BREAKPOINT_HIT", ("t@example.com",))]


async def test_a_new_version_alerts_when_asked_to(alerted: Alerted) -> None:
    alerting = {"emails": ["t@example.com"], "type_configs": {"DEFINITION_CHANGE": {}}}
    await alerted.engine.create(definition("changing", alerting, step("a")))
    await alerted.engine.create(definition("changing", alerting, step("b")))
    await alerted.settle("changing")

    sent = alerted.notifiers["email"].sent
    assert [(m.alert_type, m.data["workflow_version_id"]) for m in sent] == [
        ("DEFINITION_CHANGE", 1),
        ("DEFINITION_CHANGE", 2),
    ]


async def test_a_failing_foreach_sends_one_message_not_one_per_iteration(
    alerted: Alerted,
) -> None:
    loop = {
        "foreach": {
            "id": "loop",
            "params": {
                "loop_params": {
                    "type": "MAP",
                    "value": {"i": {"type": "LONG_ARRAY", "value": list(range(40))}},
                }
            },
            "steps": [failing("inner", retries=0)],
        }
    }
    await alerted.engine.create(definition("fanout", {"emails": ["t@example.com"]}, loop))
    await alerted.engine.start("fanout")
    assert (await alerted.engine.wait("fanout", 1, timeout=60)).status == "FAILED"
    await alerted.settle("fanout")

    assert [(m.alert_type, m.data["step_id"]) for m in alerted.notifiers["email"].sent] == [
        ("STEP_FAILURE", "loop")
    ]
