"""The public entry points: ``parse`` and ``evaluate``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from maestoso.sel.classes import STATICS
from maestoso.sel.convert import Plain, unbox
from maestoso.sel.errors import ILLEGAL_ARGUMENT, ILLEGAL_STATE, RUNTIME, SelError
from maestoso.sel.expression import Expression, compile_expression
from maestoso.sel.limits import Limits
from maestoso.sel.params import ParamsV
from maestoso.sel.resolver import ParamsResolver
from maestoso.sel.state import NowSource, State, SystemNow, memory_exceeded
from maestoso.sel.values import DATA_TYPES, Value

_SYSTEM_NOW = SystemNow()


@dataclass(frozen=True, slots=True)
class Result:
    """An evaluation's result: a plain Python value and its SEL type name.

    Data types (``LONG``, ``STRING_ARRAY``, ``MAP``...) give their Python value; ``NULL``
    and ``VOID`` give None; other SEL objects (``DATETIME``...) give their string form.
    """

    value: Plain
    type: str

    @classmethod
    def of(cls, value: Value) -> Result:
        return cls(unbox(value), value.T)

    @property
    def is_data(self) -> bool:
        """Whether Maestro accepts this as a parameter value."""
        return self.type in DATA_TYPES


def check_length(text: str, limits: Limits) -> None:
    if limits.length is None:
        return
    # Java counts UTF-16 units: a character beyond the BMP is two of them.
    length = len(text) if text.isascii() else len(text.encode("utf-16-le", "surrogatepass")) // 2
    if length >= limits.length:
        raise SelError(
            f"Expression length is over the limit: {limits.length} vs length: {length}",
            kind=ILLEGAL_ARGUMENT,
        )


def parse(expression: str) -> Expression:
    """Parse and compile an expression (cached per text).

    Raises SelError (``ParseException``, ``TokenMgrError``...) with line and column.
    """
    try:
        return compile_expression(expression)
    except RecursionError:
        raise SelError("Expression is nested too deeply", kind="ParseException") from None


def _run(
    expr: Expression,
    variables: Mapping[str, object],
    limits: Limits,
    clock: NowSource,
    params: ParamsResolver | None,
) -> Value:
    if expr.literal_memory >= limits.memory:
        raise memory_exceeded(limits.memory)
    symtab = dict(STATICS)
    st = State(limits, variables, symtab, clock, params)
    symtab["params"] = ParamsV(variables, params)
    st.lits = [cls(value) for cls, value in expr.slots]  # type: ignore[call-arg]
    return expr.run(st)


def evaluate(
    expression: str | Expression,
    variables: Mapping[str, object] | None = None,
    *,
    limits: Limits | Mapping[str, int | None] | None = None,
    clock: NowSource | None = None,
    params: ParamsResolver | None = None,
) -> Result:
    """Evaluate a SEL expression in a fresh sandbox.

    ``variables`` are plain Python values (int -> LONG, float -> DOUBLE, str -> STRING,
    list of str -> STRING_ARRAY, dict -> MAP...). ``clock`` gives ``now_ms()`` for
    ``DateTime.now`` and ``System.currentTimeMillis()``; ``params`` answers Maestro's
    ``params.*`` helpers. Any failure, a ``throw`` included, raises SelError.
    """
    bounds = Limits.of(limits)
    text = expression.text if isinstance(expression, Expression) else expression
    check_length(text, bounds)
    try:
        expr = expression if isinstance(expression, Expression) else parse(expression)
        value = _run(expr, variables or {}, bounds, clock or _SYSTEM_NOW, params)
        return Result.of(value)
    except SelError:
        raise
    except RecursionError:
        raise SelError("Expression is nested too deeply", kind=ILLEGAL_STATE) from None
    except MemoryError:
        raise SelError("Out of memory", kind=ILLEGAL_STATE) from None
    except Exception as error:  # a failure inside a builtin is the expression's error
        raise SelError(f"{type(error).__name__}: {error}", kind=RUNTIME) from error
