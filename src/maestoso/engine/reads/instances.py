"""The read side of instances and steps: runs, instance views, pages, steps and attempts.

Everything here only reads the store and shapes rows with the pure functions of
``engine.views*``; the engine writes what is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from maestoso.alerting.reads import RunAlerts
from maestoso.clock import Clock
from maestoso.engine.reads.aggregated import aggregated_info
from maestoso.engine.reads.pagination import PageRequest, page_result
from maestoso.engine.reads.steps import latest_views, step_json
from maestoso.engine.reads.views import JsonDict, instance_json
from maestoso.errors import NotFoundError, ValidationError
from maestoso.models.statuses import STEP_ACTIONS, WORKFLOW_ACTIONS, StepStatus
from maestoso.store.port import Store
from maestoso.store.records import InstanceRow, StepAttemptRow

MAX_ID = 2**63 - 1
"""The largest id a database column holds (a signed 64-bit integer)."""


@dataclass(frozen=True, slots=True)
class Selector:
    """``latest`` (any case) or a positive number: a run or an attempt in a path."""

    number: int | None
    """None for the latest."""

    @classmethod
    def parse(cls, text: str, what: str) -> Selector:
        lowered = text.strip().lower()
        if lowered == "latest":
            return cls(None)
        if lowered.isascii() and lowered.isdigit() and 0 < int(lowered) <= MAX_ID:
            return cls(int(lowered))
        raise ValidationError(
            f"invalid {what} [{text}]", [f"{what}: [{text}] must be latest or a positive number"]
        )


def instance_action_map() -> dict[str, list[str]]:
    """Each instance status and the actions it allows (Maestro's action map)."""
    return {
        status.value: [a.value for a in actions] for status, actions in WORKFLOW_ACTIONS.items()
    }


def step_action_map() -> dict[str, list[str]]:
    """Each step status that allows actions, in declaration order, and those actions.
    NOT_CREATED is absent, as in Maestro: there is no attempt to act on yet."""
    return {
        status.value: [action.value for action in STEP_ACTIONS[status]]
        for status in StepStatus
        if status in STEP_ACTIONS
    }


def _instance(workflow_id: str, instance_id: int, run_id: int | None = None) -> str:
    run = "" if run_id is None else f"[run {run_id}]"
    return f"workflow instance [{workflow_id}][{instance_id}]{run}"


class InstanceReader:
    """Reads instances and steps for the API."""

    def __init__(self, store: Store, clock: Clock, alerts: RunAlerts | None = None) -> None:
        self._store = store
        self._clock = clock
        self._alerts = alerts

    # -- workflow instances ------------------------------------------------------------------

    async def get_run(
        self,
        workflow_id: str,
        instance_id: int,
        run: str,
        *,
        enriched: bool = True,
        aggregated: bool = False,
    ) -> JsonDict:
        """One run (``latest`` or a run id); ``aggregated`` adds the overlay of runs 1..N."""
        run_id = Selector.parse(run, "workflow run").number
        row = await self._require_run(workflow_id, instance_id, run_id)
        info = await self._aggregated_info(row) if aggregated else None
        run_json = instance_json(row, enriched=enriched, aggregated_info=info)
        if self._alerts is None:
            return run_json
        return await self._alerts.annotate(row, run_json)

    async def list_deliveries(self, workflow_id: str, instance_id: int) -> list[JsonDict]:
        """An instance's alert and event-stream deliveries, oldest first."""
        await self._require_run(workflow_id, instance_id, None)
        return (
            [] if self._alerts is None else await self._alerts.deliveries(workflow_id, instance_id)
        )

    async def get_instance(
        self, workflow_id: str, instance_id: int, *, enriched: bool = True
    ) -> JsonDict:
        """The instance "view": its latest run, aggregated over all runs."""
        return await self.get_run(
            workflow_id, instance_id, "latest", enriched=enriched, aggregated=True
        )

    async def list_runs(
        self,
        workflow_id: str,
        instance_id: int,
        first: int | None,
        last: int | None,
        cursor: str | None,
    ) -> JsonDict:
        """A page of the runs of an instance, newest first."""
        page = PageRequest.parse(first, last, cursor)
        runs = await self._store.list_runs(workflow_id, instance_id)
        if not runs:
            raise NotFoundError(f"Cannot find {_instance(workflow_id, instance_id)}")
        latest = runs[-1].run_id
        low, high = page.id_range(1, latest)
        rows = [row for row in reversed(runs) if low <= row.run_id <= high]
        ids = (rows[0].run_id, rows[-1].run_id) if rows else None
        return page_result([instance_json(row) for row in rows], ids, 1, latest)

    async def list_instances(
        self,
        workflow_id: str,
        first: int | None,
        last: int | None,
        cursor: str | None,
        *,
        aggregated: bool = True,
    ) -> JsonDict:
        """A page of the instances of a workflow (the latest run of each), newest first."""
        page = PageRequest.parse(first, last, cursor)
        workflow = await self._store.get_workflow(workflow_id)
        if workflow is None:
            raise NotFoundError(f"Cannot find workflow [{workflow_id}]")
        latest = workflow.latest_instance_id
        rows: list[InstanceRow] = []
        low, high = page.id_range(1, latest)
        # A cursor past the latest id must not reach the database (it may not fit a column).
        if 1 <= low <= latest:
            rows = await self._store.list_instances(workflow_id, low=low, high=min(high, latest))
        elements = [
            instance_json(
                row, aggregated_info=await self._aggregated_info(row) if aggregated else None
            )
            for row in rows
        ]
        ids = (rows[0].instance_id, rows[-1].instance_id) if rows else None
        return page_result(elements, ids, 1, latest)

    # -- steps -------------------------------------------------------------------------------

    async def get_step_view(
        self, workflow_id: str, instance_id: int, step_id: str, *, enriched: bool = True
    ) -> JsonDict:
        """A step's latest attempt in the latest run that has it."""
        attempts = await self._store.list_step_attempts(workflow_id, instance_id, step_id)
        if not attempts:
            await self._require_run(workflow_id, instance_id, None)
            raise NotFoundError(
                f"Cannot find step [{step_id}] of {_instance(workflow_id, instance_id)}"
            )
        return step_json(latest_views(attempts)[0], enriched=enriched)

    async def get_step_attempt(
        self,
        workflow_id: str,
        instance_id: int,
        run: str,
        step_id: str,
        attempt: str,
        *,
        enriched: bool = True,
    ) -> JsonDict:
        """One attempt (``latest`` or an attempt id) of a step in one run."""
        run_id = Selector.parse(run, "workflow run").number
        attempt_id = Selector.parse(attempt, "step attempt").number
        row = await self._require_run(workflow_id, instance_id, run_id)
        found = await self._store.get_step_attempt(
            workflow_id, instance_id, row.run_id, step_id, attempt_id
        )
        if found is None:
            which = "" if attempt_id is None else f"[attempt {attempt_id}]"
            where = _instance(workflow_id, instance_id, row.run_id)
            raise NotFoundError(f"Cannot find step [{step_id}]{which} of {where}")
        return step_json(found, enriched=enriched)

    async def list_steps(self, workflow_id: str, instance_id: int) -> list[JsonDict]:
        """The view of every step of an instance, by ``step_instance_id``."""
        runs = await self._store.list_runs(workflow_id, instance_id)
        if not runs:
            raise NotFoundError(f"Cannot find {_instance(workflow_id, instance_id)}")
        attempts: list[StepAttemptRow] = []
        for run in runs:
            attempts += await self._store.get_step_attempts(workflow_id, instance_id, run.run_id)
        return [step_json(row) for row in latest_views(attempts)]

    async def list_run_steps(self, workflow_id: str, instance_id: int, run: str) -> list[JsonDict]:
        """The latest attempt of every step of one run, by ``step_instance_id``."""
        run_id = Selector.parse(run, "workflow run").number
        row = await self._require_run(workflow_id, instance_id, run_id)
        attempts = await self._store.get_step_attempts(workflow_id, instance_id, row.run_id)
        return [step_json(attempt) for attempt in latest_views(attempts)]

    # -- helpers -----------------------------------------------------------------------------

    async def _require_run(
        self, workflow_id: str, instance_id: int, run_id: int | None
    ) -> InstanceRow:
        row = await self._store.get_instance(workflow_id, instance_id, run_id)
        if row is None:
            raise NotFoundError(f"Cannot find {_instance(workflow_id, instance_id, run_id)}")
        return row

    async def _aggregated_info(self, row: InstanceRow) -> dict[str, Any]:
        """The overlay of runs 1..``row.run_id``; a first run needs no other row."""
        if row.run_id == 1:
            return aggregated_info([row])
        runs = await self._store.list_runs(row.workflow_id, row.instance_id)
        return aggregated_info([*(run for run in runs if run.run_id < row.run_id), row])
