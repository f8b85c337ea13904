"""Step runtimes: what each step type does when it runs."""

from __future__ import annotations

from maestoso.models.steps import StepType
from maestoso.runtimes.base import (
    CONTINUE,
    DONE,
    State,
    StepContext,
    StepResult,
    StepRuntime,
)
from maestoso.runtimes.noop import NoOpRuntime
from maestoso.runtimes.shell import ShellRuntime
from maestoso.runtimes.sleep import SleepRuntime

__all__ = [
    "CONTINUE",
    "DONE",
    "NoOpRuntime",
    "ShellRuntime",
    "SleepRuntime",
    "State",
    "StepContext",
    "StepResult",
    "StepRuntime",
    "default_runtimes",
]


def default_runtimes() -> dict[StepType, StepRuntime]:
    """The runtimes available without configuration."""
    return {
        StepType.NOOP: NoOpRuntime(),
        StepType.SLEEP: SleepRuntime(),
        StepType.SHELL: ShellRuntime(),
    }
