"""Run params from the command line and from Python, typed by the definition."""

from __future__ import annotations

import pytest

from maestoso.client.run_params import ParamError, parse_assignments, typed_params

DECLARED = {
    "secs": {"value": 1, "type": "LONG"},
    "ratio": {"value": 0.5, "type": "DOUBLE"},
    "dry": {"value": False, "type": "BOOLEAN"},
    "ids": {"value": [1], "type": "LONG_ARRAY"},
    "name": {"value": "x", "type": "STRING"},
}


def test_text_takes_the_declared_type() -> None:
    values = parse_assignments(
        ["secs=300", "ratio=2.5", "dry=TRUE", "ids=1,2,3", "name=007", "other=42"]
    )

    params = typed_params(values, DECLARED)

    assert params == {
        "secs": {"value": 300, "type": "LONG"},
        "ratio": {"value": 2.5, "type": "DOUBLE"},
        "dry": {"value": True, "type": "BOOLEAN"},
        "ids": {"value": [1, 2, 3], "type": "LONG_ARRAY"},
        "name": {"value": "007", "type": "STRING"},
        "other": {"value": "42", "type": "STRING"},  # undeclared text stays text
    }


def test_json_values_keep_their_json_type() -> None:
    values = parse_assignments(["ids:=[4, 5]", "extra:=true", 'conf:={"a": "b"}'])

    params = typed_params(values, DECLARED)

    assert params["ids"] == {"value": [4, 5], "type": "LONG_ARRAY"}
    assert params["extra"] == {"value": True, "type": "BOOLEAN"}
    assert params["conf"] == {"value": {"a": "b"}, "type": "STRING_MAP"}


def test_python_values_and_explicit_params() -> None:
    explicit = {"value": "2024", "type": "STRING"}
    params = typed_params({"n": 3, "f": 1.5, "s": ["a"], "secs": explicit}, {})
    assert params == {
        "n": {"value": 3, "type": "LONG"},
        "f": {"value": 1.5, "type": "DOUBLE"},
        "s": {"value": ["a"], "type": "STRING_ARRAY"},
        "secs": explicit,
    }


@pytest.mark.parametrize(
    ("pairs", "fragment"),
    [
        (["novalue"], "[novalue] must be name=value"),
        (["x:={bad"], "not JSON"),
        (["secs=soon"], "param [secs] is LONG; [soon] is not one"),
        (["dry=maybe"], "param [dry] is BOOLEAN"),
    ],
)
def test_bad_values_are_named(pairs: list[str], fragment: str) -> None:
    with pytest.raises(ParamError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        typed_params(parse_assignments(pairs), DECLARED)
