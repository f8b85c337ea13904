"""The environment a step's process gets: the server's (less its own settings), the step's
``env`` param, the output tokens, the step's identity and, when tracing is on, its attempt's
trace context (``TRACEPARENT``)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from maestoso import tracing
from maestoso.runtimes.base import StepContext
from maestoso.runtimes.outputs import token_env

_PRIVATE_PREFIX = "MAESTOSO_"
"""The server's own settings (a database URL may hold a password) stay with the server."""


def identity(context: StepContext) -> dict[str, str]:
    """Who the process is working for, as variables (Maestro's names, prefixed)."""
    return {
        "MAESTRO_WORKFLOW_ID": context.workflow_id,
        "MAESTRO_WORKFLOW_INSTANCE_ID": str(context.instance_id),
        "MAESTRO_WORKFLOW_RUN_ID": str(context.run_id),
        "MAESTRO_STEP_ID": context.step_id,
        "MAESTRO_STEP_ATTEMPT_ID": str(context.attempt_id),
        "MAESTRO_STEP_INSTANCE_UUID": context.step_uuid,
    }


def trace_env() -> dict[str, str]:
    """The current span as W3C's ``TRACEPARENT`` variable, if tracing is on."""
    parent = tracing.traceparent()
    return {"TRACEPARENT": parent} if parent else {}


def job_env(context: StepContext, env: Mapping[str, str]) -> dict[str, str]:
    """Maestro's variables come last: a step's ``env`` cannot forge them."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(_PRIVATE_PREFIX)}
    return {**inherited, **env, **trace_env(), **token_env(), **identity(context)}
