"""Deliveries on the virtual clock: a failing receiver is retried with doubling backoff until
it answers, the stream keeps its order, a permanent error or the last attempt gives up."""

from __future__ import annotations

from maestoso.alerting import Alerting, AlertSettings, Message
from maestoso.alerting.facts import StatusFacts
from maestoso.alerting.notifier import PermanentError
from maestoso.clock import FakeClock
from maestoso.models.events import StatusChanged
from maestoso.store.deliveries import DeliveryStatus
from maestoso.store.memory import MemoryStore
from maestoso.store.records import JobEvent, StepAttemptRow


class Receiver:
    name = "webhook"

    def __init__(self, failures: int = 0, error: Exception | None = None) -> None:
        self.failures = failures
        self.error = error or ConnectionError("refused")
        self.sent: list[Message] = []
        self.tries = 0

    async def send(self, message: Message) -> None:
        self.tries += 1
        if self.tries <= self.failures:
            raise self.error
        self.sent.append(message)


def fact(status: str, time: int) -> JobEvent:
    return JobEvent.of(
        StatusChanged(
            workflow_id="wf", instance_id=1, run_id=1, step_id="job", status=status, time=time
        )
    )


async def deliver(
    receiver: Receiver, statuses: list[str], **settings: float
) -> tuple[MemoryStore, FakeClock, Alerting]:
    clock = FakeClock(auto_advance=True)
    store = MemoryStore(clock)
    alerting = Alerting(
        store,
        clock,
        [receiver],
        AlertSettings(retry_seconds=1, retry_max_seconds=4, **settings),  # type: ignore[arg-type]
        owner="n",
        groups=1,
    )
    await store.enqueue([fact(s, clock.now_ms() + n) for n, s in enumerate(statuses)])
    alerting.worker.start()
    return store, clock, alerting


async def settle(store: MemoryStore, clock: FakeClock, alerting: Alerting) -> None:
    for _ in range(2000):
        rows = await store.list_deliveries("wf")
        if rows and all(r.status is not DeliveryStatus.PENDING for r in rows):
            break
        await clock.sleep(0.5)
    await alerting.stop()


async def test_a_receiver_that_fails_gets_everything_in_order_after_backoff() -> None:
    receiver = Receiver(failures=4)
    store, clock, alerting = await deliver(receiver, ["RUNNING", "SUCCEEDED"])
    started = clock.now_ms()

    await settle(store, clock, alerting)

    assert [m.data["status"] for m in receiver.sent] == ["RUNNING", "SUCCEEDED"]
    first, second = await store.list_deliveries("wf")
    assert (first.status, first.attempts, first.last_error) == (
        DeliveryStatus.SENT,
        5,
        "ConnectionError: refused",
    )
    assert second.attempts == 1  # it waited for the first instead of failing beside it
    assert clock.now_ms() - started >= (1 + 2 + 4 + 4) * 1000  # doubling, capped at 4 s


async def test_a_permanent_error_gives_up_at_once() -> None:
    receiver = Receiver(failures=1, error=PermanentError("no such channel"))
    store, clock, alerting = await deliver(receiver, ["RUNNING"])

    await settle(store, clock, alerting)

    (row,) = await store.list_deliveries("wf")
    assert (row.status, row.attempts, row.last_error) == (
        DeliveryStatus.FAILED,
        1,
        "no such channel",
    )


async def test_the_last_attempt_gives_up_and_keeps_the_error() -> None:
    receiver = Receiver(failures=100)
    store, clock, alerting = await deliver(receiver, ["RUNNING"], max_attempts=3)

    await settle(store, clock, alerting)

    (row,) = await store.list_deliveries("wf")
    assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 3)
    assert receiver.sent == []


def attempt(status: str, *, workflow: str = "wf", attempt_id: int = 1) -> StepAttemptRow:
    return StepAttemptRow(
        workflow_id=workflow,
        instance_id=1,
        run_id=1,
        step_id="job",
        attempt_id=attempt_id,
        step_uuid="u",
        status=status,
        runtime_state={},
        document={},
        artifacts=None,
        timeline=[{"message": "exit 3"}],
        create_time=1,
        modify_time=2,
    )


def test_facts_report_changes_only_and_never_loop_iterations() -> None:
    facts = StatusFacts()
    seen = [
        facts.of([attempt("RUNNING")], []),
        facts.of([attempt("RUNNING")], []),
        facts.of([attempt("FATALLY_FAILED")], []),
        facts.of([attempt("RUNNING", workflow="maestro_foreach_x")], []),
    ]
    assert [len(f) for f in seen] == [2, 0, 1, 0]
    assert [f.payload["status"] for f in seen[0]] == ["IN_PROGRESS", "RUNNING"]
    assert seen[0][0].payload["step_id"] == ""  # the run's start, told with its first step
    assert seen[2][0].payload["error"] == "exit 3"
    assert StatusFacts(enabled=False).of([attempt("RUNNING")], []) == []
