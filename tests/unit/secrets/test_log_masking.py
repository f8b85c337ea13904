"""Step logs read through the API: the secrets' values masked, whatever the ranges."""

from __future__ import annotations

import asyncio
from pathlib import Path

from maestoso.clock import FakeClock, SystemClock
from maestoso.engine.reads.logs import CHUNK, LogFile, StepLogs
from maestoso.secrets import MASK, Masker
from maestoso.store.memory import MemoryStore

SECRET = "hunter2-" + "x" * 20


class Logs(StepLogs):
    def __init__(self, home: Path, states: list[bool]) -> None:
        store = MemoryStore(FakeClock())
        super().__init__(home, store, clock=SystemClock(), follow_poll_seconds=0.01)
        self.states = states

    async def running(self, log: LogFile) -> bool:
        return self.states.pop(0) if self.states else False


def log_at(path: Path) -> LogFile:
    return LogFile("wf", 1, 1, "s", 1, path, Masker([SECRET]))


async def collect(logs: StepLogs, log: LogFile, offset: int, limit: int | None) -> bytes:
    return b"".join([chunk async for chunk in logs.read(log, offset, limit)])


async def test_reads_mask_across_chunks_and_ranges(tmp_path: Path) -> None:
    line = f"pw={SECRET}; twice {SECRET}{SECRET}.\n"
    text = line * (3 * CHUNK // len(line))
    path = tmp_path / "stdout.log"
    path.write_text(text)
    logs, log = Logs(tmp_path, []), log_at(path)
    expected = text.replace(SECRET + SECRET, MASK).replace(SECRET, MASK).encode()
    assert await collect(logs, log, 0, None) == expected
    for step in (7, 1000, CHUNK - 3):
        pieces = [await collect(logs, log, at, step) for at in range(0, len(text), step)]
        assert b"".join(pieces) == expected
    assert SECRET.encode() not in await collect(logs, log, 5, 17)


async def test_follow_holds_back_a_half_written_secret(tmp_path: Path) -> None:
    path = tmp_path / "stdout.log"
    path.write_text("start " + SECRET[:5])
    logs, log = Logs(tmp_path, [True] * 10_000), log_at(path)
    chunks: list[bytes] = []

    async def follow() -> None:
        async for chunk in logs.follow(log, 0):
            chunks.append(chunk)

    task = asyncio.create_task(follow())
    await asyncio.sleep(0.1)
    assert b"hunte" not in b"".join(chunks)
    with path.open("a") as file:
        file.write(SECRET[5:] + " end\n")
    logs.states.clear()
    await asyncio.wait_for(task, 5)
    assert b"".join(chunks) == f"start {MASK} end\n".encode()


async def test_without_secrets_the_log_is_read_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "stdout.log"
    path.write_text(f"plain {SECRET}\n")
    logs = Logs(tmp_path, [])
    log = LogFile("wf", 1, 1, "s", 1, path)
    assert await collect(logs, log, 0, None) == f"plain {SECRET}\n".encode()
