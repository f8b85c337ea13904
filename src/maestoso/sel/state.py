"""The state of one evaluation: its symbols, inputs and limit counters."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

from maestoso.sel.budget import current_budget
from maestoso.sel.errors import INDEX, TIMEOUT, SelError, illegal_argument, illegal_state
from maestoso.sel.limits import Limits
from maestoso.sel.values import NULL, Value

if TYPE_CHECKING:
    from maestoso.sel.resolver import ParamsResolver

DEADLINE_EVERY = 1024
"""Loop iterations (and regex steps, scaled) between two looks at the wall clock."""


class NowSource(Protocol):
    def now_ms(self) -> int: ...


class SystemNow:
    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000


class FixedNow:
    """A clock stopped at ``at_ms``, so that every expression of one evaluation agrees on
    the time (a run's ``RUN_TS`` and the dates derived from it)."""

    __slots__ = ("_at_ms",)

    def __init__(self, at_ms: int) -> None:
        self._at_ms = at_ms

    def now_ms(self) -> int:
        return self._at_ms


class State:
    """What a running evaluation reads and counts."""

    __slots__ = (
        "array_limit",
        "clock",
        "deadline",
        "inputs",
        "lits",
        "loop_limit",
        "memory",
        "memory_limit",
        "regex_input_limit",
        "resolver",
        "ret",
        "stack_limit",
        "symtab",
        "timeout_message",
        "timeout_ms",
        "visit_limit",
        "visits",
    )

    def __init__(
        self,
        limits: Limits,
        inputs: Mapping[str, object],
        symtab: dict[str, Value],
        clock: NowSource,
        resolver: ParamsResolver | None,
    ) -> None:
        self.stack_limit = limits.stack
        self.loop_limit = limits.loop
        self.array_limit = limits.array
        self.visit_limit = limits.visit
        self.memory_limit = limits.memory
        self.regex_input_limit = limits.regex_input
        self.timeout_ms = limits.timeout_ms
        self.deadline = time.monotonic() + limits.timeout_ms / 1000.0
        self.timeout_message = f"SEL evaluation timed out after {limits.timeout_ms} ms"
        budget = current_budget()
        if budget is not None and budget.deadline < self.deadline:
            self.deadline = budget.deadline
            self.timeout_message = (
                f"SEL evaluation exceeded the server's wall-clock limit of {budget.seconds:g} s"
            )
        self.visits = 0
        self.memory = 0
        self.inputs = inputs
        self.symtab = symtab
        self.clock = clock
        self.resolver = resolver
        self.lits: list[Value] = []
        self.ret: Value = NULL

    def charge(self, nbytes: int) -> None:
        """Account for allocated SEL values, as SEL's MemoryCounter does."""
        used = self.memory + nbytes
        self.memory = used
        if used >= self.memory_limit:
            raise memory_exceeded(self.memory_limit)

    def charge_array(self, length: int) -> None:
        self.charge(32 * (length + 1))

    def check_array_size(self, length: int) -> None:
        if length >= self.array_limit:
            raise illegal_argument(
                f"New array size is over the limit: {self.array_limit} vs length: {length}"
            )

    def check_deadline(self) -> None:
        if time.monotonic() > self.deadline:
            raise SelError(self.timeout_message, kind=TIMEOUT)


def memory_exceeded(limit: int) -> SelError:
    return illegal_state(
        f"SEL evaluation aborted as it takes too much memory (in byte) over the limit {limit}"
    )


def visits_exceeded(limit: int) -> SelError:
    return illegal_state(
        f"SEL evaluation aborted as it takes too many operations over the limit {limit}"
    )


def loop_exceeded(limit: int) -> SelError:
    return illegal_state(f"Loop execution aborted as the iteration is over the loop limit {limit}")


def stack_exceeded(limit: int) -> SelError:
    return SelError(f"Index {limit} out of bounds for length {limit}", kind=INDEX)
