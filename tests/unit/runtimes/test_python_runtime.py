"""The Python runtime as the engine drives it, without an engine: a crash between polls,
a second launch of the same attempt, another interpreter."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.unit.runtimes.support import FakeContext, drive, poll

from maestoso.runtimes import PythonRuntime, State
from maestoso.runtimes.shell import ARTIFACT

MODULE = """
import time


def slow(n):
    time.sleep(0.5)
    with open("calls.txt", "a") as calls:
        calls.write("called\\n")
    return {"doubled": n * 2}
"""


class Context(FakeContext):
    step_params: dict[str, dict[str, object]] = {}


def context(tmp_path: Path, **params: object) -> Context:
    code = tmp_path / "code"
    code.mkdir(exist_ok=True)
    (code / "jobs_slow.py").write_text(MODULE)
    own = {"entrypoint": "jobs_slow:slow", "working_dir": str(code), "n": 21}
    return Context(tmp_path / "attempt", params={**own, **params})


async def test_a_new_runtime_re_attaches_and_reads_the_result(tmp_path: Path) -> None:
    """As after a server crash: another runtime finds the process by its pid."""
    ctx = context(tmp_path)
    crashed = PythonRuntime()
    ctx.absorb(await crashed.start(ctx))
    other = PythonRuntime()
    result = await poll(other, ctx, ctx.absorb(await other.execute(ctx)))
    assert result.state is State.DONE
    assert ctx.output_params["doubled"]["evaluated_result"] == 42
    assert ctx.artifacts[ARTIFACT]["data"]["entrypoint"] == "jobs_slow:slow"
    assert not (tmp_path / "attempt" / "python_call.json").exists()  # read, then removed
    await crashed.execute(ctx)  # reaps the zombie


async def test_a_second_launch_of_the_attempt_runs_nothing_again(tmp_path: Path) -> None:
    """The server died after launching but before recording: the launch marker holds."""
    ctx = context(tmp_path)
    dead, restarted = PythonRuntime(), PythonRuntime()
    first = await dead.start(ctx)
    again = ctx.absorb(await restarted.start(ctx))
    assert again.artifacts[ARTIFACT]["data"]["pid"] == first.artifacts[ARTIFACT]["data"]["pid"]
    assert (await poll(restarted, ctx, again)).state is State.DONE
    assert ctx.output_params["doubled"]["evaluated_result"] == 42
    assert (tmp_path / "code" / "calls.txt").read_text() == "called\n"
    for runtime in (dead, restarted):  # the refused launch's wrapper, and the winner
        for child in runtime.launcher._children.values():
            child.wait()


@pytest.mark.skipif(shutil.which("python3") is None, reason="no python3 on PATH")
async def test_another_interpreter_needs_no_maestoso(tmp_path: Path) -> None:
    ctx = context(tmp_path, interpreter="python3", env={"PYTHONNOUSERSITE": "1"})
    ctx.params["entrypoint"] = "jobs_plain:fail"
    (tmp_path / "code" / "jobs_plain.py").write_text(
        "class NonRetryableError(Exception):\n    pass\n\n\n"
        "def fail(n):\n    raise NonRetryableError(f'no {n}')\n"
    )
    result = await drive(PythonRuntime(), ctx)
    assert result.state is State.FATAL_ERROR  # known by its name
    stderr = (tmp_path / "attempt" / "stderr.log").read_text()
    assert stderr.rstrip().endswith("jobs_plain.NonRetryableError: no 21")
