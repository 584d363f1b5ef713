"""Appending to the log in the database: one sequencer at a time, all or nothing, and proofs
from the stored nodes that match the RFC's (via the in-memory reference store)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clients.tokens import load_private_key
from clients.verify import verify_checkpoint, verify_consistency, verify_inclusion
from registry import auditlog
from registry.auditlog import audit, checkpoints, merkle, proofs
from registry.auditlog.canonical import CanonicalFormError
from registry.auditlog.sealing import FreeTextError
from registry.auditlog.sequencer import read_state
from registry.auditlog.signer import LogKeyError, LogSigner
from registry.errors import InvalidInputError, UnavailableError
from registry.models import AuditCheckpoint, AuditLogEntry, AuditLogOpening
from tests.conftest import DemoKey, GraphQL
from tests.helpers import error_codes

NOW = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
EVENT = auditlog.EventType.POLICY_REVOKED


def _append(session: Session, number: int, **options: Any) -> auditlog.Appended:
    return auditlog.append(
        session, EVENT, {"policy": number}, submitter="gemeente-zaanstad", now=NOW, **options
    )


def test_concurrent_appenders_never_share_an_index_and_checkpoints_never_fork(
    sessions: sessionmaker[Session], log_signer: LogSigner
) -> None:
    with sessions() as session:
        start = read_state(session).size
    threads, per_thread = 6, 8
    notes: list[str] = []
    failures: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for number in range(per_thread):
                with sessions.begin() as session:
                    _append(session, worker * 100 + number)
                with sessions.begin() as session:
                    notes.append(checkpoints.latest(session, log_signer, NOW).note)
        except BaseException as error:  # reported by the main thread
            failures.append(error)

    workers = [threading.Thread(target=work, args=(w,)) for w in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
    with sessions() as session:
        indexes = session.scalars(
            select(AuditLogEntry.log_index).where(AuditLogEntry.log_index >= start)
        ).all()
        assert sorted(indexes) == list(range(start, start + threads * per_thread))
        audit.verify_log(session, log_signer)  # every node and checkpoint agrees
        signed = session.scalars(select(AuditCheckpoint)).all()
    by_size: dict[int, set[str]] = {}
    for note in notes:
        checkpoint = verify_checkpoint(note, log_signer.verifier_key)
        by_size.setdefault(checkpoint.size, set()).add(note)
    assert all(len(variants) == 1 for variants in by_size.values())  # one note per size
    assert {c.size for c in signed} >= set(by_size)


def test_a_rolled_back_transaction_leaves_no_entry(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        before = read_state(session)
    with sessions() as session:
        appended = _append(session, 1)
        assert appended.index == before.size
        session.rollback()
    with sessions() as session:
        assert read_state(session) == before
        assert session.get(AuditLogEntry, before.size) is None
    with sessions.begin() as session:  # the index is not burnt: the next append takes it
        assert _append(session, 2).index == before.size


def test_a_failed_savepoint_takes_its_entry_with_it(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        size = read_state(session).size

        def refuse_after_appending() -> None:
            _append(session, 1)
            raise InvalidInputError("refused after the append")

        with pytest.raises(InvalidInputError, match="refused after"), session.begin_nested():
            refuse_after_appending()
        assert _append(session, 2).index == size
    with sessions() as session:
        opening = session.get(AuditLogOpening, size)
        assert opening is not None
        assert b'"policy":2' in opening.opening


def test_partner_signatures_over_the_canonical_event_are_verified_and_kept(
    sessions: sessionmaker[Session], demo_keys: dict[str, DemoKey]
) -> None:
    key = demo_keys["gemeente-zaanstad"]
    event = auditlog.canonical_event(EVENT, {"policy": 7})
    assert event == b'{"policy":7,"type":"policy.revoked"}'
    signature = load_private_key(key.private_key).sign(event)
    with sessions.begin() as session:
        appended = _append(
            session, 7, partner_signature=auditlog.PartnerSignature(key.kid, signature)
        )
    with sessions() as session:
        entry = session.get(AuditLogEntry, appended.index)
        opening = session.get(AuditLogOpening, appended.index)
        assert entry is not None
        assert opening is not None
        assert json.loads(opening.opening)["signature"] == {
            "keyId": key.kid,
            "ed25519": signature.hex(),
            "signedSha256": hashlib.sha256(event).hexdigest(),
        }
        # The leaf commits to the opening, signature and all, and shows none of it.
        leaf = json.loads(entry.canonical)
        assert leaf["commitment"] == hashlib.sha256(opening.opening).hexdigest()
        assert signature.hex().encode() not in entry.canonical
    forged = Ed25519PrivateKey.generate().sign(event)
    with (
        sessions() as session,
        pytest.raises(
            InvalidInputError,
            match=f"the signature by gemeente-zaanstad \\(key {key.kid}\\) does "
            "not verify over the canonical event",
        ),
    ):
        _append(session, 7, partner_signature=auditlog.PartnerSignature(key.kid, forged))
    other = demo_keys["zowonen"]
    with (
        sessions() as session,
        pytest.raises(
            InvalidInputError,
            match=f"key '{other.kid}' is not a registered key of gemeente-zaanstad",
        ),
    ):
        _append(session, 7, partner_signature=auditlog.PartnerSignature(other.kid, signature))


def test_payloads_without_a_canonical_form_are_refused(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        with pytest.raises(CanonicalFormError, match="floats have no canonical form"):
            auditlog.append(session, EVENT, {"policy": 1, "amount": 1.5}, submitter="x", now=NOW)
        with pytest.raises(CanonicalFormError, match="may not carry its own 'type'"):
            auditlog.append(session, EVENT, {"type": "other"}, submitter="x", now=NOW)


def test_free_text_never_enters_the_log(sessions: sessionmaker[Session]) -> None:
    case = "6f1c1d0e-8a8e-4c57-9d55-2f2b5d0b2c11"
    closed = auditlog.EventType.AGREEMENT_CLOSED
    with sessions() as session:
        for text in ("Fatma Verzonnen", "Demostraat 12", "huishouden001@example.org", "x" * 101):
            with pytest.raises(
                FreeTextError,
                match=r"event\.outcome is not an id, code, date or hash: the signed log takes no "
                "free text",
            ):
                auditlog.append(
                    session,
                    closed,
                    {"agreement": case, "case": case, "outcome": text},
                    submitter="bureau-woonkans",
                    now=NOW,
                )
        with pytest.raises(FreeTextError, match=r"event\.notes\[1\] is not an id"):
            auditlog.append(
                session,
                closed,
                {"agreement": case, "case": case, "notes": ["ok", "not ok"]},
                submitter="bureau-woonkans",
                now=NOW,
            )
        # Every case event names its case (its opening is released by that case's policies),
        # and every event what it is about.
        with pytest.raises(
            CanonicalFormError, match=r"an event of type agreement\.closed must name its 'case'"
        ):
            auditlog.append(session, closed, {"agreement": case}, submitter="x", now=NOW)
        with pytest.raises(CanonicalFormError, match="must name its 'agreement'"):
            auditlog.append(session, closed, {"case": case}, submitter="x", now=NOW)
        for not_a_case in ("Fatma", 7):
            with pytest.raises(CanonicalFormError, match=r"an event's 'case' is a case id"):
                auditlog.append(
                    session, closed, {"agreement": case, "case": not_a_case}, submitter="x", now=NOW
                )


def test_proofs_from_the_database_equal_the_reference_proofs(
    sessions: sessionmaker[Session], log_signer: LogSigner
) -> None:
    reference = merkle.InMemoryNodeStore()
    with sessions() as session:
        size = read_state(session).size
        for entry in session.scalars(
            select(AuditLogEntry.canonical).order_by(AuditLogEntry.log_index)
        ):
            reference.append(entry)
        assert reference.size == size
        for index in (0, 1, size // 3, size - 2, size - 1):
            found = proofs.entry_with_proof(session, log_signer, index, None, NOW)
            assert found.proof == merkle.inclusion_proof(reference, index, size)
            verify_inclusion(found.data, index, size, found.proof, merkle.root(reference, size))
        for old in (1, 2, 255, 256, 1000, size - 1, size):
            proof = proofs.consistency(session, old, size)
            assert proof == merkle.consistency_proof(reference, old, size)
            verify_consistency(
                old, size, merkle.root(reference, old), merkle.root(reference, size), proof
            )
        assert proofs.consistency(session, 0, size) == []
        with pytest.raises(
            merkle.ProofRequestError, match=f"tree size {size + 1} is beyond the log's size {size}"
        ):
            proofs.consistency(session, 1, size + 1)


def test_proof_requests_beyond_the_tree_are_invalid_input(gql: GraphQL) -> None:
    size = gql("zowonen", "{ auditLogCheckpoint { size } }")["data"]["auditLogCheckpoint"]["size"]
    entry = gql("zowonen", "{ auditLogEntry(index: 99999999) { treeSize } }")
    assert error_codes(entry) == ["INVALID_INPUT"]
    assert entry["errors"][0]["message"] == f"index 99999999 is beyond tree size {size}"
    bigger = gql(
        "zowonen",
        "query($n: Int!) { auditLogEntry(index: 0, treeSize: $n) { treeSize } }",
        {"n": size + 5},
    )
    assert bigger["errors"][0]["message"] == f"tree size {size + 5} is beyond the log's size {size}"
    consistency = gql(
        "zowonen",
        "query($n: Int!) { auditLogConsistency(oldSize: 3, newSize: $n) { proof } }",
        {"n": size + 1},
    )
    assert error_codes(consistency) == ["INVALID_INPUT"]
    assert consistency["errors"][0]["message"] == (
        f"tree size {size + 1} is beyond the log's size {size}"
    )
    backwards = gql("zowonen", "{ auditLogConsistency(oldSize: 9, newSize: 3) { proof } }")
    assert error_codes(backwards) == ["INVALID_INPUT"]
    assert backwards["errors"][0]["message"] == "old size 9 is beyond new size 3"


def test_without_a_signing_key_the_log_grows_but_nothing_is_signed(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        _append(session, 1)
    with sessions() as session, pytest.raises(UnavailableError, match="no log signing key"):
        checkpoints.latest(session, None, NOW)


def test_log_key_files(tmp_path: Any) -> None:
    signer = LogSigner.generate("registry.example.nl/log")
    path = tmp_path / "log.key"
    signer.write(path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert LogSigner.from_file(path).verifier_key == signer.verifier_key
    with pytest.raises(
        LogKeyError,
        match=r"the log key is for origin 'registry\.example\.nl/log', "
        r"not 'other/log'",
    ):
        LogSigner.from_file(path, "other/log")
    path.write_text("PRIVATE+KEY+nonsense")
    with pytest.raises(LogKeyError, match="log key file: signer key is not"):
        LogSigner.from_file(path)
    with pytest.raises(LogKeyError, match="cannot read the log key file"):
        LogSigner.from_file(tmp_path / "missing.key")


def test_a_full_check_reports_its_progress_over_every_entry(
    sessions: sessionmaker[Session], log_signer: LogSigner
) -> None:
    with sessions.begin() as session:
        for number in range(audit.PROGRESS_EVERY + 5):
            _append(session, number)
    steps: list[int] = []
    with sessions() as session:
        report = audit.verify_log(session, log_signer, progress=steps.append)
    assert sum(steps) == report.entries > audit.PROGRESS_EVERY
    assert set(steps[:-1]) == {audit.PROGRESS_EVERY}  # a step per thousand, then the rest
