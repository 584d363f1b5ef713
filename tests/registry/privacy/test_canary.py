"""The canary: a household registered with values found nowhere else, read by several
partners, annotated, in an agreement and a stored inventory, logged and webhooked; then erased.
Afterwards its bytes are nowhere in the database (the SQLite file after a WAL checkpoint and
VACUUM, or a ``pg_dump`` of the PostgreSQL database), the signed log verifies, every inclusion
proof given out before still verifies, and the case's access report says it was erased."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from clients.tokens import load_private_key
from clients.verify import verify_checkpoint, verify_consistency, verify_inclusion
from registry.cli import main as cli
from registry.models import AftercareContact, Phase
from registry.notifications.delivery import DeliveryWorker
from registry.privacy.blind_index import ExactAddress, address_digest, identity_digest
from tests.arrange import case_in
from tests.conftest import DEMO_TODAY, LOG_ORIGIN, Clock, DemoKey, GraphQL
from tests.helpers import error_codes
from tests.receiver import Receiver

THURSDAY = dt.datetime.combine(DEMO_TODAY + dt.timedelta(days=3), dt.time(10), dt.UTC)
OWNER, MUNICIPALITY = "parteon", "gemeente-zaanstad"
BAILIFF, STORAGE = "kerckhoffs-lasonder", "opslag-zaanstad"
ENTRY = """query($index: Int!) { auditLogEntry(index: $index) { treeSize inclusionProof
  entry { data } checkpoint { size note } } }"""
CONSISTENCY = """query($old: Int!, $new: Int!) { auditLogConsistency(oldSize: $old,
  newSize: $new) { proof } }"""
REPORT = """query($id: ID!) { accessReport(caseId: $id) { caseId erasedAt
  recipients { partner } records { partner operation } } }"""


def _day(days: int = 0) -> str:
    return (THURSDAY.date() + dt.timedelta(days=days)).isoformat()


def _ok(body: dict[str, Any], field: str) -> Any:
    assert "errors" not in body, body
    return body["data"][field]


def _database_bytes(database_url: str) -> bytes:
    """Everything the database holds, as bytes: the SQLite file after a WAL checkpoint and
    VACUUM (deleted rows' pages are gone then), or a ``pg_dump`` of the PostgreSQL database."""
    url = make_url(database_url)
    if url.drivername.startswith("sqlite"):
        path = Path(url.database or "")
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.execute("VACUUM")
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        data = path.read_bytes()
        for extra in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if extra.exists():
                data += extra.read_bytes()
        return data
    pg_dump = shutil.which("pg_dump")
    assert pg_dump is not None, "pg_dump comes with PostgreSQL: install it to run this test"
    dump = subprocess.run(
        [
            pg_dump,
            "--no-owner",
            f"--dbname={url.set(drivername='postgresql').render_as_string(hide_password=False)}",
        ],
        check=True,
        capture_output=True,
    )
    return dump.stdout


def _holds(data: bytes, digest: bytes | None) -> bool:
    """Whether ``data`` holds ``digest``: as stored bytes (SQLite) or as hex (``pg_dump``)."""
    assert digest is not None
    return digest in data or digest.hex().encode() in data


def _signature(key: DemoKey, text: str) -> str:
    return base64.b64encode(load_private_key(key.private_key).sign(text.encode())).decode()


def test_an_erased_household_leaves_no_trace_and_every_proof_stands(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    clock: Clock,
    demo_keys: dict[str, DemoKey],
    receiver: Receiver,
    database_url: str,
    log_key_file: Path,
) -> None:
    clock.now = THURSDAY
    canary = f"Kanarie{secrets.token_hex(6)}"
    values = {
        "name": f"{canary} Naam",
        "address": f"{canary}straat 1",
        # A real postal code (the canary's own digits), so that the home is indexed.
        "postalCode": f"{1000 + int(canary[-4:], 16) % 9000} KZ",
        "phone": f"06-{canary}",
        "email": f"{canary}@example.nl",
        "note": f"huisbezoek {canary} notitie",
        "item": f"bel {canary} terug",
        "condition": f"budgetbeheer {canary}",
        "goods": f"bankstel {canary}",
        # Where the household can be reached after the eviction (a phone is digits only).
        "newPhone": f"+31 6 {secrets.randbelow(10**12):012d}",
        "newEmail": f"nazorg.{canary}@example.nl",
        "newAddress": f"Postbus {canary}, Zaandam",
    }
    # A municipality's endpoint is subscribed before anything happens.
    subscribed = _ok(
        gql(
            MUNICIPALITY,
            """mutation($url: String!) { subscribeWebhook(url: $url, eventTypes:
            ["eviction.scheduled", "eviction.carried_out", "inventory.stored",
             "annotation.added"]) { secret } }""",
            {"url": receiver.url(MUNICIPALITY)},
        ),
        "subscribeWebhook",
    )
    receiver.secrets[MUNICIPALITY] = subscribed["secret"]

    # The household's case, with its contact details updated to the canary's.
    case_id = case_in(sessions, OWNER, Phase.JUDGMENT_SERVED, THURSDAY.date())
    contact = {k: values[k] for k in ("name", "address", "postalCode", "phone", "email")}
    _ok(
        gql(
            OWNER,
            """mutation($id: ID!, $c: ContactInput!) { updateCase(id: $id,
            input: {contact: $c}) { contactName } }""",
            {"id": case_id, "c": contact},
        ),
        "updateCase",
    )
    one = {"id": case_id}
    # Read by several partners.
    read = "query($id: ID!) { case(id: $id) { id contactName phase } }"
    assert _ok(gql(OWNER, read, one), "case")["contactName"] == values["name"]
    _ok(gql(MUNICIPALITY, read, one), "case")
    # Annotated, with a case-conference action item.
    for kind, extra in (
        ("HOME_VISIT", f'note: "{values["note"]}"'),
        (
            "CASE_CONFERENCE",
            f'actionItems: [{{description: "{values["item"]}", assignee: "{MUNICIPALITY}", '
            f'dueOn: "{_day(7)}"}}]',
        ),
    ):
        _ok(
            gql(
                OWNER,
                f"""mutation($id: ID!) {{ addAnnotation(input: {{caseId: $id, kind: {kind},
                occurredOn: "{_day()}", {extra}}}) {{ id }} }}""",
                one,
            ),
            "addAnnotation",
        )
    # In a second-chance agreement, signed and consented.
    proposed = _ok(
        gql(
            OWNER,
            """mutation($input: ProposeAgreementInput!) { proposeAgreement(input: $input) {
            id text logIndexes } }""",
            {
                "input": {
                    "caseId": case_id,
                    "kind": "STAY",
                    "parties": [OWNER, MUNICIPALITY],
                    "conditions": [{"type": "OTHER", "text": values["condition"]}],
                    "termStart": _day(),
                    "termEnd": _day(364),
                    "reviewIntervalDays": 91,
                }
            },
        ),
        "proposeAgreement",
    )
    for partner in (OWNER, MUNICIPALITY):
        key = demo_keys[partner]
        _ok(
            gql(
                partner,
                """mutation($id: ID!, $kid: String!, $sig: String!) { signAgreement(id: $id,
                keyId: $kid, signature: $sig) { id } }""",
                {"id": proposed["id"], "kid": key.kid, "sig": _signature(key, proposed["text"])},
            ),
            "signAgreement",
        )
    # The eviction goes ahead anyway; the bailiff stores the goods; a pickup is asked for.
    _ok(
        gql(
            OWNER,
            f"""mutation($id: ID!) {{ scheduleEviction(id: $id, date: "{_day()}",
            bailiff: "{BAILIFF}") {{ id }} }}""",
            one,
        ),
        "scheduleEviction",
    )
    _ok(
        gql(
            OWNER, "mutation($id: ID!) { carryOutEviction(id: $id, outcome: EXECUTED) { id } }", one
        ),
        "carryOutEviction",
    )
    _ok(gql(BAILIFF, read, one), "case")
    # The municipality records where the household can be reached now, with its consent.
    _ok(
        gql(
            MUNICIPALITY,
            """mutation($input: RecordAftercareContactInput!) { recordAftercareContact(
            input: $input) { phone } }""",
            {
                "input": {
                    "caseId": case_id,
                    "consent": "IN_PERSON",
                    "phone": values["newPhone"],
                    "email": values["newEmail"],
                    "postalAddress": values["newAddress"],
                }
            },
        ),
        "recordAftercareContact",
    )
    _ok(
        gql(
            BAILIFF,
            f"""mutation($id: ID!) {{ recordInventory(input: {{caseId: $id,
            storageProvider: "{STORAGE}", locationCode: "ZD-9", description: "{values["goods"]}",
            volumeM3: "3", perishableOrDangerous: false, removedOn: "{_day()}",
            recordCopyHandedOverOn: "{_day()}"}}) {{ id }} }}""",
            one,
        ),
        "recordInventory",
    )
    _ok(
        gql(STORAGE, "mutation($id: ID!) { requestPickup(caseId: $id) { id } }", one),
        "requestPickup",
    )
    inventory = _ok(
        gql(MUNICIPALITY, "query($id: ID!) { inventory(caseId: $id) { logIndexes } }", one),
        "inventory",
    )
    # Webhooked: the worker delivers what the municipality subscribed to.
    worker = DeliveryWorker(sessions, clock=clock, allow_private_targets=True)
    try:
        worker.run_once()
    finally:
        worker.stop()
    assert receiver.at(MUNICIPALITY), "the municipality was told of the case"

    # Logged: every entry about the case, with its inclusion proof, as partners hold them.
    indexes = [*proposed["logIndexes"], *inventory["logIndexes"]]
    before = {i: _ok(gql(MUNICIPALITY, ENTRY, {"index": i}), "auditLogEntry") for i in indexes}
    home = ExactAddress.of(values["postalCode"], 1)
    digests = [address_digest(home), identity_digest(values["name"], home)]
    held = _database_bytes(database_url)
    assert canary.encode() in held  # the canary is there to be found
    assert all(_holds(held, d) for d in digests)  # and so is its blind index

    erased = _ok(
        gql(
            OWNER, "mutation($id: ID!) { eraseHousehold(caseId: $id) { caseId rowsRemoved } }", one
        ),
        "eraseHousehold",
    )
    assert erased["caseId"] == case_id and erased["rowsRemoved"] > 10

    # The case is gone for everyone; its household's bytes are nowhere.
    assert error_codes(gql(MUNICIPALITY, read, one)) == ["NOT_FOUND"]
    stored = _database_bytes(database_url)
    for value in values.values():
        assert value.encode() not in stored, value
    assert canary.encode() not in stored
    with sessions() as session:
        assert session.get(AftercareContact, uuid.UUID(case_id)) is None  # its row went too

    for digest in digests:
        assert not _holds(stored, digest)

    # The signed log still checks out in full, and every proof given out before stands.
    env = {"KETENREGISTER_LOG_KEY_FILE": str(log_key_file), "KETENREGISTER_LOG_ORIGIN": LOG_ORIGIN}
    verified = CliRunner().invoke(cli, ["log", "verify", "--database-url", database_url], env=env)
    assert verified.exit_code == 0, verified.output
    vkey = _verifier_key(gql)
    for index, old in before.items():
        old_checkpoint = verify_checkpoint(old["checkpoint"]["note"], vkey)
        data = old["entry"]["data"].encode()
        proof = [base64.b64decode(h) for h in old["inclusionProof"]]
        verify_inclusion(data, index, old_checkpoint.size, proof, old_checkpoint.root)
        now = _ok(gql(MUNICIPALITY, ENTRY, {"index": index}), "auditLogEntry")
        assert now["entry"]["data"] == old["entry"]["data"]
        new_checkpoint = verify_checkpoint(now["checkpoint"]["note"], vkey)
        new_proof = [base64.b64decode(h) for h in now["inclusionProof"]]
        verify_inclusion(data, index, new_checkpoint.size, new_proof, new_checkpoint.root)
        consistency = _ok(
            gql(
                MUNICIPALITY,
                CONSISTENCY,
                {"old": old_checkpoint.size, "new": new_checkpoint.size},
            ),
            "auditLogConsistency",
        )
        verify_consistency(
            old_checkpoint.size,
            new_checkpoint.size,
            old_checkpoint.root,
            new_checkpoint.root,
            [base64.b64decode(h) for h in consistency["proof"]],
        )

    # The access report says the household was erased, and who had received its data.
    report = _ok(gql(MUNICIPALITY, REPORT, one), "accessReport")
    assert report["erasedAt"] is not None
    assert {r["partner"] for r in report["recipients"]} >= {OWNER, MUNICIPALITY, BAILIFF}


def _verifier_key(gql: GraphQL) -> str:
    checkpoint = _ok(
        gql(MUNICIPALITY, "{ auditLogCheckpoint { verifierKey } }"), "auditLogCheckpoint"
    )
    return str(checkpoint["verifierKey"])
