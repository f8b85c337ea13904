"""The workflow defaults of a run in UTC, evaluated once per hour instead of once per start.

A run with no time zone of its own (none from its initiator, none from a time trigger of
its workflow) dates itself in UTC. Then every workflow default but ``RUN_TS`` is a function
of the hour ``RUN_TS`` falls in and of the run's ``owner`` and ``workflow_id``: the run's
date and hour, the dates a day or a week before, and the date and hour of the start of that
hour in UTC and in Los Angeles (``defaults/workflow.yaml``). Evaluating the 23 expressions
took a third of a start request's time; here they are evaluated at the start of the hour,
kept, and given the run's ``RUN_TS`` and evaluation time. A run with a time zone is
evaluated in full, as are runs with params of their own (``only_workflow_defaults``).

``test_hourly`` evaluates both ways at hour, day and daylight-saving boundaries and checks
that they agree: a default added to the file that depends on more than the hour fails it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from maestoso.params.api import evaluate_workflow_params
from maestoso.params.context import InstanceContext, StaticContext
from maestoso.sel.state import FixedNow

HOUR_MS = 3_600_000
_ZONES = ("FIRST_TIME_TRIGGER_TIMEZONE", "INITIATOR_TIMEZONE")
_RUN_TS = "RUN_TS"


def hourly_defaults(context: InstanceContext, now_ms: int) -> dict[str, dict[str, Any]] | None:
    """The workflow defaults of a run at ``now_ms`` as the run stores them (each evaluated at
    that time), or None when the run has a time zone of its own and must be evaluated in
    full. The caller owns the dicts: each call copies them."""
    try:
        if any(context.instance_field(name) for name in _ZONES):
            return None
        owner, workflow_id = context.instance_field("owner"), context.instance_field("workflow_id")
    except Exception:  # the full evaluation reports what is missing
        return None
    if not (isinstance(owner, str | None) and isinstance(workflow_id, str | None)):
        return None
    hour = _of_hour(owner, workflow_id, now_ms // HOUR_MS)
    defaults = {name: {**body, "evaluated_time": now_ms} for name, body in hour.items()}
    defaults[_RUN_TS]["evaluated_result"] = now_ms
    return defaults


@lru_cache(maxsize=256)
def _of_hour(owner: str | None, workflow_id: str | None, hour: int) -> dict[str, dict[str, Any]]:
    """Evaluated at the hour's first millisecond; never handed out, only copied (the values
    are strings and numbers, so a copy of each param's dict is a copy of all of it)."""
    fields = StaticContext(instance={"owner": owner, "workflow_id": workflow_id})
    at = FixedNow(hour * HOUR_MS)
    params = evaluate_workflow_params(None, clock=at, context=fields, workflow_id=workflow_id)
    return {name: param.to_json() for name, param in params.items()}
