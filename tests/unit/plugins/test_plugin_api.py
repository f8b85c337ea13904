"""The public plugin API: what it promises is exactly what ``__all__`` lists."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.unit.runtimes.support import FakeContext

import maestoso.plugin
from maestoso.plugin import output_params


def test_the_public_names_are_pinned() -> None:
    assert maestoso.plugin.__all__ == [
        "CONTINUE",
        "DONE",
        "Message",
        "NonRetryableError",
        "Notifier",
        "NotifierFactory",
        "PermanentError",
        "Settings",
        "SignalContext",
        "SignalSource",
        "SignalSourceFactory",
        "State",
        "StepContext",
        "StepResult",
        "StepRuntime",
        "StepTypeFactory",
        "output_params",
    ]
    for name in maestoso.plugin.__all__:
        assert getattr(maestoso.plugin, name) is not None


class _Context(FakeContext):
    step_params: dict[str, dict[str, object]] = {"count": {"value": 0, "type": "DOUBLE"}}


def test_output_params_type_plain_values(tmp_path: Path) -> None:
    context = _Context(tmp_path)
    params = output_params(context, {"count": 3, "name": "x", "tags": {"a": "b"}})
    assert {name: p["type"] for name, p in params.items()} == {
        "count": "DOUBLE",  # as the step declares it
        "name": "STRING",
        "tags": "STRING_MAP",
    }
    assert params["name"]["evaluated_result"] == "x"
    with pytest.raises(ValueError, match=r"Invalid output parameter \[none\]"):
        output_params(context, {"none": None})
