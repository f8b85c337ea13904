"""Running SEL evaluation off the event loop, under a hard wall-clock limit.

SEL is an interpreter: one hostile expression (a backtracking regex, a loop that grows a
string) can keep a CPU busy for as long as its limits allow. Evaluated on the event loop,
it would stall every request, heartbeat and flow of the server. So the engine hands each
*batch* of evaluation (a start's workflow params, a step's params, a loop condition) to
a small pool of worker threads:

* the interpreter checks its deadline in every loop, tree walk and regex match, and
  ``wall_clock_limit`` makes that deadline the server's limit for the whole batch, so
  the worker stops by itself;
* the awaiting coroutine stops waiting a moment after the limit in any case, so a single
  long C-level call (bounded by SEL's memory and regex-input limits) cannot hold a step
  or a request past it.

One thread hop per batch, not per expression. The hop itself is cheap in CPU, but its
answer waits for the loop's turn and the GIL: about a millisecond on a busy server. Params
that are only our own defaults, with no SEL of a user's, are evaluated on the loop instead:
a step's four (``params.only_step_defaults``, some forty microseconds; a one-step run ends a
millisecond sooner and a 300-step chain a fifth faster) and a new run's workflow defaults
when its workflow has no params of its own and the start gives none
(``params.only_workflow_defaults``; in UTC they are evaluated once an hour and copied,
``params.hourly``).
A process pool would allow killing a runaway worker, at the cost of pickling every context
and about a millisecond per hop; the interpreter's own deadline makes that unnecessary. The
GIL still switches to the event loop every few milliseconds while a worker computes, which
keeps the server responsive.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from maestoso.clock import working_elsewhere
from maestoso.params.errors import ParamError
from maestoso.sel.budget import wall_clock_limit

P = ParamSpec("P")
T = TypeVar("T")

DEFAULT_SECONDS = 5.0
_GRACE_SECONDS = 0.5
"""How long past the limit the caller waits for the worker's own deadline to fire."""
_WORKERS = 8

_executor = ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="maestoso-sel")
_limit_seconds = DEFAULT_SECONDS


def configure(seconds: float) -> None:
    """Set the wall-clock limit of one batch of evaluation (the server's setting)."""
    global _limit_seconds
    if seconds <= 0:
        raise ValueError("the SEL time limit must be positive")
    _limit_seconds = seconds


def time_limit() -> float:
    return _limit_seconds


async def off_loop(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(*args, **kwargs)`` on a worker thread, its SEL bounded by the server's limit.

    Raises ParamError when the worker is still busy past the limit; ``fn``'s own errors
    (a SelError timeout, wrapped by the params layer, included) pass through.
    """
    seconds = _limit_seconds

    def bounded() -> T:
        with wall_clock_limit(seconds):
            return fn(*args, **kwargs)

    context = contextvars.copy_context()
    future = asyncio.get_running_loop().run_in_executor(_executor, context.run, bounded)
    try:
        # Not asyncio.wait_for: on Python 3.11 it swallows a cancellation (a step's timeout, a
        # stop) that arrives as the worker finishes, and returns the result instead.
        with working_elsewhere():
            async with asyncio.timeout(seconds + _GRACE_SECONDS):
                return await future
    except TimeoutError:
        raise ParamError(
            f"SEL evaluation exceeded the server's wall-clock limit of {seconds:g} s"
        ) from None
