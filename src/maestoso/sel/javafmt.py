"""``java.util.Formatter`` (``String.format``) for the argument types SEL can pass."""

from __future__ import annotations

import math
import re

from maestoso.sel.errors import ILLEGAL_FORMAT, MISSING_FORMAT_ARGUMENT, SelError
from maestoso.sel.values import double_to_string

FormatArg = int | float | str | bool | None
_SPEC = re.compile(r"%(\d+\$|<)?([-#+ 0,(]*)(\d+)?(\.\d+)?([a-zA-Z%])")
MAX_WIDTH = 1_000_000
"""Widths and precisions above this are refused rather than allocated."""


def _error(kind: str, message: str) -> SelError:
    return SelError(message, kind=kind)


def _java_class(arg: FormatArg) -> str:
    if isinstance(arg, bool):
        return "java.lang.Boolean"
    if isinstance(arg, int):
        return "java.lang.Integer" if -(1 << 31) <= arg < (1 << 31) else "java.lang.Long"
    if isinstance(arg, float):
        return "java.lang.Double"
    return "java.lang.String"


def _to_text(arg: FormatArg) -> str:
    if arg is None:
        return "null"
    if isinstance(arg, bool):
        return "true" if arg else "false"
    if isinstance(arg, float):
        return double_to_string(arg)
    return str(arg)


def _pad(text: str, flags: str, width: int | None) -> str:
    if width is None or len(text) >= width:
        return text
    return text.ljust(width) if "-" in flags else text.rjust(width)


def _group(digits: str) -> str:
    head, _, tail = digits.partition(".")
    head = f"{int(head):,}" if head else head
    return head + ("." + tail if tail else "")


def _signed(body: str, negative: bool, flags: str, width: int | None) -> str:
    if "," in flags:
        body = _group(body)
    sign = "-" if negative else ("+" if "+" in flags else (" " if " " in flags else ""))
    if negative and "(" in flags:
        sign, body = "(", body + ")"
    if "0" in flags and width is not None:
        body = body.rjust(width - len(sign), "0")
    return _pad(sign + body, flags, width)


def _integer(conv: str, arg: FormatArg, flags: str, width: int | None) -> str:
    if not isinstance(arg, int) or isinstance(arg, bool):
        raise _error(ILLEGAL_FORMAT, f"{conv} != {_java_class(arg)}")
    if conv == "d":
        return _signed(str(abs(arg)), arg < 0, flags, width)
    bits = 32 if _java_class(arg) == "java.lang.Integer" else 64
    unsigned = arg & ((1 << bits) - 1)
    body = format(unsigned, "o" if conv == "o" else "x")
    if "#" in flags:
        body = ("0" if conv == "o" else "0x") + body
    if "0" in flags and width is not None:
        body = body.rjust(width, "0")
    text = _pad(body, flags, width)
    return text.upper() if conv == "X" else text


def _floating(conv: str, arg: FormatArg, flags: str, width: int | None, prec: int | None) -> str:
    if not isinstance(arg, float):
        raise _error(ILLEGAL_FORMAT, f"{conv} != {_java_class(arg)}")
    if math.isnan(arg) or math.isinf(arg):
        text = "NaN" if math.isnan(arg) else ("Infinity" if arg > 0 else "-Infinity")
        return _pad(text, flags, width)
    precision = 6 if prec is None else prec
    spec = {"f": "f", "e": "e", "E": "E", "g": "g", "G": "G"}[conv]
    body = format(abs(arg), f".{precision}{spec}")
    return _signed(body, math.copysign(1.0, arg) < 0, flags, width)


def _one(conv: str, arg: FormatArg, flags: str, width: int | None, prec: int | None) -> str:
    lower = conv.lower()
    if lower == "s":
        text = _to_text(arg)
        text = text[:prec] if prec is not None else text
        text = _pad(text, flags, width)
        return text.upper() if conv == "S" else text
    if lower == "b":
        flag = arg if isinstance(arg, bool) else arg is not None
        text = _pad("true" if flag else "false", flags, width)
        return text.upper() if conv == "B" else text
    if conv in "dxXo":
        return _integer(conv, arg, flags, width)
    if conv in "feEgG":
        return _floating(conv, arg, flags, width, prec)
    if lower == "c":
        if not isinstance(arg, int) or isinstance(arg, bool) or not 0 <= arg <= 0x10FFFF:
            raise _error(ILLEGAL_FORMAT, f"c != {_java_class(arg)}")
        return _pad(chr(arg), flags, width)
    raise _error("UnknownFormatConversionException", f"Conversion = '{conv}'")


def _number(text: str | None) -> int | None:
    if text is None:
        return None
    value = int(text.lstrip("."))
    if value > MAX_WIDTH:
        raise _error(ILLEGAL_FORMAT, f"Width or precision {value} is too large")
    return value


def java_format(fmt: str, args: list[FormatArg]) -> str:
    """``String.format(fmt, args...)``."""
    out: list[str] = []
    pos = 0
    ordinary = 0
    last = -1
    for match in _SPEC.finditer(fmt):
        out.append(fmt[pos : match.start()])
        pos = match.end()
        index, flags, width_s, prec_s, conv = match.groups()
        if conv == "%":
            out.append(_pad("%", flags, _number(width_s)))
            continue
        if conv == "n":
            out.append("\n")
            continue
        if index == "<":
            chosen = last
        elif index:
            chosen = int(index[:-1]) - 1
        else:
            chosen = ordinary
            ordinary += 1
        if not 0 <= chosen < len(args):
            raise _error(MISSING_FORMAT_ARGUMENT, f"Format specifier '{match.group(0)}'")
        last = chosen
        out.append(_one(conv, args[chosen], flags, _number(width_s), _number(prec_s)))
    rest = fmt[pos:]
    if "%" in rest:
        bad = rest[rest.index("%") :][:2]
        raise _error("UnknownFormatConversionException", f"Conversion = '{bad[1:] or '%'}'")
    out.append(rest)
    return "".join(out)
