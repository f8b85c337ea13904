"""The plugins of this environment: step types and signal sources built from the server's
settings, notifiers loaded, and each one's error when it could not be had."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
    found: list[Found]
    """Every entry point of every group, those that failed included."""

    @property
    def notifiers(self) -> dict[str, Any]:
        """What each loaded ``maestoso.notifiers`` entry point names, by name (for alerting,
        which knows what a notifier must be)."""
        return {f.name: f.value for f in self.found if f.group == NOTIFIERS and f.ok}

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
    return InstalledPlugins(
        step_types={f.name: f.value for f in step_types if f.ok},
        signal_sources={f.name: f.value for f in sources if f.ok},
        found=[*step_types, *sources, *discovery.load(NOTIFIERS)],
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


def _built_in(name: str) -> bool:
    try:
        StepType(name)
    except ValueError:
        return False
    return True
