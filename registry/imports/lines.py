"""Reading an import file: each line of a corporation's caseload as the ``NewCase`` that
``registerCase`` would be sent, with its external reference and its line number.

Two shapes (``docs/import.md``): JSON Lines, one object per line with the fields of GraphQL's
``RegisterCaseInput`` plus ``reference`` (the corporation's own id of the case); and CSV with
a header row, the same fields flat (``contactName`` for ``contact.name``; ``reasons``
separated by ``;``). A line that cannot be read is a ``LineError`` naming its line number;
whether a line that reads is a case ``registerCase`` accepts is decided by
``registry.cases.service.registration``, not here.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from registry.cases.service import NewCase, NewContact
from registry.errors import InvalidInputError
from registry.models import HouseholdComposition, Reason, SignalSource

E = TypeVar("E", bound=StrEnum)

#: The longest external reference: a corporation's case or contract number, not a text.
MAX_REFERENCE = 100

_CONTACT = {"name": "Name", "address": "Address", "postalCode": "PostalCode"}
_OPTIONAL_CONTACT = {"phone": "Phone", "email": "Email"}
_FLAGS = ("contactAttempted", "debtHelpReferred", "reminderSent", "tenantDidNotObject")
_KNOWN = {
    "reference",
    "municipality",
    "householdComposition",
    "childrenInvolved",
    "reasons",
    "contact",
    "arrearsAmount",
    "arrearsMonths",
    *_FLAGS,
    "earlySignalledOn",
    "signalArrearsMonths",
    "signalSource",
}


class FileFormat(StrEnum):
    """The shapes an import file comes in."""

    JSONL = "jsonl"
    CSV = "csv"


def format_of(path: Path) -> FileFormat:
    """The file's shape from its name: ``.csv`` is CSV, anything else JSON Lines."""
    return FileFormat.CSV if path.suffix.lower() == ".csv" else FileFormat.JSONL


@dataclass(frozen=True)
class ImportLine:
    """One readable line: the case it asks for, under the owner's ``reference``."""

    number: int
    reference: str
    case: NewCase


@dataclass(frozen=True)
class LineError:
    """Why line ``number`` is not imported, with the code GraphQL would answer."""

    number: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"line {self.number}: {self.code}: {self.message}"


def read(path: Path, file_format: FileFormat | None = None) -> Iterator[ImportLine | LineError]:
    """Every case line of the file, in order, read or refused (blank lines are skipped)."""
    shape = file_format or format_of(path)
    with path.open(encoding="utf-8", newline="") as stream:
        raw = _csv_rows(stream) if shape is FileFormat.CSV else _json_rows(stream)
        for number, row in raw:
            if isinstance(row, LineError):
                yield row
                continue
            try:
                yield parse(number, row)
            except InvalidInputError as exc:
                yield LineError(number, exc.code, exc.message)


def _json_rows(stream: Any) -> Iterator[tuple[int, Mapping[str, Any] | LineError]]:
    for number, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        try:
            row = json.loads(text)
        except json.JSONDecodeError as exc:
            yield number, LineError(number, "INVALID_INPUT", f"not JSON ({exc.msg})")
            continue
        if not isinstance(row, dict):
            yield number, LineError(number, "INVALID_INPUT", "a line holds one JSON object")
            continue
        yield number, row


def _csv_rows(stream: Any) -> Iterator[tuple[int, Mapping[str, Any] | LineError]]:
    reader = csv.DictReader(stream)
    for row in reader:
        number = reader.line_num  # the physical line, header counted: what an editor shows
        if None in row:
            yield number, LineError(number, "INVALID_INPUT", "more cells than the header has")
            continue
        if not any((value or "").strip() for value in row.values()):
            continue
        yield number, _unflatten(row)


def _unflatten(row: Mapping[str, str | None]) -> dict[str, Any]:
    """A CSV row in the JSON shape: empty cells absent, contact cells nested, reasons split."""
    out: dict[str, Any] = {}
    contact: dict[str, str] = {}
    for key, value in row.items():
        text = (value or "").strip()
        if not text:
            continue
        if key.startswith("contact") and key[7:] in {
            *_CONTACT.values(),
            *_OPTIONAL_CONTACT.values(),
        }:
            contact[key[7].lower() + key[8:]] = text
        elif key == "reasons":
            out[key] = [part.strip() for part in text.split(";") if part.strip()]
        else:
            out[key] = text
    if contact:
        out["contact"] = contact
    return out


def parse(number: int, row: Mapping[str, Any]) -> ImportLine:
    """The line's case from its fields in the JSON shape (CSV cells are text)."""
    unknown = sorted(set(row) - _KNOWN)
    if unknown:
        raise InvalidInputError(f"unknown field {unknown[0]!r}")
    reference = _text(row, "reference")
    if len(reference) > MAX_REFERENCE:
        raise InvalidInputError(f"reference holds at most {MAX_REFERENCE} characters")
    contact = row.get("contact")
    if not isinstance(contact, Mapping):
        raise InvalidInputError("contact is required (name, address, postalCode)")
    unknown = sorted(set(contact) - {*_CONTACT, *_OPTIONAL_CONTACT})
    if unknown:
        raise InvalidInputError(f"unknown field 'contact.{unknown[0]}'")
    reasons = row.get("reasons")
    if not isinstance(reasons, list) or not reasons:
        raise InvalidInputError("reasons is required: a list of at least one reason")
    case = NewCase(
        municipality=_text(row, "municipality"),
        household_composition=_enum(HouseholdComposition, row, "householdComposition"),
        children_involved=_flag(row, "childrenInvolved", required=True),
        arrears_amount=_decimal(row, "arrearsAmount"),
        arrears_months=_integer(row, "arrearsMonths"),
        reasons=[_enum_value(Reason, reason, "reasons") for reason in reasons],
        contact=NewContact(
            name=_text(contact, "name", "contact.name"),
            address=_text(contact, "address", "contact.address"),
            postal_code=_text(contact, "postalCode", "contact.postalCode"),
            phone=_optional_text(contact, "phone", "contact.phone"),
            email=_optional_text(contact, "email", "contact.email"),
        ),
        contact_attempted=_flag(row, "contactAttempted"),
        debt_help_referred=_flag(row, "debtHelpReferred"),
        reminder_sent=_flag(row, "reminderSent"),
        tenant_did_not_object=_flag(row, "tenantDidNotObject"),
        early_signalled_on=_date(row, "earlySignalledOn"),
        signal_arrears_months=_decimal(row, "signalArrearsMonths"),
        signal_source=(
            _enum(SignalSource, row, "signalSource")
            if row.get("signalSource") is not None
            else SignalSource.LANDLORD
        ),
    )
    return ImportLine(number, reference, case)


def _text(row: Mapping[str, Any], key: str, name: str | None = None) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"{name or key} is required (text)")
    return value


def _optional_text(row: Mapping[str, Any], key: str, name: str) -> str | None:
    value = row.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInputError(f"{name} is text")
    return value


def _enum_value(kind: type[E], value: Any, name: str) -> E:
    # As GraphQL spells the members (RENT_ARREARS); the stored spelling is taken too.
    if isinstance(value, str):
        try:
            return kind(value.strip().lower())
        except ValueError:
            pass
    names = ", ".join(m.name for m in kind)
    raise InvalidInputError(f"{name}: {value!r} is not one of {names}")


def _enum(kind: type[E], row: Mapping[str, Any], key: str) -> E:
    if row.get(key) is None:
        raise InvalidInputError(f"{key} is required")
    return _enum_value(kind, row[key], key)


def _flag(row: Mapping[str, Any], key: str, *, required: bool = False) -> bool:
    value = row.get(key)
    if value is None and not required:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise InvalidInputError(f"{key} is true or false" + (" (required)" if value is None else ""))


def _decimal(row: Mapping[str, Any], key: str) -> Decimal | None:
    value = row.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InvalidInputError(f"{key} is a decimal number")
    try:
        # A float is read as it was written (12.5, not its binary neighbour).
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInputError(f"{key}: {value!r} is not a decimal number") from None
    if not number.is_finite():
        raise InvalidInputError(f"{key}: {value!r} is not a decimal number")
    return number


def _integer(row: Mapping[str, Any], key: str) -> int | None:
    value = row.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise InvalidInputError(f"{key}: {value!r} is not a whole number")


def _date(row: Mapping[str, Any], key: str) -> dt.date | None:
    value = row.get(key)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else _no_date(key, value)
    except ValueError:
        return _no_date(key, value)


def _no_date(key: str, value: Any) -> dt.date:
    raise InvalidInputError(f"{key}: {value!r} is not a date (YYYY-MM-DD)")
