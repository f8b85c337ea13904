"""Output data: params and artifacts that a step's external job publishes over the API
(``PUT /api/v3/output-data``) instead of printing them between output tokens.

A job is named by its type and id: a Kubernetes job by its job name (``KUBERNETES``), any
other step by its attempt's ``step_instance_uuid`` (``SHELL``, ``HTTP``, ``NOTEBOOK``; the
process sees it as ``MAESTRO_STEP_INSTANCE_UUID``). When the step's work ends, what its job
published joins the step's params and artifacts; a ``maestro_retry`` artifact saying
``retryable: false`` makes a failure final.
"""

from __future__ import annotations

from typing import Any

from maestoso.clock import Clock
from maestoso.errors import ValidationError
from maestoso.params import ParamError, Parameter
from maestoso.store.port import Store

DEFAULT_JOB_TYPE = "KUBERNETES"


class OutputData:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def save(self, body: dict[str, Any]) -> None:
        job_id = body.get("external_job_id")
        if not isinstance(job_id, str) or not job_id:
            raise ValidationError("external_job_id is required", ["external_job_id: is required"])
        job_type = str(body.get("external_job_type") or DEFAULT_JOB_TYPE).upper()
        params = body.get("params", {})
        if not isinstance(params, dict):
            raise ValidationError("params must be an object", ["params: must be an object"])
        problems = []
        for name, data in params.items():
            try:
                Parameter.from_json(name, data)
            except (ParamError, TypeError, ValueError, KeyError) as exc:
                problems.append(f"params.{name}: {exc}")
        if problems:
            raise ValidationError(f"invalid output data: {problems[0]}", problems)
        if not isinstance(body.get("artifacts", {}), dict):
            raise ValidationError("artifacts must be an object", ["artifacts: must be an object"])
        workflow_id = body.get("workflow_id")
        payload = {
            k: v
            for k, v in body.items()
            if k not in ("external_job_type", "external_job_id", "workflow_id")
        }
        await self._store.save_output_data(
            job_type,
            job_id,
            str(workflow_id) if workflow_id else None,
            payload,
            self._clock.now_ms(),
        )
