"""Safe loading of a DSL document into plain data that remembers its line numbers.

Only PyYAML's pure-Python safe composer is used: it builds no Python objects from tags, and
its recursion ends in a ``RecursionError`` rather than a crash. Before anything is built the
node graph is measured as if every alias were expanded, so a "billion laughs" document (or a
recursive alias) is rejected instead of exhausting memory.

Scalars follow the YAML 1.1 rules of PyYAML's safe loader with two exceptions that match
what Maestro's Jackson parser reads: timestamps and sexagesimal numbers (``12:30``) stay
strings, and mapping keys are always the key's text (``1: x`` has the key ``"1"``). Duplicate
keys are accepted, the last one winning, as in Maestro. Merge keys (``<<``) and other tags are
rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from maestoso.dsl.yaml_problems import YamlList, YamlMap, invalid_dsl

MAX_DOCUMENT_CHARS = 5_000_000
MAX_EXPANDED_NODES = 200_000
MAX_EXPANDED_CHARS = 20_000_000
MAX_DEPTH = 100

_TAG = "tag:yaml.org,2002:"
_PLAIN_SCALAR_TAGS = {_TAG + name for name in ("bool", "int", "float", "null")}
_DOCUMENT = "document"


class _DslLoader(yaml.SafeLoader):
    """PyYAML's safe loader that also reads ``1e3`` as a number, as YAML 1.2 and Maestro do."""


_DslLoader.add_implicit_resolver(
    _TAG + "float",
    re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)


def load_document(text: str) -> Any:
    """Parse ``text`` as one YAML document into ``YamlMap``/``YamlList``/scalar data.

    Raises ``ValidationError`` when the text is not YAML, is empty, is too large once its
    aliases are expanded, or uses a tag or merge key the DSL does not support.
    """
    if len(text) > MAX_DOCUMENT_CHARS:
        raise invalid_dsl([f"{_DOCUMENT}: longer than {MAX_DOCUMENT_CHARS} characters"])
    loader = _DslLoader(text)
    try:
        node = _compose(loader)
        _Measure().visit(node, 0)
        builder = _Builder(loader)
        data = builder.build(node)
    finally:
        loader.dispose()
    if builder.problems:
        raise invalid_dsl(builder.problems)
    return data


def _compose(loader: yaml.SafeLoader) -> yaml.Node:
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise invalid_dsl([_syntax_message(exc)]) from exc
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML marks every parse error
        raise invalid_dsl([f"{_DOCUMENT}: not valid YAML: {exc}"]) from exc
    except RecursionError as exc:
        raise invalid_dsl([f"{_DOCUMENT}: nested too deeply"]) from exc
    if node is None:
        raise invalid_dsl([f"{_DOCUMENT}: empty, expected a mapping with a Workflow key"])
    return node


def _syntax_message(exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    problem = " ".join(part for part in (exc.context, exc.problem) if part)
    if mark is None:  # pragma: no cover - PyYAML always sets a mark on parse errors
        return f"{_DOCUMENT}: not valid YAML: {problem}"
    return (
        f"{_DOCUMENT}: not valid YAML: {problem} at column {mark.column + 1} (line {mark.line + 1})"
    )


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


@dataclass
class _Size:
    nodes: int
    chars: int
    height: int


@dataclass
class _Measure:
    """Sizes the document as if every alias were expanded, without expanding anything."""

    done: dict[int, _Size] = field(default_factory=dict)
    active: set[int] = field(default_factory=set)

    def visit(self, node: yaml.Node, depth: int) -> _Size:
        key = id(node)
        if key in self.active:
            raise invalid_dsl([f"{_DOCUMENT}: an alias refers to itself (line {_line(node)})"])
        size = self.done.get(key)
        if size is None:
            if depth > MAX_DEPTH:
                raise invalid_dsl([f"{_DOCUMENT}: nested more than {MAX_DEPTH} levels deep"])
            self.active.add(key)
            size = self._measure(node, depth)
            self.active.discard(key)
            self.done[key] = size
        self._check(size, depth)
        return size

    def _measure(self, node: yaml.Node, depth: int) -> _Size:
        if isinstance(node, yaml.ScalarNode):
            return _Size(1, len(node.value), 0)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                children += [key_node, value_node]
        else:
            children = list(node.value)
        sizes = [self.visit(child, depth + 1) for child in children]
        return _Size(
            1 + sum(s.nodes for s in sizes),
            sum(s.chars for s in sizes),
            1 + max((s.height for s in sizes), default=0),
        )

    @staticmethod
    def _check(size: _Size, depth: int) -> None:
        if depth + size.height > MAX_DEPTH:
            raise invalid_dsl([f"{_DOCUMENT}: nested more than {MAX_DEPTH} levels deep"])
        if size.nodes > MAX_EXPANDED_NODES or size.chars > MAX_EXPANDED_CHARS:
            raise invalid_dsl(
                [
                    f"{_DOCUMENT}: too large once its aliases are expanded (more than "
                    f"{MAX_EXPANDED_NODES} items or {MAX_EXPANDED_CHARS} characters)"
                ]
            )


@dataclass
class _Builder:
    """Turns composed nodes into data, collecting unsupported constructs as problems."""

    loader: yaml.SafeLoader
    problems: list[str] = field(default_factory=list)

    def build(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node)
        if isinstance(node, yaml.SequenceNode):
            return self._sequence(node)
        return self._scalar(node)

    def _problem(self, node: yaml.Node, message: str) -> None:
        self.problems.append(f"{_DOCUMENT}: {message} (line {_line(node)})")

    def _check_tag(self, node: yaml.Node, expected: str) -> bool:
        if node.tag == _TAG + expected:
            return True
        self._problem(node, f"unsupported YAML tag [{node.tag}]")
        return False

    def _mapping(self, node: yaml.MappingNode) -> YamlMap | None:
        if not self._check_tag(node, "map"):
            return None
        result = YamlMap(_line(node))
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                self._problem(key_node, "YAML merge keys (<<) are not supported")
            elif not isinstance(key_node, yaml.ScalarNode):
                self._problem(key_node, "a mapping key must be a plain value")
            else:
                key = str(key_node.value)
                result[key] = self.build(value_node)
                result.key_lines[key] = _line(key_node)
        return result

    def _sequence(self, node: yaml.SequenceNode) -> YamlList | None:
        if not self._check_tag(node, "seq"):
            return None
        result = YamlList(_line(node))
        for item in node.value:
            result.append(self.build(item))
            result.item_lines.append(_line(item))
        return result

    def _scalar(self, node: yaml.Node) -> Any:
        text = str(node.value)
        if node.tag in (_TAG + "str", _TAG + "timestamp"):
            return text
        if node.tag in _PLAIN_SCALAR_TAGS:
            if ":" in text:  # YAML 1.1 sexagesimal, which Maestro reads as a string
                return text
            return self.loader.construct_object(node)
        self._problem(node, f"unsupported YAML tag [{node.tag}]")
        return None
