"""ParsableLong: numbers, duration texts and param references, as Maestro's DurationParser."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from maestoso.models import ParsableLong, duration_millis, is_param_reference, seconds_of
from maestoso.models.durations import has_interpolation

PARSABLE = TypeAdapter(ParsableLong)


@pytest.mark.parametrize(
    ("text", "millis"),
    [
        ("10 minutes", 600_000),
        ("1 min 40 s", 100_000),
        ("5mins", 300_000),
        ("2hours", 7_200_000),
        ("100s", 100_000),
        ("2h", 7_200_000),
        ("30min", 1_800_000),
        ("1 day", 86_400_000),
        ("3 days", 259_200_000),
        ("1d 2h 3min 4s 5ms", 93_784_005),
        ("1 hour 1 second", 3_601_000),
        ("7 secs", 7000),
        ("1 sec", 1000),
        ("2 seconds", 2000),
        ("250 milliseconds", 250),
        ("1 millisecond", 1),
        ("  10 MINUTES  ", 600_000),
        ("1Minute", 60_000),
        ("0s", 0),
    ],
)
def test_duration_millis_reads_every_unit(text: str, millis: int) -> None:
    assert duration_millis(text) == millis


@pytest.mark.parametrize(
    "text",
    ["", "   ", "10", "minutes", "10 fortnights", "1.5 hours", "-5 s", "10 minutes ago", "s10"],
)
def test_duration_millis_is_none_for_other_texts(text: str) -> None:
    assert duration_millis(text) is None


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(0, 0), (90, 90), ("90", 90), (" 42 ", 42), ("1 min 40 s", 100), ("1500ms", 1), ("2h", 7200)],
)
def test_seconds_of(value: int | str, seconds: int) -> None:
    assert seconds_of(value) == seconds


@pytest.mark.parametrize("value", ["$timeout", "${base_workflow_timeout}", "nonsense"])
def test_seconds_of_is_none_for_references_and_other_texts(value: str) -> None:
    assert seconds_of(value) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$foo", True),
        ("${foo}", True),
        ("${a-b_c.d/e}", True),
        (" $foo ", True),
        ("$_x1", True),
        ("$1abc", False),
        ("${x}s", False),
        ("foo", False),
        ("$", False),
        ("${}", False),
    ],
)
def test_is_param_reference(text: str, expected: bool) -> None:
    assert is_param_reference(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${x}s", True),
        ("wait $foo", True),
        ("$$foo", False),
        ("price: $$5", False),
        ("no reference", False),
        ("$9", False),
    ],
)
def test_has_interpolation(text: str, expected: bool) -> None:
    assert has_interpolation(text) is expected


@pytest.mark.parametrize(
    "value",
    [0, 10, 86_400, "10", " 10 ", "10 minutes", "1 min 40 s", "$param", "${x}s", "${a.b}", "2h"],
)
def test_parsable_long_keeps_the_value_as_given(value: int | str) -> None:
    parsed = PARSABLE.validate_python(value)
    assert parsed == value
    assert type(parsed) is type(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, "must be non-negative"),
        (True, "must be a non-negative number or a string"),
        (1.5, "must be a non-negative number or a string"),
        (None, "must be a non-negative number or a string"),
        ([10], "must be a non-negative number or a string"),
        ("-5", "[-5] is neither a number, a duration (e.g. '10 minutes') nor a $param reference"),
        ("ten minutes", "[ten minutes] is neither a number"),
        ("10 fortnights", "[10 fortnights] is neither a number"),
        ("$$escaped", "[$$escaped] is neither a number"),
        ("", "[] is neither a number"),
    ],
)
def test_parsable_long_rejects(value: object, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        PARSABLE.validate_python(value)
    assert message in str(caught.value)
