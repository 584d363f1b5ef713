"""Column types shared by the models, in one place."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from sqlalchemy import DateTime, LargeBinary, String, TypeDecorator, Uuid
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import mapped_column


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC timestamp on every database (SQLite stores none of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


#: Partner ids and other human-chosen identifiers ("zowonen", "gemeente-zaanstad").
Slug = Annotated[str, mapped_column(String(64))]
Timestamp = Annotated[dt.datetime, mapped_column(UtcDateTime())]
UuidPk = Annotated[uuid.UUID, mapped_column(Uuid(), primary_key=True, default=uuid.uuid4)]
#: A SHA-256 digest (Merkle nodes, leaf hashes, commitments), stored as its 32 raw bytes.
Sha256 = Annotated[bytes, mapped_column(LargeBinary(32))]


def utcnow() -> dt.datetime:
    """The current time, timezone-aware."""
    return dt.datetime.now(dt.UTC)
