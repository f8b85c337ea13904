"""The engine's side of signals: signal params for ``params.getFromSignal…`` and waiting steps.

Param evaluation is synchronous, so the signals a run reads are fetched before it evaluates
(``prefetch``) into a process-wide cache; signal instances never change, so a cached one is
never stale. Steps waiting for signals park on ``SignalWaiters`` and are woken when a signal
of a name they wait for is announced through this node; a slower poll covers other nodes.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from maestoso.store.port import SignalStore

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

    async def wait(self, names: Iterable[str], timeout: float) -> None:
        """Until a signal of one of ``names`` is announced, or ``timeout`` seconds."""
        event = asyncio.Event()
        keys = set(names)
        for name in keys:
            self._events.setdefault(name, set()).add(event)
        try:
            await asyncio.wait_for(event.wait(), timeout)
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
