"""The ``StepContext`` a step runtime gets: its attempt, params, artifacts and children."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from maestoso.clock import Clock
from maestoso.engine.runtime.children import ChildrenHub
from maestoso.engine.runtime.context import EngineContext
from maestoso.models import Step
from maestoso.runtimes.base import Children
from maestoso.store.records import InstanceRow


@dataclass(slots=True)
class AttemptContext:
    """The ``StepContext`` a runtime gets."""

    instance: InstanceRow
    step_id: str
    attempt_id: int
    step_uuid: str
    params: dict[str, Any]
    artifacts: dict[str, Any]
    engine: EngineContext
    step: Step
    step_params: dict[str, dict[str, Any]]
    hub: ChildrenHub
    _children: Children | None = None

    @property
    def workflow_params(self) -> dict[str, dict[str, Any]]:
        return {name: dict(param) for name, param in self.instance.record.params_json.items()}

    @property
    def children(self) -> Children:
        if self._children is None:
            self._children = self.hub.for_step(self.instance, self.step_id, self.attempt_id)
        return self._children

    @property
    def workflow_id(self) -> str:
        return self.instance.workflow_id

    @property
    def instance_id(self) -> int:
        return self.instance.instance_id

    @property
    def run_id(self) -> int:
        return self.instance.run_id

    @property
    def log_dir(self) -> Path:
        return self.engine.log_dir(self.instance, self.step_id, self.attempt_id)

    def now_ms(self) -> int:
        return self.engine.clock.now_ms()

    @property
    def clock(self) -> Clock:
        return self.engine.clock
