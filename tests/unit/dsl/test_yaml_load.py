"""Safe loading of DSL documents: YAML errors, unsupported constructs, size limits, lines."""

from __future__ import annotations

import time

import pytest

from maestoso.dsl import yaml_load
from maestoso.dsl.yaml_dsl import parse_workflow_yaml
from maestoso.dsl.yaml_load import load_document
from maestoso.dsl.yaml_problems import YamlList, YamlMap
from maestoso.errors import ValidationError


def load_errors(text: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        load_document(text)
    return caught.value.errors


def test_mappings_and_lists_remember_their_lines() -> None:
    data = load_document("a:\n  - x\n  -\n    b: 1\nc: 2\n")
    assert data == {"a": ["x", {"b": 1}], "c": 2}
    assert isinstance(data, YamlMap)
    assert data.key_lines == {"a": 1, "c": 5}
    assert isinstance(data["a"], YamlList)
    assert data["a"].item_lines == [2, 4]
    assert data["a"][1].key_lines == {"b": 4}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1: a\ntrue: b\n~: c\n1.5: d", {"1": "a", "true": "b", "~": "c", "1.5": "d"}),
        ("a: 1:30", {"a": "1:30"}),
        ("a: 2020-01-01 10:00:00", {"a": "2020-01-01 10:00:00"}),
        ("a: 0x1F\nb: 1_000\nc: on\nd: Off\ne: ~\nf: 1.5e3",
         {"a": 31, "b": 1000, "c": True, "d": False, "e": None, "f": 1500.0}),
        ("a: 1e3\nb: -2E-2\nc: .5e1\nd: 1e\ne: 12e3x", {"a": 1000.0, "b": -0.02, "c": 5.0,
                                                    "d": "1e", "e": "12e3x"}),
        ("a: !!str 5\nb: !!int '6'", {"a": "5", "b": 6}),
        ("a: &x [1, 2]\nb: *x", {"a": [1, 2], "b": [1, 2]}),
        ("a: 1\na: 2", {"a": 2}),  # Maestro's YAML mapper keeps the last duplicate
    ],
)  # fmt: skip
def test_scalars_and_keys(text: str, expected: dict[str, object]) -> None:
    assert load_document(text) == expected


def test_aliases_are_expanded_into_independent_copies() -> None:
    data = load_document("a: &x {k: v}\nb: *x")
    assert data["a"] == data["b"]
    assert data["a"] is not data["b"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: [1, 2", "document: not valid YAML: while parsing a flow sequence expected ',' or "
                     "']', but got '<stream end>' at column 9 (line 1)"),
        ("a: b: c", "document: not valid YAML: mapping values are not allowed here at column 5 "
                    "(line 1)"),
        ("a: *nowhere", "document: not valid YAML: found undefined alias 'nowhere' at column 4 "
                        "(line 1)"),
        ("a: 1\n---\nb: 2", "document: not valid YAML: expected a single document in the stream "
                            "but found another document at column 1 (line 2)"),
        ("", "document: empty, expected a mapping with a Workflow key"),
        ("# only a comment\n", "document: empty, expected a mapping with a Workflow key"),
        ("a: !!python/object:os.system x", "document: unsupported YAML tag "
                                           "[tag:yaml.org,2002:python/object:os.system] (line 1)"),
        ("a: !custom {b: 1}", "document: unsupported YAML tag [!custom] (line 1)"),
        ("a: !seq [1]", "document: unsupported YAML tag [!seq] (line 1)"),
        ("a: !!binary aGk=", "document: unsupported YAML tag [tag:yaml.org,2002:binary] (line 1)"),
        ("b: &x {k: 1}\na:\n  <<: *x", "document: YAML merge keys (<<) are not supported (line 3)"),
        ("? [a, b]\n: 1", "document: a mapping key must be a plain value (line 1)"),
    ],
)  # fmt: skip
def test_rejected_documents(text: str, expected: str) -> None:
    assert load_errors(text) == [expected]


def test_every_unsupported_construct_is_reported() -> None:
    errors = load_errors("a: !x 1\nb: !y 2\n")
    assert errors == [
        "document: unsupported YAML tag [!x] (line 1)",
        "document: unsupported YAML tag [!y] (line 2)",
    ]


def test_billion_laughs_is_rejected_quickly() -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    started = time.monotonic()
    errors = load_errors("\n".join(lines))
    assert time.monotonic() - started < 2
    assert errors == [
        "document: too large once its aliases are expanded (more than 200000 items or "
        "20000000 characters)"
    ]


def test_long_strings_repeated_by_aliases_are_rejected() -> None:
    big = "x" * 1_000_000
    text = f"a: &a '{big}'\nb: [{', '.join(['*a'] * 25)}]"
    assert load_errors(text)[0].startswith("document: too large once its aliases are expanded")


def test_recursive_alias_is_rejected() -> None:
    assert load_errors("a: &a [1, *a]") == ["document: an alias refers to itself (line 1)"]


def test_deep_alias_chains_are_rejected() -> None:
    lines = ["a0: &a0 [x]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, 150)]
    assert load_errors("\n".join(lines)) == ["document: nested more than 100 levels deep"]


def test_deeply_nested_documents_are_rejected() -> None:
    assert load_errors("a: " + "[" * 120 + "]" * 120) == [
        "document: nested more than 100 levels deep"
    ]


def test_documents_too_deep_for_the_parser_are_rejected() -> None:
    assert load_errors("[" * 5000 + "]" * 5000) == ["document: nested too deeply"]


def test_documents_beyond_the_size_limit_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_load, "MAX_DOCUMENT_CHARS", 10)
    assert load_errors("a: 12345678901") == ["document: longer than 10 characters"]


def test_yaml_errors_surface_from_the_dsl_parser() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_workflow_yaml("Workflow:\n  id: [x\n")
    assert caught.value.errors[0].startswith("document: not valid YAML: ")
    assert caught.value.message.startswith("Invalid YAML workflow: document: not valid YAML")
