"""The engine: the services the API, the CLI and the triggers call, and the node that runs flows.

This is the engine's surface. Its sub-packages are ``runtime`` (the flow executor, the flow
and task actors and what they share), ``services`` (workflows, starts, admission, restarts,
actions and controls) and ``reads`` (Maestro's views of instances and steps, step logs);
``node`` composes them.
"""

from __future__ import annotations

from maestoso.engine.node import EngineNode
from maestoso.engine.reads.instances import InstanceReader
from maestoso.engine.reads.listing import ListingService
from maestoso.engine.reads.logs import StepLogs
from maestoso.engine.services.bypass import StepBypass
from maestoso.engine.services.instances import InstanceService
from maestoso.engine.services.workflows import WorkflowService

__all__ = [
    "EngineNode",
    "InstanceReader",
    "InstanceService",
    "ListingService",
    "StepBypass",
    "StepLogs",
    "WorkflowService",
]
