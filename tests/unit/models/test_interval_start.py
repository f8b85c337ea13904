"""The INTERVAL trigger's ``start`` text, in Maestro's pattern and in its fixtures' form."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from maestoso.models import IntervalTimeTrigger
from maestoso.models.interval_start import interval_start_ms

AT_UTC = 1616803218089  # 2021-03-27T00:00:18.089Z


@pytest.mark.parametrize(
    "text",
    [
        "03-26-2021 04:00:18.089PM PST",  # MM-dd-yyyy hh:mm:ss.SSS, a 12-hour clock
        "03-26-2021 04:00:18.089 pm PST",
        "2021-03-26 16:00:18.089PST",  # the form of Maestro's fixture
        "03-27-2021 12:00:18.089AM UTC",
        "03-27-2021 00:00:18.089UTC",
        "03-26-2021 16:00:18.089GMT-08:00",
        "03-26-2021 16:00:18.089-0800",
        "03-26-2021 17:00:18.089America/Los_Angeles",  # PDT by then
        "03-27-2021 00:00:18.089",  # no zone: UTC
    ],
)
def test_each_form_reads_as_the_same_instant(text: str) -> None:
    assert interval_start_ms(text) == AT_UTC


@pytest.mark.parametrize(
    "text",
    ["tomorrow", "13-45-2021 04:00:18.089PST", "03-26-2021 04:00PST", "03-26-2021 04:00:18 XYZ"],
)
def test_other_text_is_refused_naming_the_forms(text: str) -> None:
    with pytest.raises(ValueError, match=r"MM-dd-yyyy hh:mm:ss\.SSSz"):
        interval_start_ms(text)


def test_the_trigger_keeps_its_text_and_knows_its_instant() -> None:
    trigger = IntervalTimeTrigger.model_validate(
        {"type": "INTERVAL", "interval": "3H", "start": "2021-03-26 16:00:18.089PST"}
    )
    assert trigger.to_json() == {
        "type": "INTERVAL",
        "start": "2021-03-26 16:00:18.089PST",
        "interval": "3H",
    }
    assert trigger.start_ms == AT_UTC
    assert IntervalTimeTrigger.model_validate({"interval": 60, "start_time": 5}).start_ms == 5
    with pytest.raises(ValidationError):
        IntervalTimeTrigger.model_validate({"interval": "3H", "start": "soon"})
