"""String interpolation of literal params."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.params.helpers import clock, defs

from maestoso.models import ParamDefinition
from maestoso.params import ParamError, evaluate_params
from maestoso.params.interpolation import interpolate, referenced_names

VALUES: dict[str, Any] = {
    "name": "x",
    "n": 5,
    "d": 1.5,
    "b": True,
    "arr": ["a", "b"],
    "m": {"k": 1},
    "step1__foo": "S",
    "signal-a__p.1/x": "G",
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$name", "x"),
        ("${name}", "x"),
        ("a-$name-b", "a-x-b"),
        ("$name.txt", "x.txt"),
        ("${n}${d}${b}", "51.5true"),
        ("$arr", '["a","b"]'),
        ("$m", '{"k":1}'),
        ("$$", "$"),
        ("$$name", "$name"),
        ("$${name}", "${name}"),
        ("$$$name", "$x"),
        ("cost: 5$", "cost: 5$"),
        ("${1abc}", "${1abc}"),
        ("$step1__foo", "S"),
        ("${signal-a__p.1/x}", "G"),
    ],
)
def test_interpolate(text: str, expected: str) -> None:
    assert interpolate(text, VALUES.__getitem__) == expected


def test_referenced_names_skip_escapes_and_cover_arrays_and_maps() -> None:
    string = ParamDefinition.model_validate({"type": "STRING", "value": "$a $$b ${c} $a"})
    assert referenced_names(string) == ["a", "c"]
    array = ParamDefinition.model_validate({"type": "STRING_ARRAY", "value": ["$a", "$d"]})
    assert referenced_names(array) == ["a", "d"]
    mapping = ParamDefinition.model_validate({"type": "STRING_MAP", "value": {"$k": "$v"}})
    assert referenced_names(mapping) == ["k", "v"]
    assert referenced_names(ParamDefinition.model_validate({"type": "LONG", "value": 1})) == []


def test_literal_params_are_interpolated_with_other_params() -> None:
    params = evaluate_params(
        defs(
            greeting={"type": "STRING", "value": "hello ${who}, $$${cost}"},
            who={"type": "STRING", "value": "world"},
            cost={"type": "LONG", "value": 3},
            files={"type": "STRING_ARRAY", "value": ["$who.txt", "b"]},
            env={"type": "STRING_MAP", "value": {"${who}_KEY": "$cost"}},
            count={"type": "LONG", "value": 9},
        ),
        clock=clock(),
    )
    assert params["greeting"].evaluated_result == "hello world, $3"
    assert params["files"].evaluated_result == ["world.txt", "b"]
    assert params["env"].evaluated_result == {"world_KEY": "3"}
    assert params["count"].evaluated_result == 9


def test_an_unknown_name_fails_as_in_maestro() -> None:
    with pytest.raises(ParamError) as raised:
        evaluate_params(defs(a={"type": "STRING", "value": "$missing"}), clock=clock())
    assert raised.value.message == (
        "Param [a] referenced a non-existing param [missing] in the workflow"
    )
