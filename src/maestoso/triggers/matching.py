"""Matching an announced signal against the signal triggers listening to its name.

For each subscribed trigger: the signal must meet its entry's ``match_params``; its
``join_keys`` values then constrain every other signal of the trigger (each must have equal
values under its own join keys, and meet its own match params), looked for after that
signal's checkpoint. When all match, the store moves the checkpoints and enqueues the start in
one transaction: one run per matched set. The trigger's ``params``, ``condition`` and
``dedup_expr`` (SEL) are evaluated then; a false condition consumes the signals without a run.
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from maestoso.clock import Clock
from maestoso.errors import MaestosoError
from maestoso.models import ParamDefinition
from maestoso.models.events import SignalAnnounced
from maestoso.models.naming import canonical, name_uuid
from maestoso.params import StaticContext, evaluate_params, off_loop
from maestoso.store.records import JobEvent
from maestoso.store.triggering import ParamCondition, SignalInstanceRow, SignalStore, TriggerStore
from maestoso.triggers.starts import start_event

logger = logging.getLogger(__name__)


class MatchingStore(SignalStore, TriggerStore, Protocol):
    """What matching needs of the store."""


class SignalMatcher:
    def __init__(
        self,
        store: MatchingStore,
        clock: Clock,
        wake: Callable[[], None] = lambda: None,
        on_signal: Callable[[str], None] | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._wake = wake
        self._on_signal = on_signal

    async def on_signal_announced(self, event: SignalAnnounced) -> None:
        """The handler of ``SIGNAL_ANNOUNCED``."""
        name, seq_id = event.name, event.seq_id
        if self._on_signal is not None:
            self._on_signal(name)  # steps waiting for this name look again
        signal = await self._store.get_signal(name, seq_id)
        if signal is None:
            return
        started = 0
        for workflow_id, trigger_uuid in await self._store.subscribed_triggers(name):
            started += await self.try_trigger(workflow_id, trigger_uuid, signal)
        if started:
            self._wake()

    async def try_trigger(
        self, workflow_id: str, trigger_uuid: str, signal: SignalInstanceRow
    ) -> int:
        """1 if the signal completed a matched set of the trigger (its start enqueued)."""
        rows = await self._store.list_signal_triggers(workflow_id)
        trigger = next((r.definition for r in rows if r.trigger_uuid == trigger_uuid), None)
        if trigger is None:
            return 0
        lookups = lookups_for(trigger, signal)
        if lookups is None:
            return 0
        # The trigger's SEL does not depend on the matched set: it is evaluated before the
        # matching transaction, on a worker thread and bounded in time.
        start = await self._evaluated(workflow_id, trigger)

        def events(ids: dict[str, int]) -> list[JobEvent]:
            if isinstance(start, str):  # the matched signals are consumed without a run
                logger.info("signal trigger [%s][%s] %s", workflow_id, trigger_uuid, start)
                return []
            return [self._start(workflow_id, trigger_uuid, start, ids)]

        matched = await self._store.fire_signal_trigger(
            workflow_id,
            trigger_uuid,
            base=(signal.name, signal.seq_id),
            lookups=lookups,
            events=events,
        )
        return 0 if matched is None else 1

    async def _evaluated(self, workflow_id: str, trigger: dict[str, Any]) -> Evaluated | str:
        """The trigger's params and dedup key, or why it starts no run (its condition is
        false or its SEL fails)."""
        if not (trigger.get("params") or trigger.get("condition") or trigger.get("dedup_expr")):
            return Evaluated(params={}, unique=None)
        try:
            evaluated = await off_loop(self._evaluate_trigger, workflow_id, trigger)
        except MaestosoError as exc:
            return f"skipped: {exc}"
        return "condition false" if evaluated is None else evaluated

    def _evaluate_trigger(self, workflow_id: str, trigger: dict[str, Any]) -> Evaluated | None:
        """(Blocking: SEL runs here.) None when the condition is false."""
        params = self._evaluate(workflow_id, trigger.get("params") or {})
        condition = trigger.get("condition")
        if condition and not self._value(workflow_id, condition, "BOOLEAN"):
            return None
        dedup = trigger.get("dedup_expr")
        unique = str(self._value(workflow_id, dedup, "STRING")) if dedup else None
        return Evaluated(params=params, unique=unique)

    def _start(
        self, workflow_id: str, trigger_uuid: str, start: Evaluated, ids: dict[str, int]
    ) -> JobEvent:
        signal_ids = {name: ids[name] for name in sorted(ids)}
        execution = {
            "workflow_id": workflow_id,
            "trigger_uuid": trigger_uuid,
            "signal_ids": signal_ids,
        }
        request = {
            "initiator": {
                "type": "SIGNAL",
                "trigger_uuid": trigger_uuid,
                "signal_id_map": signal_ids,
                "params": start.params,
            },
            "request_time": self._clock.now_ms(),
            "request_id": name_uuid(
                start.unique if start.unique is not None else canonical(execution)
            ),
            "persist_failed_run": True,
        }
        return start_event(workflow_id, request)

    def _evaluate(self, workflow_id: str, raw: dict[str, Any]) -> dict[str, Any]:
        definitions = {name: ParamDefinition.model_validate(d) for name, d in raw.items()}
        evaluated = evaluate_params(
            definitions, clock=self._clock, context=StaticContext({"workflow_id": workflow_id})
        )
        return {name: param.to_json() for name, param in evaluated.items()}

    def _value(self, workflow_id: str, expression: str, kind: str) -> Any:
        raw = {"maestro_signal_expr": {"expression": expression, "type": kind}}
        return self._evaluate(workflow_id, raw)["maestro_signal_expr"]["evaluated_result"]


@dataclass(frozen=True, slots=True)
class Evaluated:
    """What a signal trigger's SEL gave: the run's params and, with ``dedup_expr``, the key
    its request id derives from."""

    params: dict[str, Any]
    unique: str | None


def lookups_for(
    trigger: dict[str, Any], signal: SignalInstanceRow
) -> dict[str, list[ParamCondition]] | None:
    """What the trigger's other signals must match, given this one; None if it matches not."""
    entries: dict[str, Any] = trigger.get("definitions") or {}
    base = entries.get(signal.name)
    if base is None or not _meets(base, signal.params):
        return None
    join_values = []
    for key in base.get("join_keys") or []:
        if key not in signal.params:
            return None
        join_values.append(signal.params[key])
    lookups = {}
    for name, entry in entries.items():
        if name == signal.name:
            continue
        conditions = conditions_of(entry)
        keys = entry.get("join_keys") or []
        if keys and len(keys) != len(join_values):
            return None
        conditions += [ParamCondition(k, "=", v) for k, v in zip(keys, join_values, strict=False)]
        lookups[name] = conditions
    return lookups


def conditions_of(entry: dict[str, Any]) -> list[ParamCondition]:
    return [
        ParamCondition(param, str(match["operator"]), match["value"])
        for param, match in (entry.get("match_params") or {}).items()
    ]


def _meets(entry: dict[str, Any], params: dict[str, Any]) -> bool:
    return all(satisfies(params.get(c.param), c) for c in conditions_of(entry))


def satisfies(value: Any, condition: ParamCondition) -> bool:
    """``value <operator> condition.value``; values of different types never match."""
    target: Any = condition.value
    if value is None or isinstance(value, bool) or type(value) is not type(target):
        return False
    compare = _COMPARISONS.get(condition.operator)
    return compare is not None and bool(compare(value, target))


_COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "=": operator.eq,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}
