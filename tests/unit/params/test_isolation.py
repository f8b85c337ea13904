"""Which evaluations leave the event loop: those with an expression of the user's."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from tests.unit.params.helpers import defs

from maestoso.params import off_loop_unless_trusted


def _thread() -> str:
    return threading.current_thread().name


@pytest.mark.parametrize(
    ("layers", "on_loop"),
    [
        ((), True),
        ((None, {}), True),
        ((defs(a={"type": "LONG", "value": 1}),), True),
        ((defs(m={"type": "MAP", "value": {"x": {"type": "STRING", "value": "y"}}}),), True),
        (
            (defs(a={"type": "LONG", "value": 1}), defs(b={"type": "LONG", "expression": "1"})),
            False,
        ),
        ((defs(m={"type": "MAP", "value": {"x": {"type": "LONG", "expression": "2"}}}),), False),
    ],
)
async def test_only_expressions_of_the_user_go_to_a_worker_thread(
    layers: tuple[Any, ...], on_loop: bool
) -> None:
    where = await off_loop_unless_trusted(layers, _thread)
    assert (where == threading.current_thread().name) is on_loop
    assert where.startswith("maestoso-sel") is not on_loop
