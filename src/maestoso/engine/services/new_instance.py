"""A new instance's first run, as a start request makes it (before it has an id)."""

from __future__ import annotations

import uuid
from typing import Any

from maestoso.engine.runtime.executor import group_of
from maestoso.engine.runtime.param_context import RunContext
from maestoso.engine.runtime.signal_hub import SignalHub
from maestoso.engine.runtime.timeouts import resolve_seconds
from maestoso.errors import UserError
from maestoso.models import UserRef, Workflow
from maestoso.models.naming import correlation_id
from maestoso.models.start import InitiatorType, WorkflowStartRequest
from maestoso.models.statuses import WorkflowStatus
from maestoso.params import (
    evaluate_workflow_params,
    hourly_defaults,
    only_workflow_defaults,
)
from maestoso.sel.state import FixedNow
from maestoso.store.records import InstanceRow
from maestoso.store.run_records import FRESH_RUN, RunConfig, RunProperties, RunRecord

_RUN_PROPERTIES = ("create_time", "owner", "alerting", "step_concurrency", "tags")


def new_instance(
    workflow: Workflow,
    definition: dict[str, Any],
    internal_id: int,
    version_id: int,
    properties: dict[str, Any],
    request: WorkflowStartRequest,
    caller: UserRef,
    now: int,
    *,
    signals: SignalHub,
    groups: int,
) -> InstanceRow:
    """The first run of a new instance, its params evaluated (CREATED), or FAILED with the
    reason when they cannot be and the request asks to keep failed runs."""
    workflow_id = workflow.id
    run_params = {k: v.to_json() for k, v in (request.run_params or {}).items()}
    instance_uuid = request.request_id or str(uuid.uuid4())
    provisional = _provisional(workflow_id, version_id, instance_uuid, properties, request)
    failure: UserError | None = None
    context = RunContext(provisional, signals=signals)
    defaults_only = only_workflow_defaults(workflow.params, run_params=request.run_params)
    params = hourly_defaults(context, now) if defaults_only else None
    try:
        if params is None:
            evaluated = evaluate_workflow_params(
                workflow.params,
                run_params=request.run_params,
                context=context,
                clock=FixedNow(now),  # every default (RUN_TS…) agrees
                workflow_id=workflow_id,
            )
            params = {name: param.to_json() for name, param in evaluated.items()}
    except UserError as exc:
        if not request.persist_failed_run:
            raise
        failure, params = exc, {}  # kept as a FAILED run, as the caller asked
    initiator = request.initiator.to_json()
    if request.initiator.type is InitiatorType.MANUAL:
        initiator["user"] = caller
    steps = workflow.top_steps()
    predecessors: dict[str, list[str]] = {step.id: [] for step in steps}
    for step in steps:
        for successor in step.successors:
            predecessors[successor].append(step.id)
    # A subworkflow shares its root's correlation id, as its run config says.
    shared = correlation_id(workflow_id, 0, initiator) if initiator.get("ancestors") else None
    tags = [t if isinstance(t, str) else t.to_json() for t in request.runtime_tags or ()]
    record = RunRecord(
        group_info=groups,
        internal_id=internal_id,
        correlation_id=shared,
        run_config=RunConfig(policy=FRESH_RUN, correlation_id=shared, runtime_tags=tags or None),
        run_params=run_params or None,
        run_properties=RunProperties.from_json(
            {k: v for k, v in properties.items() if k in _RUN_PROPERTIES}
        ),
        runtime_workflow=definition,
        runtime_dag={
            step.id: {
                "predecessors": predecessors[step.id],
                "successors": dict(step.successors),
            }
            for step in steps
        },
        timeout_in_millis=_timeout_ms(workflow, params),
        params_json=params,
    )
    return InstanceRow(
        workflow_id=workflow_id,
        instance_id=0,
        run_id=1,
        uuid=instance_uuid,
        version_id=version_id,
        status=(WorkflowStatus.FAILED if failure else WorkflowStatus.CREATED).value,
        group_id=group_of(f"[{workflow_id}][{instance_uuid}]", groups),
        initiator=initiator,
        depth=len(initiator.get("ancestors") or ()),
        document=record.to_json(),
        runtime_overview=None,
        artifacts=request.artifacts,
        timeline=[_failure_details(failure, now)] if failure else [],
        execution_id=None,
        request_time=request.request_time or now,
        create_time=now,
        start_time=None,
        end_time=now if failure else None,
        modify_time=now,
    )


def _failure_details(error: UserError, now: int) -> dict[str, Any]:
    return {
        "timestamp": now,
        "type": "DETAILS",
        "status": "BAD_REQUEST",
        "message": f"Failed to initiate workflow params and properties: {error.message}",
        "errors": error.errors,
        "retryable": False,
    }


def _provisional(
    workflow_id: str,
    version_id: int,
    instance_uuid: str,
    properties: dict[str, Any],
    request: WorkflowStartRequest,
) -> InstanceRow:
    """What params may read of an instance before it is stored (its id is not known yet)."""
    return InstanceRow(
        workflow_id=workflow_id,
        instance_id=0,
        run_id=1,
        uuid=instance_uuid,
        version_id=version_id,
        status=WorkflowStatus.CREATED.value,
        group_id=0,
        initiator=request.initiator.to_json(),
        depth=0,
        document=RunRecord(
            run_properties=RunProperties(owner=properties.get("owner")),
            run_config=RunConfig(policy=FRESH_RUN),
        ).to_json(),
        runtime_overview=None,
        artifacts=None,
        timeline=[],
        execution_id=None,
        request_time=0,
        create_time=0,
        start_time=None,
        end_time=None,
        modify_time=0,
    )


def _timeout_ms(workflow: Workflow, params: dict[str, dict[str, Any]]) -> int | None:
    """The workflow's timeout, parsed against its params (Maestro writes it when set)."""
    if workflow.timeout is None:
        return None
    results = {name: param["evaluated_result"] for name, param in params.items()}
    try:
        seconds = resolve_seconds(workflow.timeout, results)
    except UserError:
        return None  # the run fails on it when it starts
    return None if seconds is None else seconds * 1000
