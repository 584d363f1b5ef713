"""The canonical encoding: one value, one encoding (RFC 8785-style), checked with Hypothesis."""

from __future__ import annotations

import doctest
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.auditlog import canonical
from registry.auditlog.canonical import MAX_SAFE_INTEGER, CanonicalFormError, canonical_json

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-MAX_SAFE_INTEGER, max_value=MAX_SAFE_INTEGER)
    | st.text()
)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)


@given(values)
def test_the_encoding_is_json_of_the_same_value(value: Any) -> None:
    encoded = canonical_json(value)
    assert json.loads(encoded) == value
    assert canonical_json(json.loads(encoded)) == encoded  # a fixed point


@given(st.dictionaries(st.text(max_size=8), scalars, min_size=2, max_size=8))
def test_key_order_does_not_change_the_encoding(mapping: dict[str, Any]) -> None:
    reversed_order = dict(reversed(list(mapping.items())))
    assert canonical_json(mapping) == canonical_json(reversed_order)


bmp_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.text(st.characters(max_codepoint=0xFFFF, exclude_categories=["Cs"]), max_size=8),
            children,
            max_size=5,
        )
    ),
    max_leaves=30,
)


@given(bmp_values)
def test_compact_sorted_json_when_keys_are_in_the_bmp(value: Any) -> None:
    # For keys in the Basic Multilingual Plane, UTF-16 and code point order agree, so the
    # encoding is exactly Python's compact, sorted, non-ASCII-preserving JSON.
    assert canonical_json(value).decode() == json.dumps(
        value, ensure_ascii=False, separators=(",", ":"), sort_keys=True
    )


def test_keys_sort_by_utf16_code_units_as_rfc_8785_says() -> None:
    # U+1F600 is D83D DE00 in UTF-16: it sorts before U+FB33, unlike in code point order.
    assert canonical_json({"\ufb33": 1, "\U0001f600": 2}).decode() == '{"\U0001f600":2,"\ufb33":1}'


def test_strings_escape_only_what_json_requires() -> None:
    assert canonical_json('é\n"\\\x01\u2028').decode() == '"é\\n\\"\\\\\\u0001\u2028"'


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1.5, "floats have no canonical form"),
        (2**53, "beyond ±"),
        ({1: "x"}, "object keys must be strings"),
        ("\ud800", "lone surrogate"),
        (b"bytes", "bytes is not a JSON value"),
    ],
)
def test_values_without_a_canonical_form_are_refused(value: Any, message: str) -> None:
    with pytest.raises(CanonicalFormError, match=message):
        canonical_json(value)


def test_docstring_examples_run() -> None:
    assert doctest.testmod(canonical).failed == 0
