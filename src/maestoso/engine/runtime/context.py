"""What every flow of a node shares: the store, the writer, the clock, the runtimes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from maestoso.clock import Clock
from maestoso.engine.runtime.compiled import WorkflowCache
from maestoso.engine.runtime.gates import Controls
from maestoso.engine.runtime.signal_hub import SignalHub
from maestoso.engine.runtime.writer import StepWriter
from maestoso.engine.templates import JobTemplates
from maestoso.queue import Wakeup
from maestoso.runtimes import StepRuntime
from maestoso.store.port import Store
from maestoso.store.records import InstanceRow


@dataclass(slots=True)
class EngineContext:
    store: Store
    writer: StepWriter
    clock: Clock
    runtimes: Mapping[str, StepRuntime]
    controls: Controls
    signals: SignalHub
    wakeup: Wakeup
    """Set after committing job events, so the queue worker claims them at once."""
    workflows: WorkflowCache = field(default_factory=lambda: WorkflowCache())
    instance_step_concurrency: int = 100
    """Steps of one instance running at once when the workflow does not say."""
    home: Path = field(default_factory=lambda: Path(".maestoso"))
    """The data directory; step logs live under ``logs/`` in it."""
    templates: JobTemplates | None = None
    """Job templates, whose params steps with a ``sub_type`` get as defaults."""

    fresh_runs: set[tuple[str, int, int]] = field(default_factory=set)
    """Runs created by this node and not started yet: their flows skip the resume read."""

    def fresh(self, key: tuple[str, int, int]) -> bool:
        """Whether the run was just created here (asked once, by its flow)."""
        if key in self.fresh_runs:
            self.fresh_runs.discard(key)
            return True
        return False

    def log_dir(self, instance: InstanceRow, step_id: str, attempt_id: int) -> Path:
        return attempt_dir(self.home / "logs", instance, step_id, attempt_id)


def attempt_dir(root: Path, instance: InstanceRow, step_id: str, attempt_id: int) -> Path:
    """Where an attempt keeps its logs and its launch marker. The instance's uuid is part of
    it: a workflow deleted and created again (or a fresh database on the same data directory)
    numbers its instances from 1 again, and must not find an earlier attempt's marker."""
    instance_dir = f"{instance.instance_id}-{instance.uuid}"
    return (
        root
        / instance.workflow_id
        / instance_dir
        / str(instance.run_id)
        / step_id
        / str(attempt_id)
    )
