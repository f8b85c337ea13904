"""Child processes that outlive the server: launched in their own process group, watched by
pid, stopped group-wide.

The command runs under a small ``sh`` wrapper that writes its exit code to a file in the
log directory, because a server restarted after a crash is no longer the parent of the
processes it started and cannot ``wait`` for them: the file is how their end is known.
stdout and stderr go straight to files, never through the server.

Launch once: before it runs the command, the wrapper creates the ``launched`` marker in the
attempt's directory with ``O_EXCL`` (``set -C``) and writes its pid there; if the marker
exists it exits at once without running anything. A server that died between starting a
process and recording it, and launches the same attempt again, finds the marker and takes
the running (or finished) process back instead; two launches racing each other leave one
winner, whose pid both read from the marker. So the command runs at most once per attempt.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from maestoso.clock import Clock, SystemClock

STDOUT = "stdout.log"
STDERR = "stderr.log"
EXIT_CODE = "exit_code"
LAUNCHED = "launched"
REFUSED_EXIT_CODE = 75
"""The wrapper's exit code when the attempt's command was already launched."""
MARKER_WAIT_SECONDS = 10.0

# $1 is the launch marker, $2 the exit-code file; the rest is the command. With ``set -C``
# the marker is opened with O_EXCL: only the first launch of the attempt gets past it. The
# code is written to a temporary file and renamed, so a reader never sees half of it.
_WRAPPER = (
    'marker="$1"; exit_file="$2"; shift 2; set -C; '
    f'{{ printf "%s\\n" "$$" > "$marker"; }} 2>/dev/null || exit {REFUSED_EXIT_CODE}; '
    'set +C; "$@"; code=$?; '
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
        """Start ``argv`` once for the attempt of ``log_dir``: if it was launched already
        (by this server or one that died since), the handle of that process instead.

        Raises OSError when it cannot be started.
        """
        log_dir.mkdir(parents=True, exist_ok=True)
        marker = log_dir / LAUNCHED
        launched = read_marker(marker)
        if launched is not None:
            return reattached(launched, log_dir)
        for stale in (EXIT_CODE, EXIT_CODE + ".tmp"):
            (log_dir / stale).unlink(missing_ok=True)
        wrapped = [
            "/bin/sh",
            "-c",
            _WRAPPER,
            "maestoso-step",
            str(marker),
            str(log_dir / EXIT_CODE),
            *argv,
        ]
        # Appended, not truncated: a launch refused by the marker must not erase the output
        # of the one that won (an attempt's files are new, so this is the same otherwise).
        with (log_dir / STDOUT).open("ab") as out, (log_dir / STDERR).open("ab") as err:
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
        winner = _await_marker(marker, child)
        if winner != child.pid:  # another launch of the attempt got there first
            return reattached(winner, log_dir)
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


def read_marker(path: Path) -> int | None:
    """The pid in a launch marker; None while there is none (or it is being written)."""
    try:
        return int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def _await_marker(marker: Path, child: subprocess.Popen[bytes]) -> int:
    """The pid of the launch that won the attempt's marker (``child``'s, normally)."""
    deadline = time.monotonic() + MARKER_WAIT_SECONDS
    while True:
        pid = read_marker(marker)
        if pid is not None:
            return pid
        if child.poll() is not None and not marker.exists():
            raise OSError(f"the launcher exited with code {child.returncode} before starting")
        if time.monotonic() > deadline:
            raise OSError("the launcher did not start within the time limit")
        time.sleep(0.002)


def reattached(pid: int, log_dir: Path) -> Handle:
    """The handle of an attempt's process launched earlier (by this or a dead server).

    A pid reused by an unrelated process since is not taken for it: the process must be our
    wrapper for this very directory.
    """
    ours = _cmdline_mentions(pid, str(log_dir / LAUNCHED))
    return Handle(pid, pid, _start_ticks(pid) if ours else -1, str(log_dir))


def _cmdline_mentions(pid: int, text: str) -> bool:
    try:
        return text.encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


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
