"""The plugins of this environment: step types, signal sources and notifiers built from the
server's settings, and each one's error when it could not be had."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from maestoso.alerting.notifier import Message, Notifier
from maestoso.config import Settings
from maestoso.models.steps import PLUGIN_STEP_TYPE, StepType
from maestoso.plugin import SignalSource, StepRuntime
from maestoso.plugins import discovery
from maestoso.plugins.discovery import NOTIFIERS, SIGNAL_SOURCES, STEP_TYPES, Found
from maestoso.plugins.guarded import GuardedRuntime

_RUNTIME_METHODS = ("start", "execute", "terminate")


@dataclass(frozen=True, slots=True)
class InstalledPlugins:
    step_types: dict[str, StepRuntime]
    signal_sources: dict[str, SignalSource]
    notifiers: dict[str, Notifier]
    found: list[Found]
    """Every entry point of every group, those that failed included."""

    def to_json(self) -> dict[str, list[dict[str, Any]]]:
        """``{"step_types": [...], "signal_sources": [...], "notifiers": [...]}``."""
        return {
            group.removeprefix("maestoso."): [f.to_json() for f in self.found if f.group == group]
            for group in discovery.GROUPS
        }


def load_plugins(settings: Settings) -> InstalledPlugins:
    """Load every installed plugin (each once: a factory may open connections)."""
    step_types = [
        discovery.build(f, _step_type(f.name, settings)) for f in discovery.load(STEP_TYPES)
    ]
    sources = [discovery.build(f, _source(settings)) for f in discovery.load(SIGNAL_SOURCES)]
    notifiers = [discovery.build(f, _notifier(f.name, settings)) for f in discovery.load(NOTIFIERS)]
    return InstalledPlugins(
        step_types={f.name: f.value for f in step_types if f.ok},
        signal_sources={f.name: f.value for f in sources if f.ok},
        notifiers={f.name: f.value for f in notifiers if f.ok},
        found=[*step_types, *sources, *notifiers],
    )


def step_type_names() -> frozenset[str]:
    """The step types installed plugins name, loading none of them (for offline checks)."""
    return discovery.names(STEP_TYPES)


def _step_type(name: str, settings: Settings) -> Callable[[Any], StepRuntime]:
    def make(factory: Any) -> StepRuntime:
        if PLUGIN_STEP_TYPE.fullmatch(name) is None:
            raise ValueError(f"[{name}] is not a valid step type name")
        if _built_in(name):
            raise ValueError(f"[{name}] is a built-in step type; a plugin cannot replace it")
        runtime = factory(settings)
        missing = [m for m in _RUNTIME_METHODS if not callable(getattr(runtime, m, None))]
        if missing or not isinstance(getattr(runtime, "default_poll_seconds", None), int | float):
            raise ValueError(
                f"the factory returned {type(runtime).__name__}, not a StepRuntime "
                "(start, execute, terminate and default_poll_seconds)"
            )
        return GuardedRuntime(name, runtime)

    return make


def _source(settings: Settings) -> Callable[[Any], SignalSource]:
    def make(factory: Any) -> SignalSource:
        source = factory(settings)
        if not callable(getattr(source, "run", None)):
            raise ValueError(f"the factory returned {type(source).__name__}, not a SignalSource")
        return source  # type: ignore[no-any-return]

    return make


BUILT_IN_NOTIFIERS = frozenset({"email", "slack", "pagerduty", "webhook"})


def _notifier(name: str, settings: Settings) -> Callable[[Any], Notifier]:
    def make(factory: Any) -> Notifier:
        if name in BUILT_IN_NOTIFIERS:
            raise ValueError(f"[{name}] is a built-in notifier; a plugin cannot replace it")
        notifier = factory(settings)
        if not inspect.iscoroutinefunction(getattr(notifier, "send", None)):
            raise ValueError(
                f"the factory returned {type(notifier).__name__}, not a Notifier "
                "(an async send(message))"
            )
        return _Named(name, notifier)

    return make


class _Named:
    """A plugin's notifier under its entry point's name: deliveries are stored by notifier
    name, and that one is unique among the installed and the built-in ones."""

    def __init__(self, name: str, notifier: Any) -> None:
        self.name = name
        self._notifier = notifier

    async def send(self, message: Message) -> None:
        await self._notifier.send(message)


def _built_in(name: str) -> bool:
    try:
        StepType(name)
    except ValueError:
        return False
    return True
