"""The sandbox limits of one evaluation, with Maestro's production defaults."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from maestoso.sel.errors import illegal_argument


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on one evaluation. ``length=None`` disables the expression-length check.

    The defaults are Maestro's production settings (``maestro.sel.*``).
    """

    stack: int = 128
    """Operand-stack entries an expression may need."""
    loop: int = 25001
    """Iterations of one loop execution (at most ``loop - 1`` complete)."""
    array: int = 25001
    """Elements of one new array (at most ``array - 1``)."""
    length: int | None = 10000
    """Characters of the expression text (at most ``length - 1``)."""
    visit: int = 100_000_000
    """Syntax-tree node visits."""
    memory: int = 100_000_000
    """Bytes of SEL values allocated (Java's accounting: 32 per value, 2 per char)."""
    timeout_ms: int = 120_000
    """Wall-clock deadline of the whole evaluation. A server also caps it with its own,
    shorter limit (see ``maestoso.sel.budget``)."""
    regex_input: int = 1_000_000
    """Characters of a string that ``split`` or ``replaceAll`` may match a regex against
    (at most ``regex_input - 1``): matching time grows with the input."""

    @classmethod
    def of(cls, value: Limits | Mapping[str, int | None] | None) -> Limits:
        """Accept a ``Limits``, a mapping of its field names (a ``None`` value keeps the
        default), or ``None`` for all defaults."""
        if value is None:
            return DEFAULT_LIMITS
        if isinstance(value, Limits):
            return value
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(value) - known
        if unknown:
            raise illegal_argument(f"Unknown SEL limits: {sorted(unknown)}")
        return cls(**{k: v for k, v in value.items() if v is not None})


DEFAULT_LIMITS = Limits()
