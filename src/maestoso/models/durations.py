"""``ParsableLong``: a number, a duration text such as ``"1 min 40 s"``, or a ``$param``."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

_UNIT_MILLIS = {
    "d": 86_400_000,
    "day": 86_400_000,
    "days": 86_400_000,
    "h": 3_600_000,
    "hour": 3_600_000,
    "hours": 3_600_000,
    "min": 60_000,
    "mins": 60_000,
    "minute": 60_000,
    "minutes": 60_000,
    "s": 1000,
    "sec": 1000,
    "secs": 1000,
    "second": 1000,
    "seconds": 1000,
    "ms": 1,
    "millisecond": 1,
    "milliseconds": 1,
}
_PART = re.compile(r"\s*(\d+)\s*([a-zA-Z]+)\s*")
_PARAM_REF = re.compile(r"^\$(?:\{[a-zA-Z_][\w\-./]*\}|[a-zA-Z_]\w*)$")
_INTERPOLATION = re.compile(r"\$(?:\{[a-zA-Z_][\w\-./]*\}|[a-zA-Z_]\w*)")


def is_param_reference(text: str) -> bool:
    """True for ``$name`` and ``${name}``, whose value comes from a workflow param."""
    return bool(_PARAM_REF.match(text.strip()))


def has_interpolation(text: str) -> bool:
    """True when the text holds a ``$name`` or ``${name}`` reference, resolved at run time."""
    return bool(_INTERPOLATION.search(text.replace("$$", "")))


def duration_millis(text: str) -> int | None:
    """The milliseconds of a duration text (``"10 minutes 5 s"``), or None if it is not one."""
    text = text.strip()
    if not text:
        return None
    total, pos = 0, 0
    while pos < len(text):
        match = _PART.match(text, pos)
        if match is None:
            return None
        unit = _UNIT_MILLIS.get(match.group(2).lower())
        if unit is None:
            return None
        total += int(match.group(1)) * unit
        pos = match.end()
    return total


def seconds_of(value: int | str) -> int | None:
    """The seconds a ParsableLong denotes, or None when it refers to a param."""
    if isinstance(value, int):
        return value
    text = value.strip()
    if text.isdigit():
        return int(text)
    millis = duration_millis(text)
    return None if millis is None else millis // 1000


def _check_scalar(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("must be a non-negative number or a string")
    if isinstance(value, int) and value < 0:
        raise ValueError("must be non-negative")
    return value


def _check_text(value: int | str) -> int | str:
    if isinstance(value, str) and not (
        value.strip().isdigit() or has_interpolation(value) or duration_millis(value) is not None
    ):
        raise ValueError(
            f"[{value}] is neither a number, a duration (e.g. '10 minutes') nor a $param reference"
        )
    return value


ParsableLong = Annotated[int | str, BeforeValidator(_check_scalar), AfterValidator(_check_text)]
"""Kept as given (a number stays a number, a string stays a string), as Maestro does."""
