"""Typed reads of the fields of a DSL mapping, reporting a value of the wrong kind as a problem.

Scalars are coerced the way Maestro's Jackson mapper coerces them into its DSL model: a
number or boolean given where text is expected becomes its text, and ``"5"`` is accepted
where a whole number is expected. A ``null`` value is the same as an absent field.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from maestoso.dsl.yaml_problems import Loc, Problems, YamlList, YamlMap

LONG_MIN = -(2**63)
LONG_MAX = 2**63 - 1


def is_long(value: Any) -> bool:
    """Whether ``value`` is a whole number that fits Maestro's 64-bit ``long``."""
    return isinstance(value, int) and not isinstance(value, bool) and LONG_MIN <= value <= LONG_MAX


def scalar_text(value: Any) -> str | None:
    """The text of a scalar as Maestro reads it, or None for a mapping or list."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _to_long(value: Any) -> int | None:
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        value = int(value)
    return value if is_long(value) else None


def _to_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


@dataclass(frozen=True)
class FieldReader:
    """Reads the fields of one mapping of the document."""

    data: YamlMap
    loc: Loc
    problems: Problems

    def at(self, key: str) -> Loc:
        return self.loc.key(self.data, key)

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        text = scalar_text(value)
        if text is None:
            self.problems.add(self.at(key), "must be a string")
        return text

    def required_text(self, key: str, message: str) -> str | None:
        """Like ``text``, reporting ``message`` at this mapping when the field is absent."""
        if self.data.get(key) is None or self.data[key] == "":
            self.problems.add(self.loc, message)
            return None
        return self.text(key)

    def long(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        number = _to_long(value)
        if number is None:
            self.problems.add(self.at(key), f"must be a whole number, not [{value}]")
        return number

    def flag(self, key: str) -> bool | None:
        value = self.data.get(key)
        if value is None:
            return None
        result = _to_bool(value)
        if result is None:
            self.problems.add(self.at(key), f"must be true or false, not [{value}]")
        return result

    def mapping(self, key: str) -> YamlMap | None:
        value = self.data.get(key)
        if value is None or isinstance(value, YamlMap):
            return value
        self.problems.add(self.at(key), "must be a mapping")
        return None

    def items(self, key: str) -> YamlList | None:
        value = self.data.get(key)
        if value is None or isinstance(value, YamlList):
            return value
        self.problems.add(self.at(key), "must be a list")
        return None

    def texts(self, key: str) -> list[str] | None:
        """A list of strings; ``None`` items are dropped, as Maestro treats them as empty."""
        items = self.items(key)
        if items is None:
            return None
        loc = self.at(key)
        result: list[str] = []
        for index, item in enumerate(items):
            text = scalar_text(item)
            if text is not None:
                result.append(text)
            elif item is not None:
                self.problems.add(loc.item(items, index), "must be a string")
        return result

    def key_or_alias(self, key: str, alias: str) -> str:
        """The key under which a field with an alias is given (``key`` if neither is)."""
        if self.data.get(alias) is None:
            return key
        if self.data.get(key) is not None:
            self.problems.add(self.at(alias), f"cannot be given together with [{key}]")
            return key
        return alias

    def others(self, own: Collection[str], reserved: str) -> YamlMap:
        """The keys that are not among the ``own`` fields: params, with their lines.

        ``reserved`` is the name of the params' own field in Maestro's model, which cannot be
        a param.
        """
        params = YamlMap(self.data.line)
        for key, value in self.data.items():
            if key == reserved:
                self.problems.add(self.at(key), f"[{key}] is reserved and cannot be a param")
            elif key not in own:
                params[key] = value
                params.key_lines[key] = self.data.key_lines[key]
        return params
