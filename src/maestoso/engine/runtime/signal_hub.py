"""The engine's side of signals: signal params for ``params.getFromSignal…`` and waiting steps.

Param evaluation is synchronous, so the signals a run reads are fetched before it evaluates
(``prefetch``) into a process-wide cache; signal instances never change, so a cached one is
never stale. Steps waiting for signals park on ``SignalWaiters`` and are woken when a signal
of a name they wait for is announced through this node; a slower poll covers other nodes.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from maestoso.clock import Clock
from maestoso.errors import ConflictError, InvalidStatusError, NotFoundError
from maestoso.models import ParamDefinition
from maestoso.store.port import SignalStore, Store
from maestoso.store.records import ParamCondition
from maestoso.triggers.ids import canonical, name_uuid
from maestoso.triggers.signals import SignalService

_CACHE_SIZE = 10_000
_cache: OrderedDict[tuple[str, int], dict[str, Any]] = OrderedDict()


def remember(name: str, seq_id: int, params: dict[str, Any]) -> None:
    _cache[name, seq_id] = params
    _cache.move_to_end((name, seq_id))
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)


def cached_params(name: str, seq_id: int) -> dict[str, Any] | None:
    return _cache.get((name, seq_id))


async def prefetch(store: SignalStore, refs: Iterable[tuple[str, int]]) -> None:
    """Load the params of these signals (name, seq id) into the cache."""
    for name, seq_id in refs:
        if cached_params(name, seq_id) is None:
            signal = await store.get_signal(name, seq_id)
            if signal is not None:
                remember(name, seq_id, signal.params)


def signal_refs(initiator: dict[str, Any]) -> list[tuple[str, int]]:
    """The signals a SIGNAL initiator names."""
    if str(initiator.get("type", "")).upper() != "SIGNAL":
        return []
    ids = initiator.get("signal_id_map") or {}
    return [(str(name), int(seq)) for name, seq in ids.items()]


def initiator_signal_param(initiator: dict[str, Any], signal: str | None, param: str) -> Any:
    """``params.getFromSignal``: a param of the trigger (no name) or of a matched signal."""
    if str(initiator.get("type", "")).upper() != "SIGNAL":
        raise KeyError(
            f"Initiator [{initiator.get('type')}] is not a signal trigger and cannot get a "
            f"param [{param}] from it"
        )
    if signal is None:
        params = initiator.get("params") or {}
        if param not in params:
            raise KeyError(f"Cannot find param [{param}] from the signal initiator")
        return params[param].get("evaluated_result")
    seq_id = (initiator.get("signal_id_map") or {}).get(signal)
    return signal_value(signal, seq_id, param)


def signal_value(signal: str, seq_id: int | None, param: str) -> Any:
    values = None if seq_id is None else cached_params(signal, int(seq_id))
    if values is None or param not in values:
        raise KeyError(f"Cannot find param [{param}] for signal [{signal}]")
    return values[param]


class SignalWaiters:
    """In-process wake-ups of steps waiting for signals, by signal name."""

    def __init__(self) -> None:
        self._events: dict[str, set[asyncio.Event]] = {}

    def announce(self, name: str) -> None:
        for event in self._events.get(name, ()):
            event.set()

    async def wait(self, names: Iterable[str], timeout: float, clock: Clock) -> None:
        """Until a signal of one of ``names`` is announced, or ``timeout`` seconds."""
        event = asyncio.Event()
        keys = set(names)
        for name in keys:
            self._events.setdefault(name, set()).add(event)
        try:
            await clock.wait_for(event.wait(), timeout)
        except TimeoutError:
            pass
        finally:
            for name in keys:
                waiting = self._events.get(name)
                if waiting is not None:
                    waiting.discard(event)
                    if not waiting:
                        del self._events[name]


waiters = SignalWaiters()
"""The node's waiters (one per process, as the signal cache)."""


# -- step signal dependencies and outputs ---------------------------------------------------------

POLL_SECONDS = 5.0
"""How often a waiting step looks again without a wake-up (Maestro polls every 5 s)."""

StepKey = tuple[str, int, int, str]
"""(workflow id, instance id, run id, step id)."""

_bypassed: set[StepKey] = set()


def request_bypass(key: StepKey) -> None:
    """Let a step waiting for signals go on without them (its dependencies become SKIPPED)."""
    _bypassed.add(key)
    waiters.announce(_bypass_name(key))


def _bypass_name(key: StepKey) -> str:
    return "\0bypass:" + "/".join(map(str, key))


async def await_dependencies(
    definitions: list[Any],
    *,
    store: SignalStore,
    key: StepKey,
    evaluate: Callable[[dict[str, ParamDefinition]], dict[str, Any]],
    publish: Callable[[dict[str, Any]], Awaitable[None]],
    clock: Clock,
    poll_seconds: float = POLL_SECONDS,
) -> list[dict[str, Any]]:
    """Wait until every dependency matches a signal (or the step is bypassed); ``publish``
    writes the ``signal_dependencies`` view whenever it changes. Returns the dependencies'
    ``{name, signal_id}`` for ``params.getFromSignalDependency``."""
    view = dependency_view(definitions, evaluate)
    await publish(view)
    while True:
        changed = await _match_pending(store, view["dependencies"])
        if all(d["status"] == "MATCHED" for d in view["dependencies"]):
            view["info"] = _info("Signal step dependencies are satisfied.")
            await publish(view)
            break
        if key in _bypassed:
            _bypassed.discard(key)
            for dependency in view["dependencies"]:
                if dependency["status"] == "PENDING":
                    dependency["status"] = "SKIPPED"
            view["info"] = _info("Signal step dependencies are bypassed by the user.")
            await publish(view)
            break
        if changed:
            await publish(view)
        names = [d["name"] for d in view["dependencies"] if d["status"] == "PENDING"]
        await waiters.wait([*names, _bypass_name(key)], poll_seconds, clock)
    return [{"name": d["name"], "signal_id": d.get("signal_id")} for d in view["dependencies"]]


def dependency_view(
    definitions: list[Any], evaluate: Callable[[dict[str, ParamDefinition]], dict[str, Any]]
) -> dict[str, Any]:
    """The PENDING dependencies, their names and match params evaluated."""
    raw: dict[str, ParamDefinition] = {}
    for index, definition in enumerate(definitions):
        raw[f"maestro_dependency_{index}"] = ParamDefinition.model_validate(
            {"value": definition.name, "type": "STRING"}
        )
        for name, match in (definition.match_params or {}).items():
            raw[f"maestro_dependency_{index}_{name}"] = match.param
    values = evaluate(raw)
    dependencies = []
    for index, definition in enumerate(definitions):
        match_params = {
            name: {
                "value": values[f"maestro_dependency_{index}_{name}"],
                "operator": match.operator.value,
            }
            for name, match in (definition.match_params or {}).items()
        }
        dependencies.append(
            {
                "name": values[f"maestro_dependency_{index}"],
                "status": "PENDING",
                "match_params": match_params,
            }
        )
    return {"dependencies": dependencies, "info": _info("Waiting for signal step dependencies.")}


async def _match_pending(store: SignalStore, dependencies: list[dict[str, Any]]) -> bool:
    changed = False
    for dependency in dependencies:
        if dependency["status"] != "PENDING":
            continue
        conditions = [
            ParamCondition(name, match["operator"], match["value"])
            for name, match in dependency["match_params"].items()
        ]
        # As Maestro: any signal of the name that matches, however old.
        seq_id = await store.match_signal(dependency["name"], conditions)
        if seq_id is not None:
            dependency.update(status="MATCHED", signal_id=seq_id)
            await prefetch(store, [(dependency["name"], seq_id)])
            changed = True
    return changed


def _info(message: str) -> dict[str, Any]:
    return {"type": "LOG", "level": "INFO", "message": message}


async def announce_outputs(
    definitions: list[Any],
    *,
    service: SignalService,
    attempt: tuple[str, int, int, str, int],
    evaluate: Callable[[dict[str, ParamDefinition]], dict[str, Any]],
) -> dict[str, Any]:
    """Announce a finishing step's ``signal_outputs``; returns their view. The request ids
    derive from the attempt, so announcing again after a crash stores nothing twice."""
    workflow_id, instance_id, run_id, step_id, attempt_id = attempt
    source = {
        "workflow_id": workflow_id,
        "workflow_instance_id": instance_id,
        "workflow_run_id": run_id,
        "step_id": step_id,
        "step_attempt_id": attempt_id,
    }
    outputs = []
    for index, definition in enumerate(definitions):
        params = evaluate(dict(definition.params or {}))
        payload = evaluate(dict(definition.payload or {}))
        name = evaluate(
            {"name": ParamDefinition.model_validate({"value": definition.name, "type": "STRING"})}
        )["name"]
        body = {
            "name": name,
            "params": params,
            "request_id": name_uuid(canonical([*attempt, index])),
            "signal_source": source,
            **payload,
        }
        output: dict[str, Any] = {"name": name, "params": params}
        if payload:
            output["payload"] = payload
        try:
            stored = await service.announce(body)
        except ConflictError:
            outputs.append(output)  # announced before this attempt was interrupted
            continue
        output.update(signal_id=stored.seq_id, announce_time=stored.create_time)
        outputs.append(output)
    return {"outputs": outputs, "info": _info("Signal step outputs have been completed.")}


class StepBypass:
    """The ``bypass`` step action: a step WAITING_FOR_SIGNALS goes on without them.

    The wake-up is in-process: the step must run on this node (always so for the embedded
    server)."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def bypass(
        self, workflow_id: str, instance_id: int, step_id: str, caller: Any
    ) -> dict[str, Any]:
        run = await self._store.get_instance(workflow_id, instance_id)
        if run is None:
            raise NotFoundError(f"Cannot find workflow instance [{workflow_id}][{instance_id}]")
        row = await self._store.get_step_attempt(workflow_id, instance_id, run.run_id, step_id)
        if row is None or row.status != "WAITING_FOR_SIGNALS":
            status = "NOT_CREATED" if row is None else row.status
            raise InvalidStatusError(
                f"Cannot bypass the signal dependencies of step [{workflow_id}][{instance_id}]"
                f"[{step_id}] as its status is [{status}]",
                [f"status: {status} allows no BYPASS_STEP_DEPENDENCIES"],
            )
        request_bypass((workflow_id, instance_id, run.run_id, step_id))
        return {
            "workflow_id": workflow_id,
            "workflow_instance_id": instance_id,
            "workflow_run_id": run.run_id,
            "step_id": step_id,
            "step_attempt_id": row.attempt_id,
            "step_runtime_state": row.runtime_state,
            "timeline_event": {
                "timestamp": self._clock.now_ms(),
                "type": "ACTION",
                "action": "BYPASS_STEP_DEPENDENCIES",
                "author": caller,
            },
        }
