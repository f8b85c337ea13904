"""Masking secret values: in text and JSON-like values, and in byte ranges of a log file.

Every occurrence of a value becomes ``***``. A log is masked position by position, so that
the ranges a client reads one after the other (``offset``/``limit``, ``follow``) put together
give the masked log: a byte inside an occurrence is dropped, the occurrence's first byte
becomes the mask. To see an occurrence that crosses a range's edge, a range is matched in a
window that reaches ``longest - 1`` bytes beyond each edge.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

MASK = "***"
_MASK_BYTES = MASK.encode()


class Masker:
    """Masks the given values (empty ones are ignored)."""

    def __init__(self, values: Iterable[str]) -> None:
        unique = sorted({v for v in values if v}, key=len, reverse=True)
        self.values = tuple(unique)
        self._text = re.compile("|".join(map(re.escape, unique))) if unique else None
        encoded = [v.encode() for v in unique]
        self._bytes = re.compile(b"|".join(map(re.escape, encoded))) if encoded else None
        self.reach = max((len(v) for v in encoded), default=0)
        """The longest value in bytes: how far a match may reach across a range's edge."""

    def __bool__(self) -> bool:
        return bool(self.values)

    def text(self, text: str) -> str:
        return text if self._text is None else self._text.sub(MASK, text)

    def value(self, value: Any) -> Any:
        """A copy of a JSON-like value with every string masked (keys included)."""
        if self._text is None:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.value(k): self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(item) for item in value]
        return value

    def window(self, data: bytes, start: int, end: int) -> bytes:
        """``data[start:end]`` masked, ``data`` being the range with its margins."""
        return mask_window(data, start, end, self._bytes)


def mask_window(data: bytes, start: int, end: int, pattern: re.Pattern[bytes] | None) -> bytes:
    if pattern is None:
        return data[start:end]
    out = bytearray()
    position = start
    for match in pattern.finditer(data):
        first, last = match.span()
        if last <= start:
            continue
        if first >= end:
            break
        out += data[position:first] if first > position else b""
        if first >= start:
            out += _MASK_BYTES
        position = max(position, last)
    if position < end:
        out += data[position:end]
    return bytes(out)
