"""The ``start`` of Maestro's INTERVAL time trigger: a date as text.

Maestro writes it with Java's pattern ``MM-dd-yyyy hh:mm:ss.SSSz`` (e.g.
``03-26-2021 04:00:18.089PST``; ``hh`` is the 1-12 hour, so an ``AM``/``PM`` marker may
follow the millis); its own fixtures also use ``yyyy-MM-dd HH:mm:ss.SSSz``. The zone is
an abbreviation (``PST``, ``UTC``…), ``GMT±hh:mm``, an offset (``-0800``, ``-08:00``) or an
IANA name. Both forms are read; a date in another form is refused, naming the forms.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_DATE = re.compile(
    r"^\s*(?:(?P<m1>\d{1,2})-(?P<d1>\d{1,2})-(?P<y1>\d{4})|(?P<y2>\d{4})-(?P<m2>\d{1,2})-"
    r"(?P<d2>\d{1,2}))[ T](?P<h>\d{1,2}):(?P<mi>\d{2}):(?P<s>\d{2})(?:\.(?P<ms>\d{1,3}))?"
    r"\s*(?:(?P<ampm>[AaPp][Mm])(?![A-Za-z]))?\s*(?P<zone>\S*)\s*$"
)
_ABBREVIATIONS = {
    "UTC": 0, "GMT": 0, "Z": 0, "UT": 0,
    "PST": -8, "PDT": -7, "MST": -7, "MDT": -6, "CST": -6, "CDT": -5, "EST": -5, "EDT": -4,
    "AKST": -9, "AKDT": -8, "HST": -10, "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3,
    "IST": 5.5, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11,
}  # fmt: skip
_OFFSET = re.compile(r"^(?:GMT|UTC)?([+-])(\d{1,2}):?(\d{2})?$")
FORMS = "MM-dd-yyyy hh:mm:ss.SSSz or yyyy-MM-dd HH:mm:ss.SSSz (e.g. 03-26-2021 04:00:18.089PST)"


def _zone(text: str) -> tzinfo:
    if not text:
        return UTC
    upper = text.upper()
    if upper in _ABBREVIATIONS:
        return timezone(timedelta(hours=_ABBREVIATIONS[upper]))
    matched = _OFFSET.match(upper)
    if matched:
        sign = -1 if matched.group(1) == "-" else 1
        minutes = int(matched.group(2)) * 60 + int(matched.group(3) or 0)
        return timezone(sign * timedelta(minutes=minutes))
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone [{text}]") from None


def interval_start_ms(text: str) -> int:
    """Epoch milliseconds of a ``start`` text; ValueError names the accepted forms."""
    matched = _DATE.match(text)
    if matched is None:
        raise ValueError(f"[{text}] is not a date in the form {FORMS}")
    parts = matched.groupdict()
    year = int(parts["y1"] or parts["y2"])
    month = int(parts["m1"] or parts["m2"])
    day = int(parts["d1"] or parts["d2"])
    hour = int(parts["h"])
    if parts["ampm"]:
        hour = hour % 12 + (12 if parts["ampm"].upper() == "PM" else 0)
    millis = int((parts["ms"] or "0").ljust(3, "0"))
    try:
        moment = datetime(
            year, month, day, hour, int(parts["mi"]), int(parts["s"]), millis * 1000,
            tzinfo=_zone(parts["zone"]),
        )  # fmt: skip
    except ValueError as exc:
        raise ValueError(f"[{text}] is not a date in the form {FORMS}: {exc}") from None
    return int(moment.timestamp() * 1000)
