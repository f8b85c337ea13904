"""An engine node and API over a real store, with a data directory of its own (step logs)."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from pathlib import Path

from tests.integration.engine_support import Harness, harness

from maestoso.models.steps import StepType
from maestoso.runtimes import StepRuntime


def engine_at(
    database_url: str, home: Path, runtimes: Mapping[StepType, StepRuntime] | None = None
) -> AbstractAsyncContextManager[Harness]:
    """An engine whose step logs live under ``home`` (and are served by the API)."""
    return harness(database_url, runtimes, home=home)


def workflow(workflow_id: str, *steps: dict[str, object], **fields: object) -> dict[str, object]:
    return {
        "properties": {"owner": "tester", "run_strategy": "sequential"},
        "workflow": {"id": workflow_id, "steps": list(steps), **fields},
    }


def typed_step(
    step_id: str, kind: str, params: dict[str, object], successors: dict[str, str] | None = None
) -> dict[str, object]:
    body: dict[str, object] = {"id": step_id, "type": kind, "params": params}
    body["transition"] = {"successors": successors} if successors else {}
    return {"step": body}


def string(value: str) -> dict[str, str]:
    return {"value": value, "type": "STRING"}
