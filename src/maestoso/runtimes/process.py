"""Child processes that outlive the server: launched in their own process group, watched by
pid, stopped group-wide.

The command runs under a small ``sh`` wrapper that writes its exit code to a file in the
log directory, because a server restarted after a crash is no longer the parent of the
processes it started and cannot ``wait`` for them: the file is how their end is known.
stdout and stderr go straight to files, never through the server.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from maestoso.clock import Clock, SystemClock

STDOUT = "stdout.log"
STDERR = "stderr.log"
EXIT_CODE = "exit_code"

# $1 is the exit-code file; the rest is the command. The code is written to a temporary file
# and renamed, so a reader never sees half of it.
_WRAPPER = (
    'exit_file="$1"; shift; "$@"; code=$?; '
    'printf "%s\\n" "$code" > "$exit_file.tmp" && mv -f "$exit_file.tmp" "$exit_file"; '
    'exit "$code"'
)


@dataclass(frozen=True, slots=True)
class Handle:
    """What identifies a launched process, kept in the step's artifacts."""

    pid: int
    pgid: int
    start_ticks: int | None
    """The process's start time (from /proc), so a recycled pid is not mistaken for it."""
    log_dir: str

    @property
    def stdout(self) -> Path:
        return Path(self.log_dir) / STDOUT

    @property
    def stderr(self) -> Path:
        return Path(self.log_dir) / STDERR

    @property
    def exit_file(self) -> Path:
        return Path(self.log_dir) / EXIT_CODE

    def to_json(self) -> dict[str, Any]:
        return {
            "pid": self.pid,
            "pgid": self.pgid,
            "start_ticks": self.start_ticks,
            "log_dir": self.log_dir,
            "stdout": str(self.stdout),
            "stderr": str(self.stderr),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Handle | None:
        try:
            ticks = data.get("start_ticks")
            return cls(
                pid=int(data["pid"]),
                pgid=int(data["pgid"]),
                start_ticks=None if ticks is None else int(ticks),
                log_dir=str(data["log_dir"]),
            )
        except (KeyError, TypeError, ValueError):
            return None


class Launcher:
    """Starts processes and keeps the ``Popen`` of those this server started, to reap them."""

    def __init__(self, clock: Clock | None = None) -> None:
        self._children: dict[int, subprocess.Popen[bytes]] = {}
        # A process group dies in real time whatever clock the engine runs on.
        self._clock: Clock = clock or SystemClock()

    def launch(
        self, argv: Sequence[str], *, env: Mapping[str, str], cwd: Path, log_dir: Path
    ) -> Handle:
        """Start ``argv``; raises OSError when it cannot be started."""
        log_dir.mkdir(parents=True, exist_ok=True)
        for stale in (EXIT_CODE, EXIT_CODE + ".tmp"):
            (log_dir / stale).unlink(missing_ok=True)
        wrapped = ["/bin/sh", "-c", _WRAPPER, "maestoso-step", str(log_dir / EXIT_CODE), *argv]
        with (log_dir / STDOUT).open("wb") as out, (log_dir / STDERR).open("wb") as err:
            child = subprocess.Popen(
                wrapped,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                cwd=cwd,
                env=dict(env),
                start_new_session=True,  # its own session and process group
            )
        self._children[child.pid] = child
        return Handle(child.pid, child.pid, _start_ticks(child.pid), str(log_dir))

    def exit_code(self, handle: Handle) -> int | None:
        """The exit code once the command ended (None while it runs)."""
        return read_exit_code(handle.exit_file)

    def running(self, handle: Handle) -> bool:
        child = self._children.get(handle.pid)
        if child is not None:
            if child.poll() is None:
                return True
            del self._children[handle.pid]
            return False
        return _alive(handle.pid, handle.start_ticks)

    async def reap(self, handle: Handle) -> None:
        """Collect a child that wrote its exit code (it is about to end, if not ended)."""
        child = self._children.pop(handle.pid, None)
        if child is not None:
            try:
                await asyncio.to_thread(child.wait, 5.0)
            except subprocess.TimeoutExpired:
                self._children[handle.pid] = child  # collected by a later call

    async def terminate(self, handle: Handle, grace_seconds: float) -> bool:
        """SIGTERM to the whole group, then SIGKILL after ``grace_seconds``; True if a
        process had to be killed."""
        killed = False
        if self._group_alive(handle):
            _signal_group(handle.pgid, signal.SIGTERM)
            if not await self._wait_group(handle, grace_seconds):
                _signal_group(handle.pgid, signal.SIGKILL)
                await self._wait_group(handle, 5.0)
                killed = True
        # The leader may have died between two looks at the group: collect it all the same.
        await self.reap(handle)
        return killed

    async def _wait_group(self, handle: Handle, seconds: float) -> bool:
        deadline = self._clock.monotonic() + seconds
        while self._group_alive(handle):
            if self._clock.monotonic() >= deadline:
                return False
            await self._clock.sleep(0.05)
        return True

    def _group_alive(self, handle: Handle) -> bool:
        self.running(handle)  # reaps our own child, which would otherwise linger as a zombie
        return group_alive(handle.pgid)


def read_exit_code(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def group_alive(pgid: int) -> bool:
    """Whether a process of the group is still running (zombies do not count)."""
    if not Path("/proc").is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return any(True for _ in group_members(pgid))


def group_members(pgid: int) -> list[int]:
    """The live pids of a process group, from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(int(entry.name))
        if fields is not None and fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def _alive(pid: int, start_ticks: int | None) -> bool:
    fields = _stat(pid)
    if fields is None:
        if Path("/proc").is_dir():
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    if fields[0] == "Z":
        return False
    return start_ticks is None or int(fields[19]) == start_ticks


def _stat(pid: int) -> list[str] | None:
    """/proc/<pid>/stat after the command name: state, ppid, pgrp, … (field 3 onwards)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rfind(")") + 2 :].split()


def _start_ticks(pid: int) -> int | None:
    fields = _stat(pid)
    return None if fields is None else int(fields[19])
