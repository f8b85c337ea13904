"""Instance and step statuses, their flags, and the actions each status allows (Maestro's
``WorkflowInstance.Status``, ``StepInstance.Status`` and ``Actions``), declared as data."""

from __future__ import annotations

from enum import StrEnum


class WorkflowStatus(StrEnum):
    CREATED = "CREATED"
    IN_PROGRESS = "IN_PROGRESS"
    PAUSED = "PAUSED"
    TIMED_OUT = "TIMED_OUT"
    STOPPED = "STOPPED"
    FAILED = "FAILED"
    SUCCEEDED = "SUCCEEDED"

    @property
    def is_terminal(self) -> bool:
        return self in _TERMINAL_WORKFLOW

    @classmethod
    def from_stored(cls, value: str) -> WorkflowStatus:
        """Maestro stores FAILED_1 (unblocked) and FAILED_2 (restarted); both read as FAILED."""
        return cls.FAILED if value.startswith("FAILED") else cls(value)


_TERMINAL_WORKFLOW = frozenset(
    {
        WorkflowStatus.TIMED_OUT,
        WorkflowStatus.STOPPED,
        WorkflowStatus.FAILED,
        WorkflowStatus.SUCCEEDED,
    }
)


class StepStatus(StrEnum):
    NOT_CREATED = "NOT_CREATED"
    CREATED = "CREATED"
    INITIALIZED = "INITIALIZED"
    PAUSED = "PAUSED"
    WAITING_FOR_SIGNALS = "WAITING_FOR_SIGNALS"
    EVALUATING_PARAMS = "EVALUATING_PARAMS"
    WAITING_FOR_PERMITS = "WAITING_FOR_PERMITS"
    STARTING = "STARTING"
    RUNNING = "RUNNING"
    FINISHING = "FINISHING"
    DISABLED = "DISABLED"
    UNSATISFIED = "UNSATISFIED"
    SKIPPED = "SKIPPED"
    SUCCEEDED = "SUCCEEDED"
    COMPLETED_WITH_ERROR = "COMPLETED_WITH_ERROR"
    USER_FAILED = "USER_FAILED"
    PLATFORM_FAILED = "PLATFORM_FAILED"
    TIMEOUT_FAILED = "TIMEOUT_FAILED"
    FATALLY_FAILED = "FATALLY_FAILED"
    INTERNALLY_FAILED = "INTERNALLY_FAILED"
    STOPPED = "STOPPED"
    TIMED_OUT = "TIMED_OUT"

    @property
    def is_terminal(self) -> bool:
        return self in _TERMINAL_STEP

    @property
    def is_complete(self) -> bool:
        """Terminal and successful enough for the DAG to go on past it."""
        return self in _COMPLETE_STEP

    @property
    def is_retryable(self) -> bool:
        """Terminal for this attempt, but the retry policy may start another."""
        return self in _RETRYABLE_STEP

    @property
    def is_overview(self) -> bool:
        """Kept by reference in the rollup overview."""
        return self in _OVERVIEW_STEP

    @property
    def is_failed(self) -> bool:
        return self in _FAILED_STEP

    @property
    def is_restartable(self) -> bool:
        return self.is_terminal and not self.is_complete and not self.is_retryable


_COMPLETE_STEP = frozenset(
    {
        StepStatus.DISABLED,
        StepStatus.UNSATISFIED,
        StepStatus.SKIPPED,
        StepStatus.SUCCEEDED,
        StepStatus.COMPLETED_WITH_ERROR,
    }
)
_RETRYABLE_STEP = frozenset(
    {StepStatus.USER_FAILED, StepStatus.PLATFORM_FAILED, StepStatus.TIMEOUT_FAILED}
)
_FAILED_STEP = _RETRYABLE_STEP | {StepStatus.FATALLY_FAILED, StepStatus.INTERNALLY_FAILED}
_TERMINAL_STEP = _COMPLETE_STEP | _FAILED_STEP | {StepStatus.STOPPED, StepStatus.TIMED_OUT}
_OVERVIEW_STEP = (
    frozenset(
        {
            StepStatus.PAUSED,
            StepStatus.WAITING_FOR_SIGNALS,
            StepStatus.EVALUATING_PARAMS,
            StepStatus.WAITING_FOR_PERMITS,
            StepStatus.RUNNING,
        }
    )
    | _FAILED_STEP
)


class InstanceAction(StrEnum):
    STOP = "STOP"
    KILL = "KILL"
    RESTART = "RESTART"
    UNBLOCK = "UNBLOCK"


class StepAction(StrEnum):
    PAUSE = "PAUSE"
    RESUME = "RESUME"
    STOP = "STOP"
    KILL = "KILL"
    SKIP = "SKIP"
    RESTART = "RESTART"
    BYPASS_STEP_DEPENDENCIES = "BYPASS_STEP_DEPENDENCIES"


_I = InstanceAction
WORKFLOW_ACTIONS: dict[WorkflowStatus, tuple[InstanceAction, ...]] = {
    WorkflowStatus.CREATED: (_I.STOP, _I.KILL),
    WorkflowStatus.IN_PROGRESS: (_I.STOP, _I.KILL),
    WorkflowStatus.PAUSED: (_I.STOP, _I.KILL),
    WorkflowStatus.TIMED_OUT: (_I.RESTART,),
    WorkflowStatus.STOPPED: (_I.RESTART,),
    WorkflowStatus.FAILED: (_I.RESTART, _I.UNBLOCK),
    WorkflowStatus.SUCCEEDED: (_I.RESTART,),
}
"""What a user may do to an instance in each status (the workflow action map)."""

_S = StepAction
_RUNNING_ACTIONS = (_S.STOP, _S.KILL, _S.SKIP)
_DONE_ACTIONS = (_S.RESTART, _S.SKIP)
STEP_ACTIONS: dict[StepStatus, tuple[StepAction, ...]] = {
    StepStatus.CREATED: (_S.PAUSE, _S.STOP, _S.KILL),
    StepStatus.INITIALIZED: (_S.PAUSE, _S.STOP, _S.KILL, _S.SKIP),
    StepStatus.PAUSED: (_S.RESUME, _S.STOP, _S.KILL, _S.SKIP),
    StepStatus.WAITING_FOR_SIGNALS: (_S.STOP, _S.KILL, _S.SKIP, _S.BYPASS_STEP_DEPENDENCIES),
    StepStatus.EVALUATING_PARAMS: _RUNNING_ACTIONS,
    StepStatus.WAITING_FOR_PERMITS: _RUNNING_ACTIONS,
    StepStatus.STARTING: _RUNNING_ACTIONS,
    StepStatus.RUNNING: _RUNNING_ACTIONS,
    StepStatus.FINISHING: _RUNNING_ACTIONS,
    StepStatus.USER_FAILED: _RUNNING_ACTIONS,
    StepStatus.PLATFORM_FAILED: _RUNNING_ACTIONS,
    StepStatus.TIMEOUT_FAILED: _RUNNING_ACTIONS,
    StepStatus.DISABLED: (_S.RESTART,),
    StepStatus.UNSATISFIED: (_S.RESTART,),
    StepStatus.SKIPPED: _DONE_ACTIONS,
    StepStatus.SUCCEEDED: _DONE_ACTIONS,
    StepStatus.COMPLETED_WITH_ERROR: _DONE_ACTIONS,
    StepStatus.FATALLY_FAILED: _DONE_ACTIONS,
    StepStatus.INTERNALLY_FAILED: _DONE_ACTIONS,
    StepStatus.STOPPED: _DONE_ACTIONS,
    StepStatus.TIMED_OUT: _DONE_ACTIONS,
}
"""What a user may do to a step attempt in each status (the step action map)."""


def workflow_status_from_steps(statuses: list[StepStatus]) -> WorkflowStatus:
    """The status of a finished run from its steps' final statuses (Maestro's checkProgress):
    any failure wins, then a timeout, then a stop; no step at all is a failure."""
    if not statuses:
        return WorkflowStatus.FAILED
    if any(status.is_failed for status in statuses):
        return WorkflowStatus.FAILED
    if StepStatus.TIMED_OUT in statuses:
        return WorkflowStatus.TIMED_OUT
    if StepStatus.STOPPED in statuses:
        return WorkflowStatus.STOPPED
    return WorkflowStatus.SUCCEEDED


ACTION_TARGET = {"STOP": WorkflowStatus.STOPPED, "KILL": WorkflowStatus.FAILED}
"""The status a run ends in when a user stops or kills it."""
