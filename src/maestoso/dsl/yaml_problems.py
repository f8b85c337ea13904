"""Where an item sits in a DSL document, and the list of problems found in it.

Every problem names the path of the offending item (``Workflow.jobs[2].job.transition[1]``,
indexes from 0) and, when known, its line in the YAML text (from 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NoReturn

from maestoso.errors import ValidationError


class YamlMap(dict[str, Any]):
    """A YAML mapping that remembers the line of itself and of each of its keys."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}


class YamlList(list[Any]):
    """A YAML sequence that remembers the line of itself and of each of its items."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []


@dataclass(frozen=True)
class Loc:
    """The path and line of an item in the document."""

    path: str
    line: int | None = None

    def key(self, container: YamlMap, key: str) -> Loc:
        """The location of ``container[key]``, at the line of the key."""
        return Loc(f"{self.path}.{key}", container.key_lines.get(key, self.line))

    def item(self, container: Any, index: int) -> Loc:
        """The location of ``container[index]``, with the line of the item if it is known."""
        line = self.line
        if isinstance(container, YamlList) and index < len(container.item_lines):
            line = container.item_lines[index]
        return Loc(f"{self.path}[{index}]", line)


@dataclass
class Problems:
    """Collects every problem so that the caller learns them all in one answer."""

    found: list[tuple[int, str]] = field(default_factory=list)

    def add(self, loc: Loc, message: str) -> None:
        where = f" (line {loc.line})" if loc.line is not None else ""
        self.found.append((loc.line or 0, f"{loc.path}: {message}{where}"))

    @property
    def messages(self) -> list[str]:
        """The problems in the order of their lines in the document."""
        return [message for _, message in sorted(self.found, key=lambda item: item[0])]

    def raise_if_any(self) -> None:
        if self.found:
            self.fail()

    def fail(self) -> NoReturn:
        raise invalid_dsl(self.messages)


def invalid_dsl(messages: list[str]) -> ValidationError:
    """The error raised for a DSL document with the given problems."""
    count = len(messages)
    summary = messages[0] if count == 1 else f"{messages[0]} (and {count - 1} more problems)"
    return ValidationError(f"Invalid YAML workflow: {summary}", errors=messages)
