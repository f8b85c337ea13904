"""Masking secret values: in text and JSON-like values, and in byte ranges of a log file.

Every occurrence of a value becomes ``***``. A log is masked byte by byte, so that the ranges
a client reads one after the other (``offset``/``limit``, ``follow``) put together give the
masked log: a byte that an occurrence covers is dropped, and the first byte of a run of such
bytes becomes the mask. To see occurrences across a range's edges, a range is matched in a
window that reaches ``longest`` bytes beyond each edge.
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
        self._bytes = tuple(v.encode() for v in unique)
        self.reach = max((len(v) for v in self._bytes), default=0)
        """The longest value in bytes: a range is masked in a window this much wider on
        each side."""

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


def mask_window(data: bytes, start: int, end: int, values: tuple[bytes, ...]) -> bytes:
    """``data[start:end]`` with every byte that any occurrence of a value covers (they may
    overlap) dropped, and each run of such bytes that begins in the range replaced by the
    mask. A byte's fate depends only on the ``longest`` bytes on either side of it."""
    runs = _runs(data, values)
    if not runs:
        return data[start:end]
    out = bytearray()
    position = start
    for first, last in runs:
        if last <= start:
            continue
        if first >= end:
            break
        if first > position:
            out += data[position:first]
        if first >= start:
            out += _MASK_BYTES
        position = max(position, last)
    if position < end:
        out += data[position:end]
    return bytes(out)


def _runs(data: bytes, values: tuple[bytes, ...]) -> list[tuple[int, int]]:
    """The occurrences of ``values`` in ``data``, overlapping ones merged, in order."""
    found: list[tuple[int, int]] = []
    for value in values:
        index = data.find(value)
        while index != -1:
            found.append((index, index + len(value)))
            index = data.find(value, index + 1)
    found.sort()
    runs: list[tuple[int, int]] = []
    for first, last in found:
        if runs and first <= runs[-1][1]:
            runs[-1] = (runs[-1][0], max(runs[-1][1], last))
        else:
            runs.append((first, last))
    return runs
