"""The audit log's writer: entries queued by requests gather for a moment and are written
together, in order, and a database that fails the write delays them (on the node's clock)
without losing any."""

from __future__ import annotations

import asyncio

from maestoso.clock import FakeClock
from maestoso.engine.services.audit import GATHER_SECONDS, RETRY_SECONDS, AuditLog
from maestoso.errors import DatabaseUnavailableError
from maestoso.store.security import AuditEntry


class FlakyAuditStore:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.written: list[AuditEntry] = []
        self.tries = 0

    async def add_audit(self, entries: list[AuditEntry]) -> None:
        self.tries += 1
        if self.failures:
            self.failures -= 1
            raise DatabaseUnavailableError("the database is down")
        self.written.extend(entries)

    async def list_audit(self, **_: object) -> list[AuditEntry]:
        return list(reversed(self.written))


def entry(n: int) -> AuditEntry:
    return AuditEntry(
        create_time=n,
        user="carol",
        role="operator",
        method="POST",
        path=f"/api/v3/workflows/wf{n}",
        action="POST /api/v3/workflows/{workflow_id}",
        status=200,
        outcome="OK",
        request_id=f"r{n}",
    )


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_entries_wait_out_a_failed_write_and_are_written_once_in_order() -> None:
    clock = FakeClock(1_700_000_000_000)
    store = FlakyAuditStore(failures=2)
    audit = AuditLog(store, clock)
    audit.start()
    try:
        audit.record(entry(1))
        await settle()
        audit.record(entry(2))
        await clock.advance(GATHER_SECONDS)
        await settle()
        assert store.tries == 1 and store.written == []  # both in the one failed write

        await clock.advance(RETRY_SECONDS - 0.01)  # not before the retry is due
        await settle()
        assert store.tries == 1

        await clock.advance(0.01 + GATHER_SECONDS)
        await settle()
        assert store.tries == 2 and store.written == []  # failed again: waits once more

        audit.record(entry(3))
        await clock.advance(RETRY_SECONDS + GATHER_SECONDS)
        await settle()
        assert [e.request_id for e in store.written] == ["r1", "r2", "r3"]
    finally:
        await audit.stop()
    assert len(store.written) == 3


async def test_entries_of_calls_made_one_after_another_share_a_write() -> None:
    clock = FakeClock(1_700_000_000_000)
    store = FlakyAuditStore(failures=0)
    batches: list[int] = []
    add = store.add_audit

    async def counted(entries: list[AuditEntry]) -> None:
        batches.append(len(entries))
        await add(entries)

    store.add_audit = counted  # type: ignore[method-assign]
    audit = AuditLog(store, clock)
    audit.start()
    try:
        for n in range(3):
            audit.record(entry(n))
            await settle()  # the writer runs between the calls
        assert batches == []
        await clock.advance(GATHER_SECONDS)
        await settle()
        assert batches == [3]
    finally:
        await audit.stop()
