"""The household's personal data at rest: sealed under its case's data key, bound to case and
column, opened only with the deployment's key, and read through the API as before."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from registry.models import Annotation, CaseContact
from registry.privacy import keys
from registry.privacy.keys import CaseCipher, DataKeyError, KeyEncryptionKey
from tests.arrange import NEW_CASE, REGISTER_CASE
from tests.conftest import GraphQL


def test_contact_details_and_notes_are_stored_sealed_and_read_in_the_clear(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    contact = {**NEW_CASE["contact"], "name": "Zegel Proef", "phone": "06-12345678"}
    created = gql("zowonen", REGISTER_CASE, {"input": {**NEW_CASE, "contact": contact}})
    case_id = created["data"]["registerCase"]["id"]
    assert created["data"]["registerCase"]["contactName"] == "Zegel Proef"
    note = gql(
        "zowonen",
        """mutation($id: ID!) { addAnnotation(input: {caseId: $id, kind: HOME_VISIT,
        occurredOn: "2026-11-01", note: "zegel notitie"}) { note } }""",
        {"id": case_id},
    )
    assert note["data"]["addAnnotation"]["note"] == "zegel notitie"
    contacts, annotations = CaseContact.__table__, Annotation.__table__
    with sessions() as session:
        # The columns as the database holds them, past the ORM's sealed attributes.
        raw = session.execute(
            select(contacts.c.name, contacts.c.phone).where(
                contacts.c.case_id == uuid.UUID(case_id)
            )
        ).one()
        notes = session.execute(
            select(annotations.c.note).where(annotations.c.case_id == uuid.UUID(case_id))
        ).scalars()
        stored = [bytes(v) for v in (*raw, *notes) if v is not None]
    assert len(stored) == 3
    for value in stored:
        assert value[:1] == keys.FORMAT
        assert b"Zegel" not in value and b"zegel" not in value and b"0612" not in value
    with sessions() as session:
        read = session.get(CaseContact, uuid.UUID(case_id))
        assert read is not None and (read.name, read.phone) == ("Zegel Proef", "06-12345678")
        written = session.scalars(select(Annotation).where(Annotation.case_id == read.case_id))
        assert [a.note for a in written] == ["zegel notitie"]


def test_a_sealed_value_opens_only_for_its_case_and_column_under_its_key() -> None:
    kek = KeyEncryptionKey.generate()
    case, other = uuid.uuid4(), uuid.uuid4()
    data_key = keys.new_data_key()
    wrapped = kek.wrap(case, data_key)
    assert kek.unwrap(case, wrapped) == data_key
    with pytest.raises(DataKeyError, match="does not open with this key"):
        kek.unwrap(other, wrapped)  # a wrapped key moved to another case
    with pytest.raises(DataKeyError, match="does not open with this key"):
        KeyEncryptionKey.generate().unwrap(case, wrapped)  # another deployment's key
    cipher = CaseCipher(case, data_key)
    sealed = cipher.seal("case_contact.name", "Jan")
    assert cipher.open("case_contact.name", sealed) == "Jan"
    with pytest.raises(DataKeyError, match="does not open under this case's key"):
        cipher.open("case_contact.address", sealed)  # swapped into another column
    with pytest.raises(DataKeyError, match="does not open under this case's key"):
        CaseCipher(other, data_key).open("case_contact.name", sealed)  # into another case


def test_without_a_data_key_nothing_is_sealed_or_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(keys.DATA_KEY_ENV, raising=False)
    monkeypatch.delenv(keys.DATA_KEY_FILE_ENV, raising=False)
    monkeypatch.setattr(keys, "_installed", None)
    with pytest.raises(DataKeyError, match="no data key: set KETENREGISTER_DATA_KEY"):
        keys.current()
    with pytest.raises(DataKeyError, match="must be 32 bytes, not 3"):
        KeyEncryptionKey.from_text("kort")
