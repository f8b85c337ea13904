"""One step across many instances of a workflow: what flattened foreach views read.

The iterations of a foreach step are instances ``1..N`` of one inline workflow; a view of
one of their steps over thousands of iterations reads that step's latest attempt in each,
a range of instance ids at a time, without the attempts' documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True, kw_only=True)
class IterationStep:
    """The latest attempt of a step in the latest run of one instance."""

    instance_id: int
    run_id: int
    attempt_id: int
    status: str
    runtime_state: dict[str, Any]


class IterationStore(Protocol):
    async def iteration_steps(
        self, workflow_id: str, step_id: str, low: int, high: int
    ) -> list[IterationStep]:
        """For each instance ``low..high`` of the workflow that has the step, the step's
        latest attempt in the instance's latest run that has it, by instance id."""
        ...
