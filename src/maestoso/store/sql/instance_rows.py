"""Instance and step attempt rows: the column values of a row, and a row of the values."""

from __future__ import annotations

from typing import Any

from sqlalchemy import RowMapping

from maestoso.store.records import InstanceRow, StepAttemptRow


def instance_values(row: InstanceRow) -> dict[str, Any]:
    return {
        "workflow_id": row.workflow_id,
        "instance_id": row.instance_id,
        "run_id": row.run_id,
        "uuid": row.uuid,
        "version_id": row.version_id,
        "status": row.status,
        "group_id": row.group_id,
        "depth": row.depth,
        "initiator": row.initiator,
        "document": row.document,
        "runtime_overview": row.runtime_overview,
        "artifacts": row.artifacts,
        "timeline": row.timeline,
        "execution_id": row.execution_id,
        "request_ts": row.request_time,
        "create_ts": row.create_time,
        "start_ts": row.start_time,
        "end_ts": row.end_time,
        "modify_ts": row.modify_time,
    }


def instance_of(row: RowMapping) -> InstanceRow:
    return InstanceRow(
        workflow_id=row["workflow_id"],
        instance_id=row["instance_id"],
        run_id=row["run_id"],
        uuid=row["uuid"],
        version_id=row["version_id"],
        status=row["status"],
        group_id=row["group_id"],
        initiator=row["initiator"],
        depth=row["depth"],
        document=row["document"],
        runtime_overview=row["runtime_overview"],
        artifacts=row["artifacts"],
        timeline=row["timeline"],
        execution_id=row["execution_id"],
        request_time=row["request_ts"],
        create_time=row["create_ts"],
        start_time=row["start_ts"],
        end_time=row["end_ts"],
        modify_time=row["modify_ts"],
    )


def attempt_values(attempt: StepAttemptRow) -> dict[str, Any]:
    return {
        "workflow_id": attempt.workflow_id,
        "instance_id": attempt.instance_id,
        "run_id": attempt.run_id,
        "step_id": attempt.step_id,
        "attempt_id": attempt.attempt_id,
        "step_uuid": attempt.step_uuid,
        "status": attempt.status,
        "runtime_state": attempt.runtime_state,
        "document": attempt.document,
        "artifacts": attempt.artifacts,
        "timeline": attempt.timeline,
        "create_ts": attempt.create_time,
        "modify_ts": attempt.modify_time,
    }


def attempt_of(row: RowMapping) -> StepAttemptRow:
    return StepAttemptRow(
        workflow_id=row["workflow_id"],
        instance_id=row["instance_id"],
        run_id=row["run_id"],
        step_id=row["step_id"],
        attempt_id=row["attempt_id"],
        step_uuid=row["step_uuid"],
        status=row["status"],
        runtime_state=row["runtime_state"],
        document=row["document"],
        artifacts=row["artifacts"],
        timeline=row["timeline"],
        create_time=row["create_ts"],
        modify_time=row["modify_ts"],
    )
