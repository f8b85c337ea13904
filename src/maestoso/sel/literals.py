"""The values of SEL's literals, as Java reads them."""

from __future__ import annotations

from maestoso.sel.errors import NUMBER_FORMAT, SelError, illegal_argument

_SIMPLE_UNESCAPES = {"b": "\b", "n": "\n", "t": "\t", "f": "\f", "r": "\r"}
_LONG_MAX = (1 << 63) - 1


def string_literal(image: str) -> str:
    """The value of a string literal's image (quotes included), its escapes resolved."""
    body = image[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            i += 1
            nxt = body[i] if i < len(body) else ""
            if nxt in _SIMPLE_UNESCAPES:
                ch = _SIMPLE_UNESCAPES[nxt]
            elif nxt in ("\\", '"', "'"):
                ch = nxt
            else:
                raise illegal_argument(f"Invalid escaped literal string: {image}")
        out.append(ch)
        i += 1
    return "".join(out)


def long_literal(image: str) -> int:
    """``Long.parseLong`` of an integer literal's image, less its ``l``/``L``."""
    text = image.replace("L", "").replace("l", "")
    digits = text.lstrip("0")
    if not text.isdigit() or not text.isascii() or len(digits) > 19 or int(text) > _LONG_MAX:
        raise SelError(f'For input string: "{text}"', kind=NUMBER_FORMAT)
    return int(text)
