"""``${secret:NAME}`` in param values: finding the references and replacing them by values.

Param interpolation leaves the reference alone (``:`` cannot appear in a param name), so the
evaluated params hold it verbatim, in strings at any depth of arrays and maps.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

REFERENCE = re.compile(r"\$\{secret:([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})\}")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                yield key
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def referenced_secrets(value: Any) -> list[str]:
    """The names of the secrets ``value`` references, in order of first appearance."""
    names: dict[str, None] = {}
    for text in _strings(value):
        if "${secret:" in text:
            names.update(dict.fromkeys(REFERENCE.findall(text)))
    return list(names)


def reveal(value: Any, lookup: Callable[[str], str]) -> Any:
    """``value`` with every reference replaced by ``lookup(name)`` (a copy; ``value`` is not
    changed)."""
    if isinstance(value, str):
        if "${secret:" not in value:
            return value
        return REFERENCE.sub(lambda match: lookup(match.group(1)), value)
    if isinstance(value, dict):
        return {reveal(key, lookup): reveal(item, lookup) for key, item in value.items()}
    if isinstance(value, list):
        return [reveal(item, lookup) for item in value]
    if isinstance(value, tuple):
        return tuple(reveal(item, lookup) for item in value)
    return value
