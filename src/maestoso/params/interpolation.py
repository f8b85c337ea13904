"""String interpolation of literal params: ``$name``, ``${name}`` and the ``$$`` escape.

A literal STRING, each element of a STRING_ARRAY and each key and value of a STRING_MAP are
interpolated (Maestro's ``LiteralEvaluator``); other literal types are used as they are.
``${...}`` may also hold ``-``, ``.`` and ``/``, so that ``${step1__foo}`` and
``${signal-a__param1}`` can be written. ``$$`` is a literal ``$``, so ``$$name`` is the text
``$name``. An array or map param is interpolated as its JSON text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from maestoso.models import ParamDefinition, ParamType
from maestoso.params.convert import java_text

_NAME = r"\$(?:\{([a-zA-Z][-_./a-zA-Z0-9]*)\}|([a-zA-Z][_a-zA-Z0-9]*))"
# Scanning left to right, a `$$` pair is consumed before it can start a reference: that is
# how `$$name` stays text while `$$$name` is a `$` followed by a reference.
_TOKEN = re.compile(r"\$\$|" + _NAME)

Lookup = Callable[[str], Any]
"""Gives a referenced param's evaluated value; raises when there is none."""


def _names_in(text: str) -> Iterable[str]:
    for match in _TOKEN.finditer(text):
        name = match.group(1) or match.group(2)
        if name:
            yield name


def referenced_names(definition: ParamDefinition) -> list[str]:
    """The names a literal param interpolates, in order of first appearance."""
    names: dict[str, None] = {}
    for text in _texts(definition):
        names.update(dict.fromkeys(_names_in(text)))
    return list(names)


def _texts(definition: ParamDefinition) -> Iterable[str]:
    value = definition.value
    if definition.type is ParamType.STRING and isinstance(value, str):
        yield value
    elif definition.type is ParamType.STRING_ARRAY and isinstance(value, list):
        yield from (item for item in value if isinstance(item, str))
    elif definition.type is ParamType.STRING_MAP and isinstance(value, dict):
        for key, item in value.items():
            yield key
            if isinstance(item, str):
                yield item


def as_text(value: Any) -> str:
    """How a referenced value reads inside a string: JSON for arrays and maps."""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return java_text(value)


def interpolate(text: str, lookup: Lookup) -> str:
    """``text`` with every reference replaced by its value and every ``$$`` by ``$``."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return as_text(lookup(name)) if name else "$"

    return _TOKEN.sub(replace, text)


def interpolate_literal(definition: ParamDefinition, lookup: Lookup) -> Any:
    """The literal value of ``definition`` with its strings interpolated."""
    value = definition.value
    if definition.type is ParamType.STRING:
        return interpolate(value, lookup)
    if definition.type is ParamType.STRING_ARRAY:
        return [interpolate(item, lookup) for item in value]
    if definition.type is ParamType.STRING_MAP:
        return {
            interpolate(key, lookup): None if item is None else interpolate(item, lookup)
            for key, item in value.items()
        }
    return value
