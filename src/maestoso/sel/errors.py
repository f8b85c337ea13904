"""SEL errors: one exception type that names the Java exception SEL would have raised."""

from __future__ import annotations

from maestoso.errors import UserError

PARSE = "ParseException"
LEXICAL = "TokenMgrError"
UNSUPPORTED = "UnsupportedOperationException"
ILLEGAL_ARGUMENT = "IllegalArgumentException"
ILLEGAL_STATE = "IllegalStateException"
CLASS_CAST = "ClassCastException"
ARITHMETIC = "ArithmeticException"
INDEX = "ArrayIndexOutOfBoundsException"
NEGATIVE_SIZE = "NegativeArraySizeException"
NUMBER_FORMAT = "NumberFormatException"
NULL_POINTER = "NullPointerException"
RUNTIME = "RuntimeException"
ILLEGAL_FIELD = "IllegalFieldValueException"
ILLEGAL_INSTANT = "IllegalInstantException"
MISSING_FORMAT_ARGUMENT = "MissingFormatArgumentException"
ILLEGAL_FORMAT = "IllegalFormatException"
PATTERN_SYNTAX = "PatternSyntaxException"
TIMEOUT = "TimeoutException"
THROWN = "THROWN"


class SelError(UserError):
    """An expression that cannot be parsed or evaluated.

    Attributes:
        kind: the simple name of the Java exception SEL raises in this case
            (``ParseException``, ``IllegalArgumentException``...), or ``THROWN``
            for an expression's own ``throw``.
        line, column: where in the expression, when known (1-based).
    """

    def __init__(
        self,
        message: str,
        *,
        kind: str = RUNTIME,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = f" at line {self.line}, column {self.column}" if self.line is not None else ""
        return f"{self.kind}: {self.message}{where}"


def unsupported(message: str) -> SelError:
    return SelError(message, kind=UNSUPPORTED)


def illegal_argument(message: str) -> SelError:
    return SelError(message, kind=ILLEGAL_ARGUMENT)


def class_cast(message: str) -> SelError:
    return SelError(message, kind=CLASS_CAST)


def illegal_state(message: str) -> SelError:
    return SelError(message, kind=ILLEGAL_STATE)


def number_format(text: object) -> SelError:
    return SelError(f'For input string: "{text}"', kind=NUMBER_FORMAT)


def type_mismatch(lhs: str, rhs: str) -> SelError:
    return illegal_argument(f"Type mismatch, lhs type: {lhs}, rhs object type: {rhs}")
