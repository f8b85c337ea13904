"""An evaluated param: its definition, its result in the declared type, and when it was made."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from maestoso.models import ParamDefinition, ParamMode, ParamType
from maestoso.params.convert import kind_of
from maestoso.params.errors import ParamError

_EVALUATED_KEYS = ("evaluated_result", "evaluated_time")
_ARRAY_BY_ELEMENT = {
    "STRING": ParamType.STRING_ARRAY,
    "LONG": ParamType.LONG_ARRAY,
    "DOUBLE": ParamType.DOUBLE_ARRAY,
    "BOOLEAN": ParamType.BOOLEAN_ARRAY,
}


@dataclass(frozen=True, slots=True)
class Parameter:
    """Maestro's ``Parameter``: a definition plus ``evaluated_result`` and ``evaluated_time``.

    ``notes`` holds the meta an implicit conversion adds (``info``/``warn``); the
    definition's own extra keys (``source``...) are the rest of the meta.
    """

    name: str
    definition: ParamDefinition
    evaluated_result: Any
    evaluated_time: int
    notes: Mapping[str, str] = field(default_factory=dict)

    @property
    def type(self) -> ParamType:
        return self.definition.type

    @property
    def mode(self) -> ParamMode | None:
        return self.definition.mode

    @property
    def meta(self) -> dict[str, Any]:
        return {**self.definition.extras, **self.notes}

    def to_json(self) -> dict[str, Any]:
        """Maestro's shape: ``value, expression, type, validator, tags, mode``, then
        ``evaluated_result, evaluated_time``, then the meta keys (written last, as Jackson's
        any-getter does). ``name`` is the map key, so it is not written."""
        body = self.definition.to_json()
        body.pop("name", None)
        meta = {key: body.pop(key) for key in list(body) if key in self.definition.extras}
        body["evaluated_result"] = self.evaluated_result
        body["evaluated_time"] = self.evaluated_time
        body.update(meta)
        body.update(self.notes)
        return body

    @classmethod
    def from_json(cls, name: str, data: Mapping[str, Any]) -> Parameter:
        """Read back what :meth:`to_json` wrote (a stored instance's params)."""
        if "evaluated_result" not in data or "evaluated_time" not in data:
            raise ParamError(
                f"Param [{name}] evaluated result and evaluated time should be set in the instance"
            )
        raw = {key: value for key, value in data.items() if key not in _EVALUATED_KEYS}
        return cls(
            name, read_definition(name, raw), data["evaluated_result"], data["evaluated_time"]
        )

    def to_definition(self) -> ParamDefinition:
        """The definition a restart starts from: an IMMUTABLE param keeps its value or
        expression (it is evaluated again); any other keeps its result as a literal value."""
        if self.mode is ParamMode.IMMUTABLE:
            return self.definition
        return _literal(self.definition, self.evaluated_result)


def read_definition(name: str, raw: Mapping[str, Any]) -> ParamDefinition:
    """A definition from JSON; one with neither value nor expression (a placeholder that a
    later layer must fill) is kept as read rather than rejected."""
    try:
        return ParamDefinition.model_validate({**raw, "name": name})
    except ValidationError as error:
        if raw.get("value") is not None or raw.get("expression") is not None:
            message = error.errors()[0]["msg"].removeprefix("Value error, ")
            raise ParamError(f"Param [{name}] has an invalid definition: {message}") from None
        fields = {key: raw[key] for key in ("validator", "tags") if key in raw}
        extras = {key: value for key, value in raw.items() if key not in _DEFINITION_FIELDS}
        mode = ParamMode(raw["mode"]) if raw.get("mode") else None
        return ParamDefinition.model_construct(
            name=name, type=ParamType(raw["type"]), mode=mode, **fields, **extras
        )


_DEFINITION_FIELDS = frozenset({"name", "value", "expression", "type", "validator", "tags", "mode"})


def _literal(definition: ParamDefinition, result: Any) -> ParamDefinition:
    value: Any = result
    if definition.type is ParamType.MAP and isinstance(result, dict):
        nested = definition.value if isinstance(definition.value, dict) else {}
        value = {
            key: _literal(nested[key], item) if key in nested else derived(key, item)
            for key, item in result.items()
        }
    return definition.model_copy(update={"value": value, "expression": None})


def derived(name: str, value: Any) -> ParamDefinition:
    """A literal definition typed after its value, as Maestro derives a nested map entry."""
    kind = kind_of(value)
    if kind == "LIST":
        first = kind_of(value[0]) if value else "STRING"
        param_type = _ARRAY_BY_ELEMENT.get(first, ParamType.STRING_ARRAY)
    elif kind == "MAP":
        param_type = ParamType.MAP
        value = {key: derived(key, item) for key, item in value.items()}
    else:
        param_type = ParamType(kind)
    return ParamDefinition.model_construct(name=name, type=param_type, value=value)
