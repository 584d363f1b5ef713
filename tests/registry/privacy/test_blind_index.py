"""The keyed blind indexes: an HMAC of a household's exact address and identity, written with
every contact, keyed per index from the deployment's key, and rebuilt by
``ketenregister privacy reindex`` (again, and twice at once, safely)."""

from __future__ import annotations

import hashlib
import threading
import uuid

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from registry.cli import main as cli
from registry.models import CaseContact
from registry.privacy.blind_index import (
    AddressError,
    ExactAddress,
    address_digest,
    address_of,
    identity_digest,
    normalised_name,
)
from registry.privacy.keys import KeyEncryptionKey
from registry.privacy.reindex import reindex
from tests.arrange import NEW_CASE, REGISTER_CASE
from tests.conftest import GraphQL

UPDATE_CONTACT = """mutation($id: ID!, $c: ContactInput!) { updateCase(id: $id,
  input: {contact: $c}) { id } }"""


@pytest.mark.parametrize(
    ("address", "postal_code", "expected"),
    [
        ("Proefweg 1", "6131 AA", ExactAddress("6131AA", 1)),
        ("Proefweg 12A, Sittard", "6131aa", ExactAddress("6131AA", 12, "A")),
        ("Proefweg 12-a", " 6131  AA ", ExactAddress("6131AA", 12, "A")),
        ("Proefweg 12 A", "6131AA", ExactAddress("6131AA", 12, "A")),
        ("Proefweg 12-2", "6131AA", ExactAddress("6131AA", 12, "2")),
        ("Eerste Hugo de Grootstraat 5 hs", "1052KS", ExactAddress("1052KS", 5, "HS")),
        ("Plein 1944 12", "6511JA", ExactAddress("6511JA", 12)),
        ("Proefweg", "6131AA", None),  # no house number: not indexed
        ("Proefweg 1", "0131AA", None),  # no Dutch postal code starts with 0
        ("Proefweg 1", "kanarie", None),
    ],
)
def test_a_stored_address_is_read_as_postal_code_house_number_and_addition(
    address: str, postal_code: str, expected: ExactAddress | None
) -> None:
    assert address_of(address, postal_code) == expected


def test_what_a_caller_types_is_checked_and_normalised() -> None:
    assert ExactAddress.of("6131 aa", 1, " a ") == ExactAddress("6131AA", 1, "A")
    with pytest.raises(AddressError, match="'613 AA' is not a Dutch postal code"):
        ExactAddress.of("613 AA", 1)
    with pytest.raises(AddressError, match="house number lies between 1 and 99999"):
        ExactAddress.of("6131 AA", 0)
    with pytest.raises(AddressError, match="at most 6 letters or digits"):
        ExactAddress.of("6131 AA", 1, "ABCDEFG")
    assert normalised_name("J. de Vriés") == normalised_name(" j  DE vries ") == "j de vries"


def test_the_digests_are_keyed_per_index_and_per_deployment() -> None:
    kek, other = KeyEncryptionKey.generate(), KeyEncryptionKey.generate()
    home = ExactAddress("6131AA", 1)
    digest = address_digest(home, kek)
    assert digest == address_digest(ExactAddress.of("6131 aa", 1), kek)  # exact, normalised
    assert digest != address_digest(ExactAddress("6131AA", 1, "A"), kek)  # no partial match
    assert digest != address_digest(home, other)  # another deployment's key
    # Not a plain hash: enumerating every postal code and house number finds nothing.
    assert digest != hashlib.sha256(home.canonical()).digest()
    # One index's digest says nothing of another's: each has its own key.
    assert identity_digest("Jan", home, kek) not in (None, digest)
    assert identity_digest("Jan", home, kek) == identity_digest("jan", home, kek)
    assert identity_digest("Jan", home, kek) != identity_digest("Piet", home, kek)


def _stored(sessions: sessionmaker[Session], case_id: str) -> tuple[bytes | None, bytes | None]:
    table = CaseContact.__table__
    with sessions() as session:
        row = session.execute(
            select(table.c.address_index, table.c.identity_index).where(
                table.c.case_id == uuid.UUID(case_id)
            )
        ).one()
    return (row[0] and bytes(row[0]), row[1] and bytes(row[1]))


def test_registration_and_every_correction_write_the_digests(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    contact = {"name": "Index Proef", "address": "Proefweg 7b, Sittard", "postalCode": "6131 AA"}
    created = gql("zowonen", REGISTER_CASE, {"input": {**NEW_CASE, "contact": contact}})
    case_id = created["data"]["registerCase"]["id"]
    home = ExactAddress("6131AA", 7, "B")
    assert _stored(sessions, case_id) == (
        address_digest(home),
        identity_digest("index proef", home),
    )
    moved = {**contact, "address": "Nieuweweg 3", "postalCode": "6132 BB"}
    assert "errors" not in gql("zowonen", UPDATE_CONTACT, {"id": case_id, "c": moved})
    new_home = ExactAddress("6132BB", 3)
    assert _stored(sessions, case_id) == (
        address_digest(new_home),
        identity_digest("Index Proef", new_home),
    )
    # A correction of the phone number alone leaves them as they are; an address without a
    # house number is not indexed at all.
    assert "errors" not in gql(
        "zowonen", UPDATE_CONTACT, {"id": case_id, "c": {**moved, "phone": "06-1"}}
    )
    assert _stored(sessions, case_id)[0] == address_digest(new_home)
    unnumbered = {**moved, "address": "Woonwagenkamp De Horst"}
    assert "errors" not in gql("zowonen", UPDATE_CONTACT, {"id": case_id, "c": unnumbered})
    assert _stored(sessions, case_id) == (None, None)


def _digests(sessions: sessionmaker[Session]) -> dict[uuid.UUID, tuple[object, object]]:
    table = CaseContact.__table__
    with sessions() as session:
        rows = session.execute(
            select(table.c.case_id, table.c.address_index, table.c.identity_index)
        ).all()
    return {row[0]: (row[1], row[2]) for row in rows}


def test_reindex_rebuilds_every_digest_and_may_run_twice_at_once(
    sessions: sessionmaker[Session], database_url: str
) -> None:
    written = _digests(sessions)
    assert written and all(address for address, _ in written.values())  # the demo's homes
    with sessions.begin() as session:
        session.execute(update(CaseContact).values(address_index=None, identity_index=None))
    outcomes: list[object] = []

    def run() -> None:
        try:
            outcomes.append(reindex(sessions, batch=7))
        except Exception as exc:  # the test reports whatever a run raised
            outcomes.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(not isinstance(o, Exception) for o in outcomes), outcomes
    assert _digests(sessions) == written
    # Between them the two runs wrote each digest once; a third run finds nothing to do.
    assert sum(o.changed for o in outcomes) == len(written)  # type: ignore[attr-defined]
    again = CliRunner().invoke(cli, ["privacy", "reindex", "--database-url", database_url])
    assert again.exit_code == 0, again.output
    assert f"indexed {len(written)} contacts; 0 got new digests" in again.output
