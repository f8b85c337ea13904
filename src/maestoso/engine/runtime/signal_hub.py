"""The engine's side of signals: signal params for ``params.getFromSignal…`` and waiting steps.

Param evaluation is synchronous, so the signals a run reads are fetched before it evaluates
(``prefetch``) into the node's ``SignalHub``; signal instances never change, so a cached one
is never stale. Steps waiting for signals park on the hub and are woken when a signal of a
name they wait for is announced, through this node or (notified) another; a slower poll
stays as the safety net.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from maestoso.clock import Clock
from maestoso.engine.lru import Lru
from maestoso.errors import ConflictError
from maestoso.models import ParamDefinition
from maestoso.models.naming import canonical, name_uuid
from maestoso.store.records import StepAttemptRow
from maestoso.store.triggering import ParamCondition, SignalStore
from maestoso.triggers.signals import SignalService

_CACHE_SIZE = 10_000
POLL_SECONDS = 5.0
"""How often a waiting step looks again without a wake-up (Maestro polls every 5 s)."""

StepKey = tuple[str, int, int, str]
"""(workflow id, instance id, run id, step id)."""
Evaluate = Callable[[dict[str, ParamDefinition]], Awaitable[dict[str, Any]]]
"""Evaluates param definitions beside a step's params (off the event loop)."""


class SignalHub:
    """One node's signal state: the params of signals its runs read, the steps waiting for
    signals, and the bypasses asked for them."""

    def __init__(self, store: SignalStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._cache: Lru[tuple[str, int], dict[str, Any]] = Lru(_CACHE_SIZE)
        self._events: dict[str, set[asyncio.Event]] = {}
        self._bypassed: set[StepKey] = set()

    # -- signal params -------------------------------------------------------------------------

    def remember(self, name: str, seq_id: int, params: dict[str, Any]) -> None:
        self._cache.put((name, seq_id), params)

    def cached_params(self, name: str, seq_id: int) -> dict[str, Any] | None:
        return self._cache.get((name, seq_id))

    async def prefetch(self, refs: Iterable[tuple[str, int]]) -> None:
        """Load the params of these signals (name, seq id) into the cache."""
        for name, seq_id in refs:
            if self.cached_params(name, seq_id) is None:
                signal = await self._store.get_signal(name, seq_id)
                if signal is not None:
                    self.remember(name, seq_id, signal.params)

    def initiator_signal_param(
        self, initiator: dict[str, Any], signal: str | None, param: str
    ) -> Any:
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
        return self.signal_value(signal, seq_id, param)

    def signal_value(self, signal: str, seq_id: int | None, param: str) -> Any:
        values = None if seq_id is None else self.cached_params(signal, int(seq_id))
        if values is None or param not in values:
            raise KeyError(f"Cannot find param [{param}] for signal [{signal}]")
        return values[param]

    # -- waiting steps -------------------------------------------------------------------------

    def announce(self, name: str) -> None:
        """A signal of ``name`` was stored: wake the steps here that wait for one."""
        for event in self._events.get(name, ()):
            event.set()

    def wake_all(self) -> None:
        """Every waiting step looks again (signals may have come while nobody listened)."""
        for events in self._events.values():
            for event in events:
                event.set()

    async def wait(self, names: Iterable[str], timeout: float) -> None:
        """Until a signal of one of ``names`` is announced, or ``timeout`` seconds."""
        with self._listening(names) as event:
            try:
                await self._clock.wait_for(event.wait(), timeout)
            except TimeoutError:
                pass

    def written(self, attempts: Iterable[StepAttemptRow]) -> None:
        """Attempts were committed here: wake the bypasses that wait for their steps."""
        if not self._events:
            return
        for attempt in attempts:
            key = (attempt.workflow_id, attempt.instance_id, attempt.run_id, attempt.step_id)
            self.announce(_written_name(key))

    def writes_of(self, key: StepKey) -> AbstractContextManager[asyncio.Event]:
        """An event set whenever an attempt of the step is committed here, while in the block."""
        return self._listening([_written_name(key)])

    @contextmanager
    def _listening(self, names: Iterable[str]) -> Iterator[asyncio.Event]:
        """An event set whenever one of ``names`` is announced, while in the block."""
        event = asyncio.Event()
        keys = set(names)
        for name in keys:
            self._events.setdefault(name, set()).add(event)
        try:
            yield event
        finally:
            for name in keys:
                waiting = self._events.get(name)
                if waiting is not None:
                    waiting.discard(event)
                    if not waiting:
                        del self._events[name]

    def request_bypass(self, key: StepKey) -> None:
        """Let a step waiting for signals go on without them (its dependencies SKIPPED)."""
        self._bypassed.add(key)
        self.announce(_bypass_name(key))

    async def await_dependencies(
        self,
        definitions: list[Any],
        *,
        key: StepKey,
        evaluate: Evaluate,
        publish: Callable[[dict[str, Any]], Awaitable[None]],
        poll_seconds: float = POLL_SECONDS,
    ) -> list[dict[str, Any]]:
        """Wait until every dependency matches a signal (or the step is bypassed); ``publish``
        writes the ``signal_dependencies`` view whenever it changes. Returns the
        dependencies' ``{name, signal_id}`` for ``params.getFromSignalDependency``."""
        view = await dependency_view(definitions, evaluate)
        await publish(view)
        while True:
            changed = await self._match_pending(view["dependencies"])
            if all(d["status"] == "MATCHED" for d in view["dependencies"]):
                view["info"] = _info("Signal step dependencies are satisfied.")
                await publish(view)
                break
            if key in self._bypassed:
                self._bypassed.discard(key)
                for dependency in view["dependencies"]:
                    if dependency["status"] == "PENDING":
                        dependency["status"] = "SKIPPED"
                view["info"] = _info("Signal step dependencies are bypassed by the user.")
                await publish(view)
                break
            if changed:
                await publish(view)
            names = [d["name"] for d in view["dependencies"] if d["status"] == "PENDING"]
            await self.wait([*names, _bypass_name(key)], poll_seconds)
        return [{"name": d["name"], "signal_id": d.get("signal_id")} for d in view["dependencies"]]

    async def _match_pending(self, dependencies: list[dict[str, Any]]) -> bool:
        changed = False
        for dependency in dependencies:
            if dependency["status"] != "PENDING":
                continue
            conditions = [
                ParamCondition(name, match["operator"], match["value"])
                for name, match in dependency["match_params"].items()
            ]
            # As Maestro: any signal of the name that matches, however old.
            seq_id = await self._store.match_signal(dependency["name"], conditions)
            if seq_id is not None:
                dependency.update(status="MATCHED", signal_id=seq_id)
                await self.prefetch([(dependency["name"], seq_id)])
                changed = True
        return changed


def signal_refs(initiator: dict[str, Any]) -> list[tuple[str, int]]:
    """The signals a SIGNAL initiator names."""
    if str(initiator.get("type", "")).upper() != "SIGNAL":
        return []
    ids = initiator.get("signal_id_map") or {}
    return [(str(name), int(seq)) for name, seq in ids.items()]


def _written_name(key: StepKey) -> str:
    return "\0written:" + "/".join(map(str, key))


def _bypass_name(key: StepKey) -> str:
    return "\0bypass:" + "/".join(map(str, key))


# -- step signal dependencies and outputs ---------------------------------------------------------


async def dependency_view(definitions: list[Any], evaluate: Evaluate) -> dict[str, Any]:
    """The PENDING dependencies, their names and match params evaluated."""
    raw: dict[str, ParamDefinition] = {}
    for index, definition in enumerate(definitions):
        raw[f"maestro_dependency_{index}"] = ParamDefinition.model_validate(
            {"value": definition.name, "type": "STRING"}
        )
        for name, match in (definition.match_params or {}).items():
            raw[f"maestro_dependency_{index}_{name}"] = match.param
    values = await evaluate(raw)
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


def _info(message: str) -> dict[str, Any]:
    return {"type": "LOG", "level": "INFO", "message": message}


async def announce_outputs(
    definitions: list[Any],
    *,
    service: SignalService,
    attempt: tuple[str, int, int, str, int],
    evaluate: Evaluate,
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
        params = await evaluate(dict(definition.params or {}))
        payload = await evaluate(dict(definition.payload or {}))
        named = ParamDefinition.model_validate({"value": definition.name, "type": "STRING"})
        name = (await evaluate({"name": named}))["name"]
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
