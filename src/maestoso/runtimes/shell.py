"""``Shell``: run a command on the server's machine as a child process.

Params: ``command`` (STRING, run by ``sh -c``; or STRING_ARRAY, run as is), ``env``
(STRING_MAP) and ``working_dir`` (default: the attempt's log directory). Exit code 0 is
DONE, any other a USER_ERROR (retried per the retry policy). The process prints its output
params with Maestro's output tokens (see :mod:`maestoso.runtimes.outputs`).

The process runs in its own process group with stdout and stderr written to ``stdout.log``
and ``stderr.log`` in the log directory; the artifact ``maestro_shell`` records its pid and
group, so that a server restarted after a crash takes it back, and so that a stop ends it
with all its descendants.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from maestoso.runtimes import inputs
from maestoso.runtimes.base import State, StepContext, StepResult
from maestoso.runtimes.environment import job_env
from maestoso.runtimes.outputs import finish, outputs_of, scan_file
from maestoso.runtimes.process import Handle, Launcher, read_exit_code

ARTIFACT = "maestro_shell"
DEFAULT_GRACE_SECONDS = 10.0
"""How long a stopped process has to exit after SIGTERM before it is killed."""


class ShellRuntime:
    default_poll_seconds = 1.0

    def __init__(
        self,
        *,
        grace_seconds: float = DEFAULT_GRACE_SECONDS,
        max_poll_seconds: float = 2.0,
        launcher: Launcher | None = None,
    ) -> None:
        self.grace_seconds = grace_seconds
        self.max_poll_seconds = max_poll_seconds
        self.launcher = launcher or Launcher()

    async def start(self, context: StepContext) -> StepResult:
        try:
            argv = inputs.command(context.params)
            env = inputs.string_map(context.params, "env")
            log_dir, cwd = directories(context)
        except inputs.InvalidParam as exc:
            return inputs.fatal(str(exc))
        return await self.launch(context, argv, env=env, cwd=cwd, log_dir=log_dir)

    async def launch(
        self,
        context: StepContext,
        argv: list[str],
        *,
        env: dict[str, str],
        cwd: Path,
        log_dir: Path,
        extra: dict[str, Any] | None = None,
    ) -> StepResult:
        """Start ``argv`` for the attempt (also used by the runtimes built on this one)."""
        try:
            handle = await asyncio.to_thread(
                self.launcher.launch, argv, env=job_env(context, env), cwd=cwd, log_dir=log_dir
            )
        except OSError as exc:
            return StepResult(
                state=State.PLATFORM_ERROR, timeline=[f"cannot start the process: {exc}"]
            )
        data = {**handle.to_json(), "started_at": context.now_ms(), **(extra or {})}
        return StepResult(
            state=State.CONTINUE,
            artifacts={ARTIFACT: {"type": "DEFAULT", "data": data}},
            timeline=[f"started process {handle.pid}"],
            next_poll_seconds=0.05,
        )

    async def execute(self, context: StepContext) -> StepResult:
        data = _data(context)
        handle = Handle.from_json(data)
        if handle is None:
            return StepResult(state=State.PLATFORM_ERROR, timeline=["no process was recorded"])
        code = read_exit_code(handle.exit_file)
        if code is None and self.launcher.running(handle):
            return StepResult(state=State.CONTINUE, next_poll_seconds=self._delay(context, data))
        # Read again: the process may have written its code just before ending.
        code = read_exit_code(handle.exit_file) if code is None else code
        if code is None:
            return StepResult(
                state=State.PLATFORM_ERROR,
                timeline=[f"process {handle.pid} ended without an exit code (killed?)"],
            )
        await self.launcher.reap(handle)
        return await self.finished(context, data, handle, code)

    async def finished(
        self, context: StepContext, data: dict[str, Any], handle: Handle, code: int
    ) -> StepResult:
        """The result of an ended process: its exit code and its output block."""
        scanner = await asyncio.to_thread(scan_file, handle.stdout)
        outputs = outputs_of(scanner, context.params.keys(), context.now_ms())
        artifact = {"type": "DEFAULT", "data": {**data, "exit_code": code}}
        return finish(
            State.DONE if code == 0 else State.USER_ERROR,
            outputs,
            artifacts={ARTIFACT: artifact},
            timeline=[f"the process exited with code {code}"],
        )

    async def terminate(self, context: StepContext) -> StepResult:
        handle = Handle.from_json(_data(context))
        if handle is None:
            return StepResult(state=State.STOPPED, timeline=["no process to stop"])
        killed = await self.launcher.terminate(handle, self.grace_seconds)
        how = "killed (SIGKILL)" if killed else "terminated"
        return StepResult(state=State.STOPPED, timeline=[f"process group {handle.pgid} {how}"])

    def _delay(self, context: StepContext, data: dict[str, Any]) -> float:
        """Short processes are noticed at once; long ones are polled less often."""
        elapsed = (context.now_ms() - int(data.get("started_at") or 0)) / 1000
        return min(max(elapsed / 10, 0.05), self.max_poll_seconds)


def directories(context: StepContext) -> tuple[Path, Path]:
    """The attempt's log directory (made here) and the process's working directory: the
    ``working_dir`` param (relative to the log directory), else the log directory."""
    working_dir = inputs.optional_string(context.params, "working_dir")
    log_dir = context.log_dir.resolve()
    log_dir.mkdir(parents=True, exist_ok=True)
    cwd = log_dir / working_dir if working_dir else log_dir
    if not cwd.is_dir():
        raise inputs.InvalidParam(f"working_dir [{working_dir}] is not a directory")
    return log_dir, cwd


def _data(context: StepContext) -> dict[str, Any]:
    artifact = context.artifacts.get(ARTIFACT) or {}
    return dict(artifact.get("data") or {})
