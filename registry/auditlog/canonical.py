"""The canonical encoding of log entries and signed documents: RFC 8785-style JSON.

One value has exactly one encoding, so a hash or signature over it can be checked by anyone
who re-encodes the value: object keys sorted by their UTF-16 code units, no insignificant
whitespace, strings as UTF-8 with only the escapes JSON requires, integers in plain decimal.
Floats are refused rather than canonicalised (events carry amounts in cents, ids, codes and
dates), and so are integers beyond ±(2**53 - 1), which other JSON implementations would
round.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from registry.errors import InvalidInputError

__all__ = ["MAX_SAFE_INTEGER", "CanonicalFormError", "canonical_json"]

MAX_SAFE_INTEGER = 2**53 - 1


class CanonicalFormError(InvalidInputError, ValueError):
    """A value that has no canonical encoding here (a float, a non-string key, ...)."""


def canonical_json(value: Any) -> bytes:
    """The canonical UTF-8 JSON encoding of ``value``.

    Raises:
        CanonicalFormError: ``value`` holds a float, an unsafe integer, a lone surrogate, a
            non-string object key, or a type JSON does not have.

    Example:
        >>> canonical_json({"b": [1, True, None], "a": "é"}).decode()
        '{"a":"é","b":[1,true,null]}'
    """
    parts: list[str] = []
    _encode(value, parts)
    return "".join(parts).encode("utf-8")


def _encode(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise CanonicalFormError(f"integer {value} is beyond ±(2**53 - 1)")
        out.append(str(int(value)))
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, Mapping):
        keys = list(value)
        if not all(isinstance(key, str) for key in keys):
            raise CanonicalFormError("object keys must be strings")
        # RFC 8785 §3.2.3: sort by UTF-16 code units, which differs from code point order
        # only for characters beyond the BMP; big-endian UTF-16 bytes sort the same way.
        keys.sort(key=lambda key: key.encode("utf-16-be", "surrogatepass"))
        out.append("{")
        for number, key in enumerate(keys):
            if number:
                out.append(",")
            out.append(_string(key))
            out.append(":")
            _encode(value[key], out)
        out.append("}")
    elif isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        out.append("[")
        for number, item in enumerate(value):
            if number:
                out.append(",")
            _encode(item, out)
        out.append("]")
    elif isinstance(value, float):
        raise CanonicalFormError("floats have no canonical form here: use integers or strings")
    else:
        raise CanonicalFormError(f"{type(value).__name__} is not a JSON value")


def _string(text: str) -> str:
    # Ids, codes, dates and hashes (nearly every string here) need no escaping at all: printable
    # ASCII without a quote or backslash is its own JSON string.
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    # json.dumps escapes exactly what RFC 8785 escapes (quote, backslash, control characters
    # with the short forms where JSON has them) when non-ASCII is left alone.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # only lone surrogates fail: they are not Unicode text
        raise CanonicalFormError("string holds a lone surrogate: not valid Unicode text") from None
    return json.dumps(text, ensure_ascii=False)
