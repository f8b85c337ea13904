"""A real ``maestoso server`` process for the benchmarks that go through the REST API.

The server runs in a subprocess on a scratch home (its embedded SQLite database), or on the
database URL given (a scratch PostgreSQL database made by ``maestoso bench --postgres``), so
that what is measured is what a user meets: the HTTP stack, the API and the engine in one
process, with nothing of the measuring client in it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass(frozen=True, slots=True)
class Server:
    base: str
    pid: int

    def peak_rss_mb(self) -> float:
        """The server's peak resident set size so far (``VmHWM``; 0 where /proc is missing)."""
        try:
            status = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return 0.0
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
        return 0.0

    def cpu_seconds(self) -> float:
        """The CPU time (user and system) the server has used so far, all threads (0 where
        /proc is missing)."""
        try:
            stat = Path(f"/proc/{self.pid}/stat").read_text()
        except OSError:
            return 0.0
        fields = stat.rpartition(")")[2].split()  # after the command name, which may hold spaces
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def spawn(
    home: Path, port: int, url: str | None, node_id: str = "bench"
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "MAESTOSO_HOME": str(home), "MAESTOSO_NODE_ID": node_id}
    env.pop("MAESTOSO_DATABASE_URL", None)
    if url:
        env["MAESTOSO_DATABASE_URL"] = url
    command = [sys.executable, "-m", "maestoso.cli", "server", "--port", str(port)]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_ready(base: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not start")


@contextmanager
def running(
    url: str | None,
    py_spy: Path | None = None,
    prepare: Callable[[Path], None] | None = None,
) -> Iterator[Server]:
    """A fresh server until the block ends; with ``py_spy``, profiled by ``py-spy record``
    for the duration of the block (not the start-up) into that file. ``prepare`` is called
    with the server's home before the server starts (to store rows in its database)."""
    with tempfile.TemporaryDirectory(prefix="maestoso-bench-") as home:
        if prepare is not None:
            prepare(Path(home))
        port = free_port()
        process = spawn(Path(home), port, url)
        profiler: subprocess.Popen[bytes] | None = None
        try:
            server = Server(f"http://127.0.0.1:{port}", process.pid)
            wait_ready(server.base)
            if py_spy is not None:
                profiler = _record(process.pid, py_spy)
            yield server
        finally:
            if profiler is not None:
                # py-spy writes its file when interrupted, as after Ctrl-C
                profiler.send_signal(signal.SIGINT)
                profiler.wait(timeout=60)
            process.terminate()
            process.wait(timeout=30)


def _record(pid: int, output: Path) -> subprocess.Popen[bytes]:
    executable = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    formats = {".svg": "flamegraph", ".json": "speedscope"}
    command = [
        executable,
        "record",
        "--pid",
        str(pid),
        "--rate",
        "250",
        "--output",
        str(output),
        "--format",
        formats.get(output.suffix, "raw"),
    ]
    profiler = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1)  # py-spy samples only once it has attached
    if profiler.poll() is not None:
        error = profiler.stderr.read().decode() if profiler.stderr else ""
        raise RuntimeError(f"py-spy did not start: {error.strip()}")
    return profiler
