"""A wall-clock limit shared by every evaluation in a block of code.

``Limits.timeout_ms`` bounds one evaluation; a server needs a bound on all the
evaluations a request or a step makes (a step's params may hold many expressions). Inside
``wall_clock_limit(seconds)``, each evaluation's deadline is the earlier of its own and the
block's, so the interpreter's own deadline checks (loops, tree visits, regex steps) end
the whole block in time. The limit is a context variable: it follows the code into the
worker thread that ``asyncio.to_thread`` or ``contextvars.copy_context`` runs it in.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Budget:
    deadline: float
    """``time.monotonic()`` at which evaluations stop."""
    seconds: float
    """The limit, to name in the error."""


_BUDGET: ContextVar[Budget | None] = ContextVar("maestoso_sel_budget", default=None)


@contextmanager
def wall_clock_limit(seconds: float) -> Iterator[Budget]:
    """Bound every evaluation inside the block to ``seconds`` from now, in total."""
    budget = Budget(time.monotonic() + seconds, seconds)
    token = _BUDGET.set(budget)
    try:
        yield budget
    finally:
        _BUDGET.reset(token)


def current_budget() -> Budget | None:
    return _BUDGET.get()
