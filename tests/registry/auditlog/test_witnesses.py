"""The registry collects its witnesses' cosignatures (``registry.auditlog.witnesses``): real
witness processes over HTTP on 127.0.0.1, the real app and database."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from clients.cosignature import WitnessPolicy, WitnessSigner
from clients.witness import Witness
from registry.auditlog import audit, witnesses
from registry.auditlog.checkpoints import LogIntegrityError
from registry.auditlog.cosignatures import parse_witness_key
from registry.auditlog.signer import LogSigner
from registry.config import Settings
from registry.models import AuditCheckpoint
from tests.conftest import AppClient, Clock, GraphQL
from tests.witnesses import (
    DEMO_WITNESSES,
    WitnessProcess,
    running_witnesses,
    serving_in_thread,
    witnessed_app,
)

GRANT = """mutation { issueGrant(input: {municipality: "groningen",
    partnerKind: WELFARE, fields: ["evictionDate"], purposes: ["eviction_prevention"]}) {
    id } }"""


@pytest.fixture
def demo_witnesses(
    request: pytest.FixtureRequest, tmp_path: Path, log_signer: LogSigner
) -> Iterator[list[WitnessProcess]]:
    """Gemeente Groningen's and Bureau Woonkans's witnesses: their own processes for the tests
    marked ``processes``, the same witness served in a thread for the others."""
    processes = request.node.get_closest_marker("processes") is not None
    with running_witnesses(
        tmp_path, DEMO_WITNESSES, [log_signer.verifier_key], processes=processes
    ) as running:
        yield running


@pytest.fixture
def witnessed(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: Clock,
    demo_witnesses: list[WitnessProcess],
) -> AppClient:
    return witnessed_app(settings, sessions, clock, [(w.url, w.vkey) for w in demo_witnesses])


def _requests(witness: WitnessProcess) -> int:
    return witness.output().count('"POST /add-checkpoint HTTP/1.1"')


def _policy(demo_witnesses: list[WitnessProcess]) -> WitnessPolicy:
    return WitnessPolicy.of([w.vkey for w in demo_witnesses])


@pytest.mark.processes
def test_get_checkpoint_serves_the_checkpoint_both_witnesses_cosigned(
    witnessed: AppClient, demo_witnesses: list[WitnessProcess], gql: GraphQL
) -> None:
    response = witnessed.get("/checkpoint")
    assert response.status_code == 200
    note = response.text
    assert _policy(demo_witnesses).check(note) == list(DEMO_WITNESSES)
    assert note.count("\n— ") == 3  # the log's signature and two cosignatures
    size = int(note.split("\n")[1])
    assert all(w.state_file.read_text().count(f"\\n{size}\\n") == 1 for w in demo_witnesses)
    # Stored: served again as it is, without asking the witnesses again, and by GraphQL too.
    asked = [_requests(w) for w in demo_witnesses]
    assert witnessed.get("/checkpoint").text == note
    assert [_requests(w) for w in demo_witnesses] == asked
    served = gql("nijestee", "{ auditLogCheckpoint { note } }")["data"]["auditLogCheckpoint"]
    assert served["note"] == note


@pytest.mark.processes
def test_growth_is_cosigned_from_the_size_each_witness_has_also_after_a_restart(
    witnessed: AppClient,
    demo_witnesses: list[WitnessProcess],
    gql: GraphQL,
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: Clock,
) -> None:
    first = witnessed.get("/checkpoint").text
    gql("gemeente-groningen", GRANT)
    grown = witnessed.get("/checkpoint").text
    assert int(grown.split("\n")[1]) == int(first.split("\n")[1]) + 1
    _policy(demo_witnesses).check(grown)
    # A registry process that never spoke to the witnesses starts from size 0, learns
    # their size from the 409 and sends a proof from there.
    gql("gemeente-groningen", GRANT)
    restarted = witnessed_app(settings, sessions, clock, [(w.url, w.vkey) for w in demo_witnesses])
    after_restart = restarted.get("/checkpoint").text
    assert int(after_restart.split("\n")[1]) == int(grown.split("\n")[1]) + 1
    assert _policy(demo_witnesses).check(after_restart) == list(DEMO_WITNESSES)
    assert all(" 409 Conflict" in w.output() for w in demo_witnesses)


def test_a_witness_that_is_down_is_left_out_and_asked_again_after_a_back_off(
    witnessed: AppClient,
    demo_witnesses: list[WitnessProcess],
    gql: GraphQL,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(witnesses, "_FIRST_BACKOFF", 0.0)
    groningen, woonkans = demo_witnesses
    woonkans.stop()
    with caplog.at_level(logging.WARNING, logger="registry.auditlog.witnesses"):
        response = witnessed.get("/checkpoint")
    assert response.status_code == 200
    assert WitnessPolicy.of([groningen.vkey, woonkans.vkey], 1).check(response.text) == [
        groningen.signer_name
    ]
    assert "witness bureau-woonkans.test/witness: not reached (ConnectError)" in caplog.text
    woonkans.start()
    assert _policy(demo_witnesses).check(witnessed.get("/checkpoint").text)


def test_a_witness_holding_another_root_is_left_out_and_the_fork_is_logged(
    witnessed: AppClient,
    demo_witnesses: list[WitnessProcess],
    client: AppClient,
    log_signer: LogSigner,
    caplog: pytest.LogCaptureFixture,
) -> None:
    served = client.get("/checkpoint").text  # the log as it is, not yet witnessed
    size = int(served.split("\n")[1])
    groningen, woonkans = demo_witnesses
    # Someone showed Bureau Woonkans's witness another tree of the same size first.
    other = log_signer.sign_checkpoint(size, bytes(32))
    assert woonkans.add_checkpoint(0, [], other).status_code == 200
    with caplog.at_level(logging.WARNING, logger="registry.auditlog.witnesses"):
        note = witnessed.get("/checkpoint").text
    assert WitnessPolicy.of([groningen.vkey, woonkans.vkey], 1).check(note) == [
        groningen.signer_name
    ]
    assert (
        f"witness bureau-woonkans.test/witness: holds another root at size {size}: "
        "the log forked?" in caplog.text
    )


class LyingWitness:
    """A real witness behind an HTTP front that spoils its answers in a chosen way."""

    def __init__(self, tmp_path: Path, log_key: str) -> None:
        self.signer = WitnessSigner("liar.test/witness", Ed25519PrivateKey.generate())
        self.witness = Witness(self.signer, [log_key], tmp_path / "liar.json")
        self.spoil = "flip"

    def app(self) -> Starlette:
        async def add_checkpoint(request: Request) -> Response:
            answer = self.witness.add_checkpoint(await request.body())
            body = answer.body
            if answer.status == 200 and self.spoil == "flip":
                name, encoded = body.rstrip("\n").rsplit(" ", 1)
                flipped = ("A" if encoded[20] != "A" else "B").join((encoded[:20], encoded[21:]))
                body = f"{name} {flipped}\n"
            elif answer.status == 200 and self.spoil == "garbage":
                body = "— liar.test/witness not*base64\nhello\n"
            elif answer.status == 200 and self.spoil == "other checkpoint":
                body = self.signer.cosign("ketenregister.test/log\n1\n" + "A" * 43 + "=\n", 1)
            return Response(body, answer.status, headers={"content-type": answer.content_type})

        return Starlette(routes=[Route("/add-checkpoint", add_checkpoint, methods=["POST"])])


@pytest.mark.parametrize("spoil", ["flip", "garbage", "other checkpoint"])
def test_a_cosignature_that_does_not_verify_is_logged_and_never_served(
    spoil: str,
    tmp_path: Path,
    log_signer: LogSigner,
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    liar = LyingWitness(tmp_path, log_signer.verifier_key)
    liar.spoil = spoil
    with serving_in_thread(liar.app()) as url:
        app = witnessed_app(settings, sessions, clock, [(url, liar.signer.key.vkey)])
        with caplog.at_level(logging.WARNING, logger="registry.auditlog.witnesses"):
            note = app.get("/checkpoint").text
    assert "liar.test" not in note
    assert "witness liar.test/witness" in caplog.text
    assert "gave no valid cosignature on checkpoint" in caplog.text
    with sessions() as session:
        stored = session.scalars(select(AuditCheckpoint.note)).all()
    assert stored and not any("liar.test" in text for text in stored)


def test_log_verify_checks_the_stored_cosignatures(
    witnessed: AppClient,
    demo_witnesses: list[WitnessProcess],
    sessions: sessionmaker[Session],
    log_signer: LogSigner,
) -> None:
    note = witnessed.get("/checkpoint").text
    size = int(note.split("\n")[1])
    keys = [parse_witness_key(w.vkey) for w in demo_witnesses]
    with sessions() as session:
        assert audit.verify_log(session, log_signer, keys).checkpoints >= 1
    cosignature = note.rstrip("\n").rsplit("\n", 1)[1]
    name, encoded = cosignature.rsplit(" ", 1)
    edited = note.replace(
        cosignature, f"{name} {encoded[:30]}{'A' if encoded[30] != 'A' else 'B'}{encoded[31:]}"
    )
    with sessions.begin() as session:
        session.execute(
            update(AuditCheckpoint).where(AuditCheckpoint.size == size).values(note=edited)
        )
    with (
        sessions() as session,
        pytest.raises(
            LogIntegrityError, match=f"checkpoint {size} carries a bad cosignature: cosignature by"
        ),
    ):
        audit.verify_log(session, log_signer, keys)
    with sessions.begin() as session:
        session.execute(
            update(AuditCheckpoint)
            .where(AuditCheckpoint.size == size)
            .values(note=note + "a line that is no signature\n")
        )
    with (
        sessions() as session,
        pytest.raises(
            LogIntegrityError, match="a signature line is one line starting with an em dash"
        ),
    ):
        audit.verify_log(session, log_signer, keys)


def test_witnesses_are_configured_as_url_and_key_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    first = WitnessSigner.generate("gemeente-groningen.test/witness").key.vkey
    second = WitnessSigner.generate("bureau-woonkans.test/witness").key.vkey
    monkeypatch.setenv(
        "KETENREGISTER_WITNESSES",
        f"http://127.0.0.1:7381/ {first},\nhttp://127.0.0.1:7382 {second}",
    )
    configured = Settings.from_env().witnesses
    assert configured == (("http://127.0.0.1:7381/", first), ("http://127.0.0.1:7382", second))
    parsed = witnesses.parse_witnesses(configured)
    assert [(w.url, w.name) for w in parsed] == [
        ("http://127.0.0.1:7381", "gemeente-groningen.test/witness"),
        ("http://127.0.0.1:7382", "bureau-woonkans.test/witness"),
    ]
    monkeypatch.setenv("KETENREGISTER_WITNESSES", first)
    with pytest.raises(ValueError, match="is not '<URL> <key>'"):
        Settings.from_env()
    with pytest.raises(witnesses.WitnessConfigError, match="is not http"):
        witnesses.parse_witnesses([("ftp://x", first)])
    with pytest.raises(witnesses.WitnessConfigError, match="not a cosignature/v1 Ed25519 key"):
        witnesses.parse_witnesses([("http://x", LogSigner.generate("x.test/log").verifier_key)])
    with pytest.raises(witnesses.WitnessConfigError, match="share a key name"):
        witnesses.parse_witnesses([("http://x", first), ("http://y", first)])


def test_an_edited_note_is_not_cosigned_further_and_the_edit_is_logged(
    witnessed: AppClient,
    client: AppClient,
    sessions: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    note = client.get("/checkpoint").text  # signed, not yet witnessed
    size = int(note.split("\n")[1])
    with sessions.begin() as session:
        session.execute(
            update(AuditCheckpoint)
            .where(AuditCheckpoint.size == size)
            .values(note=note + "not a signature\n")
        )
    with caplog.at_level(logging.WARNING, logger="registry.auditlog.witnesses"):
        response = witnessed.get("/checkpoint")
    assert response.status_code == 200
    assert response.text == note + "not a signature\n"  # as stored: log verify reports it
    assert (
        f"cosignatures of checkpoint {size} not stored: the note of checkpoint {size} carries "
        "a line that is no cosignature" in caplog.text
    )
