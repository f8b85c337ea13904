"""The messages of a flow actor's mailbox: its steps report there, and actions arrive there."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from maestoso.models.statuses import StepAction, WorkflowStatus
from maestoso.store.records import StepAttemptRow


@dataclass(frozen=True, slots=True)
class StepFinished:
    step_id: str
    row: StepAttemptRow


@dataclass(frozen=True, slots=True)
class StepCrashed:
    step_id: str
    error: BaseException


@dataclass(frozen=True, slots=True)
class WriteFailed:
    """A write the flow did not wait for failed: the flow stops and resumes from the database."""

    error: BaseException


@dataclass(frozen=True, slots=True)
class Terminate:
    """Stop (→ STOPPED) or kill (→ FAILED) the run."""

    status: WorkflowStatus
    reason: str


@dataclass(frozen=True, slots=True)
class ActOnStep:
    """A user's action on one step of the run: STOP, KILL, SKIP or RESTART."""

    step_id: str
    action: StepAction
    params: Mapping[str, Any] | None = None
    """A RESTART's ``step_run_params`` (definitions as JSON), for the new attempt."""


Message = StepFinished | StepCrashed | WriteFailed | Terminate | ActOnStep
