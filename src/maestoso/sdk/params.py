"""Params as the YAML DSL writes them: ``name<type>(mode)``, and ``!name`` for SEL.

``Expr("1 + day")`` marks a value as a SEL expression, so ``wf.param("next", Expr("day +
1"), type="long")`` becomes ``'!next<long>': day + 1``. Without a ``type``, a literal's
type follows its Python value, as the DSL types YAML values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_TYPES = {
    "string": "string",
    "long": "long",
    "double": "double",
    "boolean": "boolean",
    "map": "map",
    "string_map": "map",
    "pmap": "pmap",
    "string_array": "array<string>",
    "long_array": "array<long>",
    "double_array": "array<double>",
    "boolean_array": "array<boolean>",
}
_MODES = frozenset(
    {"constant", "immutable", "mutable", "mutable_on_start", "mutable_on_start_restart"}
)


@dataclass(frozen=True, slots=True)
class Expr:
    """A SEL expression (evaluated by the server when the step or run starts)."""

    text: str


def param_key(name: str, value: Any, type: str | None = None, mode: str | None = None) -> str:
    """The DSL key of a param; raises ``ValueError`` for an unknown type or mode."""
    key = f"!{name}" if isinstance(value, Expr) else name
    if type is not None:
        key += f"<{_dsl_type(type)}>"
    if mode is not None:
        if mode.lower() not in _MODES:
            raise ValueError(f"unknown param mode [{mode}]; known: {sorted(_MODES)}")
        key += f"({mode.lower()})"
    return key


def _dsl_type(name: str) -> str:
    folded = name.lower()
    if folded.startswith("array<") and folded.endswith(">"):
        folded = f"{folded[6:-1]}_array"
    if folded not in _TYPES:
        raise ValueError(f"unknown param type [{name}]; known: {sorted(_TYPES)}")
    return _TYPES[folded]


def param_value(value: Any) -> Any:
    return value.text if isinstance(value, Expr) else value
