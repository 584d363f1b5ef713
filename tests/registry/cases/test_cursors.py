"""Case-list cursors: every cursor given out decodes to its position, and any other text is
invalid input (never another error), checked with Hypothesis."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.cases import cursors
from registry.errors import InvalidInputError

utc_times = st.datetimes(
    min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31), timezones=st.just(dt.UTC)
)
offsets = st.integers(min_value=-23 * 60, max_value=23 * 60).map(lambda m: dt.timedelta(minutes=m))
aware_times = st.builds(
    lambda naive, offset: naive.replace(tzinfo=dt.timezone(offset)),
    st.datetimes(min_value=dt.datetime(2, 1, 1), max_value=dt.datetime(9998, 12, 31)),
    offsets,
)
# Decoding is pure and fast; a per-example deadline would only measure the machine's load.
relaxed = settings(deadline=None)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children),
    max_leaves=10,
)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decodes_or_is_refused(cursor: str) -> None:
    try:
        stamp, case_id = cursors.decode(cursor)
    except InvalidInputError as exc:  # the only error decoding may raise
        refusal = exc.message
    else:
        assert stamp.utcoffset() == dt.timedelta(0)
        assert isinstance(case_id, uuid.UUID)
        return
    assert "not a cursor this registry gave out" in refusal


@relaxed
@given(utc_times, st.uuids())
def test_a_cursor_decodes_to_the_position_it_was_made_from(
    stamp: dt.datetime, case_id: uuid.UUID
) -> None:
    cursor = cursors.encode(stamp, case_id)
    assert len(cursor) <= cursors.MAX_LENGTH
    assert cursors.decode(cursor) == (stamp, case_id)


@relaxed
@given(aware_times, st.uuids())
def test_any_time_zone_decodes_to_the_same_instant_in_utc(
    stamp: dt.datetime, case_id: uuid.UUID
) -> None:
    decoded, decoded_id = cursors.decode(cursors.encode(stamp, case_id))
    assert decoded == stamp and decoded.tzinfo is dt.UTC and decoded_id == case_id


@relaxed
@given(st.text())
def test_any_text_decodes_or_is_invalid_input(text: str) -> None:
    _decodes_or_is_refused(text)


@relaxed
@given(st.binary(max_size=150))
def test_any_base64_decodes_or_is_invalid_input(raw: bytes) -> None:
    _decodes_or_is_refused(_b64(raw))


@relaxed
@given(json_values)
def test_any_json_decodes_or_is_invalid_input(value: Any) -> None:
    _decodes_or_is_refused(_b64(json.dumps(value).encode()))


@relaxed
@given(st.text(), st.text())
def test_any_pair_of_strings_decodes_or_is_invalid_input(stamp: str, case_id: str) -> None:
    _decodes_or_is_refused(_b64(json.dumps([stamp, case_id]).encode()))


CASE_ID = "8c1a3b54-9a8e-4c1e-8a33-1e2c3d4e5f60"


@pytest.mark.parametrize(
    "cursor",
    [
        _b64(b"[" * 100_000 + b"]" * 100_000),  # nested JSON: too long to be a cursor
        _b64(b"[" * 70 + b"]" * 70),  # nested, but short
        _b64(json.dumps(["2026-01-01T00:00:00", CASE_ID]).encode()),  # no time zone
        _b64(json.dumps(["0001-01-01T00:00:00+01:00", CASE_ID]).encode()),  # before year 1 UTC
        _b64(json.dumps(["2026-01-01T00:00:00+00:00", 5]).encode()),
        _b64(json.dumps(["2026-01-01T00:00:00+00:00", CASE_ID, "more"]).encode()),
        _b64(json.dumps({"2026-01-01T00:00:00+00:00": CASE_ID}).encode()),
        _b64(b"\xff\xfe not utf-8"),
        "garbage!",
        "é",
        "",
    ],
)
def test_malformed_cursors_are_invalid_input(cursor: str) -> None:
    with pytest.raises(InvalidInputError, match="not a cursor this registry gave out"):
        cursors.decode(cursor)
