"""Why a ``maestoso run`` did not succeed: each failed step's last error and output tail."""

from __future__ import annotations

from collections import deque
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from maestoso.store.records import StepAttemptRow

TAIL_LINES = 20
_FAILED = ("FAILED", "TIMED_OUT", "INTERNALLY_FAILED", "FATALLY_FAILED", "PLATFORM_FAILED")


def report_failures(steps: list[StepAttemptRow], home: Path, console: Console) -> None:
    for step in steps:
        if step.status not in _FAILED and "FAIL" not in step.status:
            continue
        console.print(
            f"[red]{escape(step.step_id)}[/red] attempt {step.attempt_id} {step.status}: "
            f"{escape(_last_error(step))}"
        )
        for stream in ("stdout", "stderr"):
            tail = _tail(_log_dir(step, home) / f"{stream}.log")
            if tail:
                console.print(f"  [dim]last lines of {stream}:[/dim]")
                for line in tail:
                    console.print(f"    {escape(line)}", soft_wrap=True)


def _last_error(step: StepAttemptRow) -> str:
    messages = [event.get("message") for event in step.timeline if event.get("message")]
    return str(messages[-1]) if messages else "no message"


def _log_dir(step: StepAttemptRow, home: Path) -> Path:
    # The engine's layout: the instance directory also names the instance's uuid.
    instance = f"{step.instance_id}-{step.document.get('workflow_uuid')}"
    parts = (step.workflow_id, instance, step.run_id, step.step_id, step.attempt_id)
    return home.joinpath("logs", *(str(part) for part in parts))


def _tail(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8", errors="replace") as log:
            return [line.rstrip("\n") for line in deque(log, maxlen=TAIL_LINES)]
    except OSError:
        return []
