"""Joda ``DateTimeFormat.forPattern`` patterns: printing and (lenient) parsing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from maestoso.sel.errors import SelError, illegal_argument
from maestoso.sel.zones import (
    Zone,
    checked,
    format_offset,
    join_local,
    month_length,
    split_local,
    weeks_in,
)

MONTHS = (
    "January February March April May June July August September October November December"
).split()
DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_LETTERS = frozenset("GCYxwEeyDMdahKHkmsSzZ")
_NUMERIC = frozenset("CYxwyDMdhKHkmsSe")


@dataclass(frozen=True, slots=True)
class Token:
    letter: str  # "" for literal text
    count: int
    text: str = ""


@lru_cache(maxsize=256)
def tokenize_pattern(pattern: str) -> tuple[Token, ...]:
    tokens: list[Token] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "'":
            end = i + 1
            text = []
            while end < len(pattern):
                if pattern[end] == "'":
                    if end + 1 < len(pattern) and pattern[end + 1] == "'":
                        text.append("'")
                        end += 2
                        continue
                    break
                text.append(pattern[end])
                end += 1
            tokens.append(Token("", 0, "".join(text) if end > i + 1 else "'"))
            i = end + 1
        elif ch.isascii() and ch.isalpha():
            if ch not in _LETTERS:
                raise illegal_argument(f"Illegal pattern component: {ch}")
            end = i
            while end < len(pattern) and pattern[end] == ch:
                end += 1
            tokens.append(Token(ch, end - i))
            i = end
        else:
            tokens.append(Token("", 0, ch))
            i += 1
    return tuple(tokens)


def _number(value: int, digits: int) -> str:
    text = str(abs(value)).rjust(digits, "0")
    return "-" + text if value < 0 else text


def _field_values(local_ms: int) -> dict[str, int]:
    day, millis = split_local(local_ms)
    iso_year, iso_week, iso_day = day.isocalendar()
    hour = millis // 3_600_000
    return {
        "y": day.year,
        "Y": day.year,
        "x": iso_year,
        "w": iso_week,
        "e": iso_day,
        "M": day.month,
        "d": day.day,
        "D": day.timetuple().tm_yday,
        "H": hour,
        "k": hour or 24,
        "K": hour % 12,
        "h": hour % 12 or 12,
        "m": millis // 60_000 % 60,
        "s": millis // 1000 % 60,
        "S": millis % 1000,
        "C": day.year // 100,
    }


def _print_token(token: Token, values: dict[str, int], zone: Zone, instant: int) -> str:
    letter, count = token.letter, token.count
    if letter == "M" and count >= 3:
        name = MONTHS[values["M"] - 1]
        return name if count >= 4 else name[:3]
    if letter == "E":
        name = DAYS[values["e"] - 1]
        return name if count >= 4 else name[:3]
    if letter == "a":
        return "AM" if values["H"] < 12 else "PM"
    if letter == "G":
        return "AD"
    if letter in "yYx" and count == 2:
        return _number(values[letter] % 100, 2)
    if letter == "S":
        return str(values["S"]).rjust(3, "0")[:count].ljust(count, "0")
    if letter == "z":
        return zone.id if count >= 4 else zone.short_name(instant)
    if letter == "Z":
        if count >= 3:
            return zone.id
        return format_offset(zone.offset(instant), colon=count == 2)
    return _number(values[letter], count)


def print_instant(pattern: str, instant: int, zone: Zone) -> str:
    """Format an instant in a zone with a Joda pattern."""
    values = _field_values(instant + zone.offset(instant))
    out = []
    for token in tokenize_pattern(pattern):
        out.append(token.text if not token.letter else _print_token(token, values, zone, instant))
    return "".join(out)


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def malformed(self) -> SelError:
        if self.pos >= len(self.text):
            return illegal_argument(f'Invalid format: "{self.text}" is too short')
        return illegal_argument(
            f'Invalid format: "{self.text}" is malformed at "{self.text[self.pos :]}"'
        )

    def number(self, max_digits: int, signed: bool) -> int:
        start = self.pos
        if signed and self.text[self.pos : self.pos + 1] in ("-", "+"):
            self.pos += 1
        digits_start = self.pos
        while (
            self.pos < len(self.text)
            and self.pos - digits_start < max_digits
            and self.text[self.pos].isdigit()
            and self.text[self.pos].isascii()
        ):
            self.pos += 1
        if self.pos == digits_start:
            self.pos = start
            raise self.malformed()
        return int(self.text[start : self.pos])

    def word(self, names: list[str]) -> int:
        rest = self.text[self.pos :].lower()
        for full_first in (True, False):
            for index, name in enumerate(names):
                candidate = (name if full_first else name[:3]).lower()
                if rest.startswith(candidate):
                    self.pos += len(candidate)
                    return index
        raise self.malformed()

    def offset(self) -> int:
        sign = self.text[self.pos : self.pos + 1]
        if sign == "Z":
            self.pos += 1
            return 0
        if sign not in ("+", "-"):
            raise self.malformed()
        self.pos += 1
        hours = self.number(2, False)
        if self.text[self.pos : self.pos + 1] == ":":
            self.pos += 1
        minutes = self.number(2, False) if self.text[self.pos : self.pos + 1].isdigit() else 0
        total = (hours * 60 + minutes) * 60_000
        return -total if sign == "-" else total


def _max_digits(token: Token, next_numeric: bool) -> int:
    if token.letter in "yYx":
        return token.count if next_numeric else 9
    return 3 if token.letter in "DS" else 2


def _parse_fields(pattern: str, text: str) -> tuple[dict[str, int], int | None]:
    tokens = tokenize_pattern(pattern)
    reader = _Reader(text)
    fields: dict[str, int] = {}
    offset: int | None = None
    for index, token in enumerate(tokens):
        if not token.letter:
            if not text.startswith(token.text, reader.pos):
                raise reader.malformed()
            reader.pos += len(token.text)
            continue
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        next_numeric = following is not None and following.letter in _NUMERIC
        if token.letter == "M" and token.count >= 3:
            fields["M"] = reader.word(MONTHS) + 1
        elif token.letter == "E":
            fields["e"] = reader.word(DAYS) + 1
        elif token.letter == "a":
            fields["a"] = reader.word(["AM", "PM"])
        elif token.letter == "Z":
            offset = reader.offset()
        elif token.letter in ("G", "z"):
            raise illegal_argument(f"Parsing the pattern letter {token.letter} is not supported")
        else:
            signed = token.letter in "yYx"
            fields[token.letter] = reader.number(_max_digits(token, next_numeric), signed)
    if reader.pos != len(text):
        raise reader.malformed()
    return fields, offset


def _local_from_fields(fields: dict[str, int]) -> int:
    year = fields.get("y", fields.get("Y", 1970))
    checked("year", year, 1, 9999)
    if "x" in fields or "w" in fields:
        weekyear = fields.get("x", year)
        week = checked("weekOfWeekyear", fields.get("w", 1), 1, weeks_in(weekyear))
        day = date.fromisocalendar(weekyear, week, checked("dayOfWeek", fields.get("e", 1), 1, 7))
    elif "D" in fields:
        length = 366 if month_length(year, 2) == 29 else 365
        day = date.fromordinal(
            date(year, 1, 1).toordinal() + checked("dayOfYear", fields["D"], 1, length) - 1
        )
    else:
        month = checked("monthOfYear", fields.get("M", 1), 1, 12)
        day = date(
            year, month, checked("dayOfMonth", fields.get("d", 1), 1, month_length(year, month))
        )
    hour = fields.get("H", 0)
    if "k" in fields:
        hour = checked("clockhourOfDay", fields["k"], 1, 24) % 24
    if "h" in fields or "K" in fields:
        half = fields.get("K", fields.get("h", 12) % 12)
        hour = half + 12 * fields.get("a", 0)
    checked("hourOfDay", hour, 0, 23)
    minute = checked("minuteOfHour", fields.get("m", 0), 0, 59)
    second = checked("secondOfMinute", fields.get("s", 0), 0, 59)
    millis = checked("millisOfSecond", fields.get("S", 0), 0, 999)
    return join_local(day, ((hour * 60 + minute) * 60 + second) * 1000 + millis)


def parse_instant(pattern: str, text: str, zone: Zone) -> int:
    """Parse text with a Joda pattern into an instant; local times are in ``zone``."""
    fields, offset = _parse_fields(pattern, text)
    local = _local_from_fields(fields)
    if offset is not None:
        return local - offset
    return zone.to_utc(local)
