"""Length limits of text input come from the column types, and only from there."""

from __future__ import annotations

import pytest

from registry.errors import InvalidInputError
from registry.lengths import check_length, max_length
from registry.models import Case, CaseContact, PartnerKey


def test_the_limit_is_the_length_of_the_column_type() -> None:
    assert max_length(CaseContact.name) == CaseContact.__table__.c.name.type.length == 200


def test_text_up_to_the_limit_passes_and_longer_text_is_refused_by_name() -> None:
    check_length(CaseContact.postal_code, "x" * 16, "contact.postalCode")
    check_length(CaseContact.phone, None, "contact.phone")
    with pytest.raises(
        InvalidInputError, match=r"^contact.postalCode has 17 characters; it holds at most 16$"
    ):
        check_length(CaseContact.postal_code, "x" * 17, "contact.postalCode")


@pytest.mark.parametrize("column", [Case.registered_at, PartnerKey.public_key_pem])
def test_a_column_without_a_text_length_is_a_programming_error(column: object) -> None:
    with pytest.raises(TypeError, match="not a text column with a length"):
        max_length(column)  # type: ignore[arg-type]
