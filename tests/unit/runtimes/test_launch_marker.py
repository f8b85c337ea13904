"""A command runs at most once per attempt: a second launch of the same attempt (a server
restarted before it recorded the first) takes the first process back instead."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from maestoso.runtimes.process import LAUNCHED, Handle, Launcher, read_exit_code

Servers = list[Launcher]


@pytest.fixture
def servers() -> Iterator[Servers]:
    """Launchers standing for servers (one per restart); their children reaped after."""
    made: Servers = []
    yield made
    for launcher in made:
        for child in launcher._children.values():
            child.wait(10)


def server(servers: Servers) -> Launcher:
    servers.append(Launcher())
    return servers[-1]


def _wait_exit(path: Path) -> int:
    deadline = time.monotonic() + 10
    while (code := read_exit_code(path)) is None:
        assert time.monotonic() < deadline, "the command did not end"
        time.sleep(0.02)
    return code


def launch(launcher: Launcher, argv: list[str], cwd: Path, log_dir: Path) -> Handle:
    return launcher.launch(argv, env=dict(os.environ), cwd=cwd, log_dir=log_dir)


def _command(out: Path, seconds: float = 0.0) -> list[str]:
    return ["/bin/sh", "-c", f'echo "$$" >> {out}; sleep {seconds}']


def test_a_second_launch_of_an_attempt_reattaches(tmp_path: Path, servers: Servers) -> None:
    out, log_dir = tmp_path / "ran.txt", tmp_path / "attempt"
    first = server(servers).launch(
        _command(out, 0.5), env=dict(os.environ), cwd=tmp_path, log_dir=log_dir
    )
    again = server(servers).launch(
        _command(out), env=dict(os.environ), cwd=tmp_path, log_dir=log_dir
    )
    assert again.pid == first.pid
    assert server(servers).running(again)
    assert _wait_exit(first.exit_file) == 0
    assert len(out.read_text().splitlines()) == 1
    assert (log_dir / LAUNCHED).read_text().strip() == str(first.pid)


def test_a_launch_after_the_end_finds_the_exit_code(tmp_path: Path, servers: Servers) -> None:
    out, log_dir = tmp_path / "ran.txt", tmp_path / "attempt"
    first = server(servers).launch(
        _command(out), env=dict(os.environ), cwd=tmp_path, log_dir=log_dir
    )
    assert _wait_exit(first.exit_file) == 0
    time.sleep(0.1)
    again = server(servers).launch(
        _command(out), env=dict(os.environ), cwd=tmp_path, log_dir=log_dir
    )
    assert not server(servers).running(again)
    assert read_exit_code(again.exit_file) == 0
    assert len(out.read_text().splitlines()) == 1


def test_racing_launches_run_the_command_once(tmp_path: Path, servers: Servers) -> None:
    out, log_dir = tmp_path / "ran.txt", tmp_path / "attempt"

    launchers = [server(servers) for _ in range(8)]

    def race(launcher: Launcher) -> int:
        return launch(launcher, _command(out, 0.3), tmp_path, log_dir).pid

    with ThreadPoolExecutor(8) as pool:
        pids = set(pool.map(race, launchers))
    assert len(pids) == 1
    _wait_exit(log_dir / "exit_code")
    assert len(out.read_text().splitlines()) == 1


def test_a_new_attempt_runs_again(tmp_path: Path, servers: Servers) -> None:
    out = tmp_path / "ran.txt"
    for attempt in ("1", "2"):
        handle = server(servers).launch(
            _command(out), env=dict(os.environ), cwd=tmp_path, log_dir=tmp_path / attempt
        )
        _wait_exit(handle.exit_file)
    assert len(out.read_text().splitlines()) == 2
