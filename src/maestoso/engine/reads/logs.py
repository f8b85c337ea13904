"""Step logs: the files a runtime writes in an attempt's log directory, read for the API.

Reads never hold a whole log in memory: a range or the whole file is streamed in chunks, a
tail reads backwards from the end (bounded), and ``follow`` streams what is appended until
the attempt ends.

The values of the secrets a step references are masked in what is read (see
``maestoso.secrets.masking``): the file keeps what the process wrote, offsets stay the file's.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from maestoso.clock import Clock, SystemClock
from maestoso.engine.reads.instances import Selector
from maestoso.engine.runtime.context import attempt_dir
from maestoso.errors import NotFoundError, ValidationError
from maestoso.models.statuses import StepStatus
from maestoso.secrets import ChainedSecrets, Masker, referenced_secrets
from maestoso.store.port import Store

STREAMS = ("stdout", "stderr")
CHUNK = 64 * 1024
MAX_TAIL_LINES = 100_000
MAX_TAIL_BYTES = 8 * 1024 * 1024
"""A tail never reads more than this, however long its lines."""


@dataclass(frozen=True, slots=True)
class LogFile:
    """One stream of one attempt."""

    workflow_id: str
    instance_id: int
    run_id: int
    step_id: str
    attempt_id: int
    path: Path
    masker: Masker | None = None
    """Masks the values of the secrets the attempt references (None: it references none)."""

    def size(self) -> int:
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0


class StepLogs:
    def __init__(
        self,
        home: Path,
        store: Store,
        *,
        follow_poll_seconds: float = 0.2,
        clock: Clock | None = None,
        secrets: ChainedSecrets | None = None,
    ) -> None:
        self._secrets = secrets
        self._root = (home / "logs").resolve()
        self._store = store
        self._poll = follow_poll_seconds
        self._clock: Clock = clock or SystemClock()

    async def locate(
        self,
        workflow_id: str,
        instance_id: int,
        run: str,
        step_id: str,
        attempt: str,
        stream: str = "stdout",
    ) -> LogFile:
        """The log of an attempt that exists (NotFoundError otherwise)."""
        if stream not in STREAMS:
            raise ValidationError(
                f"invalid stream [{stream}]", [f"stream: must be one of {', '.join(STREAMS)}"]
            )
        run_id = Selector.parse(run, "workflow run").number
        attempt_id = Selector.parse(attempt, "step attempt").number
        instance = await self._store.get_instance(workflow_id, instance_id, run_id)
        row = None
        if instance is not None:
            row = await self._store.get_step_attempt(
                workflow_id, instance_id, instance.run_id, step_id, attempt_id
            )
        if instance is None or row is None:
            which = "" if attempt_id is None else f"[attempt {attempt_id}]"
            raise NotFoundError(
                f"Cannot find step [{step_id}]{which} of workflow instance "
                f"[{workflow_id}][{instance_id}]" + ("" if run_id is None else f"[run {run_id}]")
            )
        directory = attempt_dir(self._root, instance, row.step_id, row.attempt_id)
        if not directory.resolve().is_relative_to(self._root):
            raise NotFoundError(f"Cannot find the logs of step [{step_id}]")
        return LogFile(
            row.workflow_id,
            row.instance_id,
            row.run_id,
            row.step_id,
            row.attempt_id,
            directory / f"{stream}.log",
            self._masker(row.record.params_json),
        )

    def _masker(self, params: object) -> Masker | None:
        names = referenced_secrets(params) if self._secrets is not None else []
        if not names or self._secrets is None:
            return None
        values = (self._secrets.get(name) for name in names)
        masker = Masker(value for value in values if value is not None)
        return masker or None

    async def running(self, log: LogFile) -> bool:
        """Whether the attempt may still write to its log."""
        row = await self._store.get_step_attempt(
            log.workflow_id, log.instance_id, log.run_id, log.step_id, log.attempt_id
        )
        if row is None:
            return False
        status = StepStatus(row.status)
        return not (status.is_terminal or status.is_retryable)

    async def read(
        self, log: LogFile, offset: int = 0, limit: int | None = None
    ) -> AsyncIterator[bytes]:
        """Bytes ``[offset, offset + limit)`` of the log, in chunks (masked)."""
        async for chunk, _ in self._chunks(log, offset, limit):
            yield chunk

    async def _chunks(
        self, log: LogFile, offset: int, limit: int | None
    ) -> AsyncIterator[tuple[bytes, int]]:
        """Chunks of ``[offset, offset + limit)``, each with the number of the file's bytes
        it stands for (masking changes lengths)."""
        position, end = offset, None if limit is None else offset + limit
        while end is None or position < end:
            size = CHUNK if end is None else min(CHUNK, end - position)
            if log.masker is None:
                chunk = await asyncio.to_thread(_read_at, log.path, position, size)
                read = len(chunk)
            else:
                chunk, read = await asyncio.to_thread(_read_masked, log, position, size)
            if not read:
                return
            position += read
            yield chunk, read

    async def tail_offset(self, log: LogFile, lines: int) -> int:
        """Where the last ``lines`` lines begin."""
        return await asyncio.to_thread(_tail_offset, log.path, min(max(lines, 0), MAX_TAIL_LINES))

    async def follow(self, log: LogFile, offset: int = 0) -> AsyncIterator[bytes]:
        """The log from ``offset`` on, as it grows, until the attempt has ended."""
        position = offset
        while True:
            # Whether it ran is asked before reading, so nothing written before the end is lost.
            running = await self.running(log)
            limit = None
            if running and log.masker is not None:
                # A secret may be half written: keep back what could be its beginning.
                limit = max(log.size() - log.masker.reach + 1 - position, 0)
            async for chunk, read in self._chunks(log, position, limit):
                position += read
                if chunk:
                    yield chunk
            if not running:
                return
            await self._clock.sleep(self._poll)


def _read_masked(log: LogFile, offset: int, size: int) -> tuple[bytes, int]:
    """The masked bytes ``[offset, offset + size)`` and how many of the file's they cover."""
    assert log.masker is not None
    margin = log.masker.reach
    start = max(offset - margin, 0)
    data = _read_at(log.path, start, size + margin + (offset - start))
    covered = min(size, max(len(data) - (offset - start), 0))
    begin = offset - start
    return log.masker.window(data, begin, begin + covered), covered


def _read_at(path: Path, offset: int, size: int) -> bytes:
    try:
        with path.open("rb") as file:
            file.seek(offset)
            return file.read(size)
    except FileNotFoundError:
        return b""


def _tail_offset(path: Path, lines: int) -> int:
    try:
        file = path.open("rb")
    except FileNotFoundError:
        return 0
    with file:
        end = file.seek(0, os.SEEK_END)
        position, found = end, 0
        # A final newline ends the last line; it does not start another.
        skip_last = end > 0 and _byte_at(file, end - 1) == b"\n"
        while position > 0 and end - position < MAX_TAIL_BYTES:
            start = max(position - CHUNK, 0)
            file.seek(start)
            block = file.read(position - start)
            for index in range(len(block) - 1, -1, -1):
                if block[index] != 0x0A or (skip_last and start + index == end - 1):
                    continue
                found += 1
                if found > lines - 1 and lines > 0:
                    return start + index + 1
            position = start
        return position if lines > 0 else end


def _byte_at(file: BinaryIO, offset: int) -> bytes:
    file.seek(offset)
    return file.read(1)
