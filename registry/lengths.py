"""Text that fits its column: the length limits of text input, read from the column types.

A ``String(n)`` column is the one place a limit is written down. PostgreSQL refuses longer
text with an error in the middle of a flush, and SQLite stores it in full; so a service checks
each text it will store against the column it lands in, and refuses it with
``InvalidInputError`` naming the field and the limit, before anything is written.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import QueryableAttribute

from registry.errors import InvalidInputError
from registry.models.sealing import SealedText

TextColumn = QueryableAttribute[str] | QueryableAttribute[str | None] | SealedText[Any]


def max_length(column: TextColumn) -> int:
    """The most characters a mapped ``String(n)`` column (``CaseContact.name``) holds."""
    if isinstance(column, SealedText):
        return column.length  # the plain text's limit; the sealed bytes are longer
    column_type = column.expression.type
    if not isinstance(column_type, String) or column_type.length is None:
        raise TypeError(f"{column} is not a text column with a length")
    return column_type.length


def check_length(column: TextColumn, value: str | None, field: str) -> None:
    """Refuse ``value`` as invalid input when ``column`` cannot hold it; ``field`` names it as
    the caller sent it (``contact.name``)."""
    if value is None:
        return
    limit = max_length(column)
    if len(value) > limit:
        raise InvalidInputError(
            f"{field} has {len(value):,} characters; it holds at most {limit:,}"
        )
