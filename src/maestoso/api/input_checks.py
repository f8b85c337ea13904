"""Checks of raw request input that no handler should have to repeat.

Each returns a problem (a sentence naming what is wrong) or None. They run before the
handlers parse anything, so a value that would crash a parser or a database driver (a
10,000-deep JSON document, an integer of 5,000 digits, a NUL that PostgreSQL refuses and
SQLite stores) is answered with a 400 the same way on every database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_INTEGER = re.compile(r"[+-]?[0-9]+")
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")
_YAML_UNPRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
"""What PyYAML's reader refuses (it would raise ReaderError)."""


class Refused(ValueError):
    """A value the checks refuse; the message names it."""


def check_int64(name: str, text: str) -> str | None:
    """A path or query value declared as an integer, out of the 64-bit range."""
    if not _INTEGER.fullmatch(text):
        return None  # not an integer: the handler's own validation answers
    if len(text.lstrip("+-").lstrip("0")) > 19 or not INT64_MIN <= int(text) <= INT64_MAX:
        return f"[{name}] is out of the range of a 64-bit integer: [{_clip(text)}]"
    return None


def check_text(where: str, text: str) -> str | None:
    if "\x00" in text:
        return f"{where} contains a NUL character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return f"{where} contains a lone surrogate, which is not valid Unicode"
    return None


def check_json(body: bytes, max_depth: int) -> str | None:
    """Depth, integer range, NaN and strings of a JSON body; None if it is not JSON at
    all (the handler reports the syntax error)."""
    depth = json_depth(body)
    if depth > max_depth:
        return f"the JSON body is nested {depth} levels deep, over the limit of {max_depth}"
    try:
        value = json.loads(body, parse_int=_int64, parse_constant=_no_constant)
    except Refused as refused:
        return str(refused)
    except ValueError:  # malformed, or not UTF-8: the handler's parser names the problem
        return None
    return _first(check_text("a string of the JSON body", s) for s in strings(value))


def check_yaml(body: bytes) -> str | None:
    """A YAML body is UTF-8, and holds only the characters YAML allows."""
    if body[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "the YAML body starts with a UTF-16 byte order mark: send it as UTF-8"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"the YAML body is not valid UTF-8: byte {error.start} is {body[error.start]:#04x}"
    found = _YAML_UNPRINTABLE.search(text.removeprefix("\ufeff"))
    if found is None:
        return None
    char = found.group()
    line = text.count("\n", 0, found.start()) + 1
    what = "a NUL character" if char == "\x00" else f"the character U+{ord(char):04X}"
    return f"the YAML body contains {what} (line {line}), which YAML does not allow"


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects, strings skipped, in linear time."""
    depth = deepest = 0
    for found in _BRACKETS.finditer(_JSON_STRING.sub(b'""', body)):
        if found.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def strings(value: Any) -> Iterable[str]:
    """Every string of a decoded JSON value, keys included (iteratively: no recursion)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            yield from item.keys()
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def _int64(text: str) -> int:
    problem = check_int64("a JSON integer", text)
    if problem:
        raise Refused(problem.replace("[a JSON integer] is", "a JSON integer is"))
    return int(text)


def _no_constant(name: str) -> Any:
    raise Refused(f"the JSON body holds {name}, which JSON does not allow")


def _first(problems: Iterable[str | None]) -> str | None:
    return next((problem for problem in problems if problem), None)


def _clip(text: str, size: int = 40) -> str:
    return text if len(text) <= size else f"{text[:size]}..."
