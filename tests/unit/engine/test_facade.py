"""The engine's public surface: what the layers above may import from ``maestoso.engine``."""

from __future__ import annotations

import maestoso.engine


def test_the_facade_exports_exactly_the_engine_surface() -> None:
    assert sorted(maestoso.engine.__all__) == [
        "EngineNode",
        "InstanceReader",
        "InstanceService",
        "ListingService",
        "StepBypass",
        "StepLogs",
        "WorkflowService",
    ]
    for name in maestoso.engine.__all__:
        assert getattr(maestoso.engine, name).__module__.startswith("maestoso.engine."), name
