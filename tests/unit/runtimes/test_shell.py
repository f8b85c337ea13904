"""The Shell runtime with real processes: exit codes, logs, env, outputs, stop and re-attach."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from pathlib import Path

import pytest
from tests.unit.runtimes.support import FakeContext, drive, poll

from maestoso.runtimes import State
from maestoso.runtimes.process import Handle, group_members
from maestoso.runtimes.shell import ARTIFACT, ShellRuntime


@pytest.fixture
def shell() -> ShellRuntime:
    return ShellRuntime(grace_seconds=0.5)


def context(tmp_path: Path, **params: object) -> FakeContext:
    return FakeContext(log_dir=tmp_path / "logs", params=dict(params))


async def test_a_string_command_runs_under_sh_and_its_streams_go_to_files(
    shell: ShellRuntime, tmp_path: Path
) -> None:
    ctx = context(tmp_path, command="echo out; echo err >&2; exit 0")
    result = await drive(shell, ctx)
    assert result.state is State.DONE
    assert (ctx.log_dir / "stdout.log").read_text() == "out\n"
    assert (ctx.log_dir / "stderr.log").read_text() == "err\n"
    data = ctx.artifacts[ARTIFACT]["data"]
    assert data["exit_code"] == 0 and data["pid"] == data["pgid"]


async def test_an_array_command_runs_as_is_with_env_and_working_dir(
    shell: ShellRuntime, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    script = "import os; print(os.getcwd(), os.environ['GREETING'])"
    ctx = context(
        tmp_path,
        command=["python3", "-c", script],
        env={"GREETING": "hi there"},
        working_dir=str(work),
    )
    assert (await drive(shell, ctx)).state is State.DONE
    assert (ctx.log_dir / "stdout.log").read_text() == f"{work} hi there\n"


async def test_a_non_zero_exit_is_a_user_error_with_its_code(
    shell: ShellRuntime, tmp_path: Path
) -> None:
    ctx = context(tmp_path, command="exit 3")
    assert (await drive(shell, ctx)).state is State.USER_ERROR
    assert ctx.artifacts[ARTIFACT]["data"]["exit_code"] == 3
    assert "the process exited with code 3" in ctx.timeline


async def test_a_missing_executable_is_a_user_error(shell: ShellRuntime, tmp_path: Path) -> None:
    ctx = context(tmp_path, command=["no-such-program-here"])
    assert (await drive(shell, ctx)).state is State.USER_ERROR
    assert ctx.artifacts[ARTIFACT]["data"]["exit_code"] == 127


async def test_the_process_knows_its_step_and_the_output_tokens(
    shell: ShellRuntime, tmp_path: Path
) -> None:
    names = [
        "MAESTRO_WORKFLOW_ID",
        "MAESTRO_WORKFLOW_INSTANCE_ID",
        "MAESTRO_WORKFLOW_RUN_ID",
        "MAESTRO_STEP_ID",
        "MAESTRO_STEP_ATTEMPT_ID",
        "MAESTRO_STEP_INSTANCE_UUID",
        "MAESTRO_OUTPUT_START",
        "MAESTRO_OUTPUT_END",
    ]
    ctx = context(tmp_path, command=" && ".join(f'echo "${name}"' for name in names))
    os.environ["MAESTOSO_SECRET_FOR_TEST"] = "x"
    try:
        ctx.params["command"] += ' && echo "[$MAESTOSO_SECRET_FOR_TEST]"'
        assert (await drive(shell, ctx)).state is State.DONE
    finally:
        del os.environ["MAESTOSO_SECRET_FOR_TEST"]
    lines = (ctx.log_dir / "stdout.log").read_text().splitlines()
    assert lines == [
        "wf",
        "7",
        "1",
        "job.1",
        "1",
        ctx.step_uuid,
        "MAESTRO_OUTPUT_START_TOKEN",
        "MAESTRO_OUTPUT_END_TOKEN",
        "[]",  # the server's own settings are not passed on
    ]


def output_command(payload: object, then: str = "exit 0") -> str:
    text = json.dumps(payload).replace("'", "'\\''")
    return f'echo before; echo "$MAESTRO_OUTPUT_START"\'{text}\'"$MAESTRO_OUTPUT_END"; {then}'


async def test_output_params_and_artifacts_come_from_the_output_block(
    shell: ShellRuntime, tmp_path: Path
) -> None:
    payload = {
        "params": {"foo": {"value": "bar", "type": "STRING"}},
        "artifacts": {"maestro_dynamic_output": {"type": "DYNAMIC_OUTPUT", "signal_outputs": []}},
    }
    ctx = context(tmp_path, command=output_command(payload), foo="default")
    result = await drive(shell, ctx)
    assert result.state is State.DONE
    foo = result.output_params["foo"]
    assert foo["value"] == "bar" and foo["evaluated_result"] == "bar" and foo["type"] == "STRING"
    assert foo["source"] == "OUTPUT_PARAMETER"
    assert ctx.artifacts["maestro_dynamic_output"]["type"] == "DYNAMIC_OUTPUT"


async def test_an_output_param_the_step_does_not_declare_fails_it_for_good(
    shell: ShellRuntime, tmp_path: Path
) -> None:
    payload = {"params": {"undeclared": {"value": 1, "type": "LONG"}}}
    ctx = context(tmp_path, command=output_command(payload))
    assert (await drive(shell, ctx)).state is State.FATAL_ERROR
    assert "Invalid output parameter [undeclared], not defined in params" in ctx.timeline


async def test_an_invalid_output_block_is_a_user_error(shell: ShellRuntime, tmp_path: Path) -> None:
    ctx = context(tmp_path, command='echo "${MAESTRO_OUTPUT_START}{not json${MAESTRO_OUTPUT_END}"')
    assert (await drive(shell, ctx)).state is State.USER_ERROR
    assert any(line.startswith("Invalid output data") for line in ctx.timeline)


async def test_a_failure_marked_non_retryable_is_fatal(shell: ShellRuntime, tmp_path: Path) -> None:
    payload = {"artifacts": {"maestro_retry": {"type": "RETRY", "retryable": False}}}
    ctx = context(tmp_path, command=output_command(payload, then="exit 1"))
    assert (await drive(shell, ctx)).state is State.FATAL_ERROR
    assert ctx.artifacts["maestro_retry"] == {"type": "RETRY", "retryable": False}
    # A success stays a success.
    ctx = context(tmp_path / "ok", command=output_command(payload))
    assert (await drive(shell, ctx)).state is State.DONE


async def test_invalid_params_are_fatal(shell: ShellRuntime, tmp_path: Path) -> None:
    for params in ({}, {"command": ""}, {"command": []}, {"command": "true", "env": "x"}):
        ctx = context(tmp_path, **params)
        result = await shell.start(ctx)
        assert result.state is State.FATAL_ERROR, params
    ctx = context(tmp_path, command="true", working_dir=str(tmp_path / "missing"))
    assert (await shell.start(ctx)).state is State.FATAL_ERROR


def live(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.append(pid)
    return alive


async def wait_for_lines(path: Path, count: int, timeout: float = 10.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        lines = path.read_text().split() if path.exists() else []
        if len(lines) >= count or time.monotonic() > deadline:
            return lines
        await asyncio.sleep(0.02)


async def test_terminate_ends_the_whole_group_even_when_sigterm_is_ignored(
    shell: ShellRuntime, tmp_path: Path
) -> None:
    # A child that ignores SIGTERM and a grandchild in the background.
    command = "sh -c 'trap \"\" TERM; sleep 60 & echo $!; sleep 60 & echo $!; wait' & echo $!; wait"
    ctx = context(tmp_path, command=command)
    started = ctx.absorb(await shell.start(ctx))
    assert started.state is State.CONTINUE
    pids = [int(p) for p in await wait_for_lines(ctx.log_dir / "stdout.log", 3)]
    pgid = ctx.artifacts[ARTIFACT]["data"]["pgid"]
    assert len(live(pids)) == 3 and set(pids) <= set(group_members(pgid))
    begun = time.monotonic()
    result = ctx.absorb(await shell.terminate(ctx))
    assert result.state is State.STOPPED
    assert time.monotonic() - begun < 5
    assert live(pids) == [] and group_members(pgid) == []
    assert any("SIGKILL" in line for line in ctx.timeline)


async def test_terminate_with_a_polite_process_needs_no_sigkill(tmp_path: Path) -> None:
    shell = ShellRuntime(grace_seconds=5)
    ctx = context(tmp_path, command="sleep 60")
    ctx.absorb(await shell.start(ctx))
    begun = time.monotonic()
    ctx.absorb(await shell.terminate(ctx))
    assert time.monotonic() - begun < 2
    assert ctx.timeline[-1].endswith("terminated")


async def test_a_new_runtime_re_attaches_to_a_running_process(tmp_path: Path) -> None:
    """As after a server crash: another runtime (no Popen) polls the process by its pid."""
    ctx = context(tmp_path, command="sleep 0.5; exit 4")
    crashed = ShellRuntime()
    ctx.absorb(await crashed.start(ctx))
    other = ShellRuntime()
    first = ctx.absorb(await other.execute(ctx))
    assert first.state is State.CONTINUE
    result = await poll(other, ctx, first)
    assert result.state is State.USER_ERROR
    assert ctx.artifacts[ARTIFACT]["data"]["exit_code"] == 4
    assert (await crashed.execute(ctx)).state is State.USER_ERROR  # reaps the zombie


async def test_a_process_gone_without_an_exit_code_is_a_platform_error(
    shell: ShellRuntime, tmp_path: Path
) -> None:
    ctx = context(tmp_path, command="sleep 60")
    ctx.absorb(await shell.start(ctx))
    os.killpg(ctx.artifacts[ARTIFACT]["data"]["pgid"], signal.SIGKILL)
    # The first look may already find it gone: its answer is absorbed like every other.
    result = await poll(shell, ctx, ctx.absorb(await shell.execute(ctx)))
    assert result.state is State.PLATFORM_ERROR
    assert "ended without an exit code" in ctx.timeline[-1]


async def test_a_recycled_pid_is_not_taken_for_the_process(tmp_path: Path) -> None:
    ctx = context(tmp_path, command="true")
    shell = ShellRuntime()
    ctx.absorb(await shell.start(ctx))
    data = ctx.artifacts[ARTIFACT]["data"]
    real = Handle.from_json(data)
    # Pretend the recorded process is this test's own pid, started at another time.
    data.update(pid=os.getpid(), pgid=os.getpgid(0), start_ticks=1)
    await asyncio.sleep(0.3)
    assert (await ShellRuntime().execute(ctx)).state is State.DONE
    (ctx.log_dir / "exit_code").unlink()
    assert (await ShellRuntime().execute(ctx)).state is State.PLATFORM_ERROR
    assert real is not None and not shell.launcher.running(real)  # reaps the zombie
