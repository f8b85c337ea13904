"""What a param expression reads: its free names and the keys it reads through ``params``."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from maestoso.sel import ast, parse
from maestoso.sel.maestro import sanitize

PARAMS = "params"


@dataclass(frozen=True, slots=True)
class Reads:
    """The names an expression reads (free names, ``params`` itself excluded) and the keys
    it reads as ``params.get('k')``, ``params['k']`` or ``params.k``."""

    names: tuple[str, ...]
    params_keys: tuple[str, ...]
    uses_params: bool

    @property
    def all(self) -> tuple[str, ...]:
        """Every param name read, free names first, without repeats."""
        return tuple(dict.fromkeys(self.names + self.params_keys))


@lru_cache(maxsize=2048)
def reads(expression: str) -> Reads:
    """The reads of a param expression (sanitised as Maestro does); raises SelError."""
    parsed = parse(sanitize(expression))
    keys = dict.fromkeys(_params_keys(parsed.program))
    names = tuple(name for name in parsed.free_names if name != PARAMS)
    return Reads(names, tuple(keys), PARAMS in parsed.free_names)


def _is_params(node: object) -> bool:
    return isinstance(node, ast.Name) and node.name == PARAMS


def _string(node: object) -> str | None:
    if isinstance(node, ast.Literal) and isinstance(node.value, str):
        return node.value
    return None


def _params_keys(node: object) -> Iterator[str]:
    key: str | None = None
    if isinstance(node, ast.Call) and _is_params(node.target) and node.method == "get":
        key = _string(node.args[0]) if len(node.args) == 1 else None
    elif isinstance(node, ast.Index) and _is_params(node.target):
        key = _string(node.index)
    elif isinstance(node, ast.Field) and _is_params(node.target):
        key = node.name
    if key is not None:
        yield key
    for child in _children(node):
        yield from _params_keys(child)


def _children(node: object) -> Iterator[object]:
    if isinstance(node, tuple):
        yield from node
        return
    if not dataclasses.is_dataclass(node):
        return
    for item in dataclasses.fields(node):
        value = getattr(node, item.name)
        if isinstance(value, ast.Node | tuple):
            yield value
