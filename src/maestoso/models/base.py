"""The base of every wire model: Maestro's JSON conventions in one place."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict


class CaseInsensitiveEnum(StrEnum):
    """An enum that accepts its values and names in any case, as Maestro's mapper does."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            folded = value.casefold()
            for member in cls:
                if member.value.casefold() == folded or member.name.casefold() == folded:
                    return member
        return None


class MaestroModel(BaseModel):
    """A model that rejects unknown keys and serialises as Maestro does.

    Field declaration order is the output key order (Maestro's ``@JsonPropertyOrder``), and
    ``None`` values are omitted on output.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_default=False)

    def to_json(self) -> dict[str, Any]:
        """The JSON-ready dict of this model, in Maestro's shape."""
        return self.model_dump(mode="json", exclude_none=True, by_alias=True)


class OpenMaestroModel(MaestroModel):
    """A model that keeps unknown keys (Maestro's "any-setter" classes) and writes them back."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, validate_default=False)

    @property
    def extras(self) -> dict[str, Any]:
        return dict(self.__pydantic_extra__ or {})
