"""``ketenregister-client checkpoint``, ``verify-entry`` and ``monitor`` against the real app."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from clients import cli
from clients.cli import log as log_commands
from clients.logreader import LoggedEntry, LogReader
from registry.auditlog.signer import LogSigner
from registry.models import AuditLogOpening
from tests.conftest import AppClient, DemoKey, GraphQL
from tests.helpers import AppTransport, partner_client


@pytest.fixture
def as_partner(
    client: AppClient, demo_keys: dict[str, DemoKey], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every log command the CLI runs talks to the real app, as Nijestee."""
    key = demo_keys["nijestee"]

    def reader(_options: object) -> LogReader:
        return LogReader(partner_client(key, AppTransport(client.app)))

    monkeypatch.setattr(log_commands, "_log_reader", reader)


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli.main, ["--key-file", "unused.json", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.usefixtures("as_partner")
def test_checkpoint_prints_the_verified_note(log_signer: LogSigner) -> None:
    code, out, err = _run("checkpoint", "--log-key", log_signer.verifier_key)
    assert code == 0, err
    assert out.startswith("ketenregister.test/log\n")
    assert "checkpoint verified: ketenregister.test/log," in err
    assert "warning" not in err


@pytest.mark.usefixtures("as_partner")
def test_checkpoint_with_the_wrong_key_fails_and_without_one_warns() -> None:
    other = LogSigner.generate("ketenregister.test/log").verifier_key
    code, _, err = _run("checkpoint", "--log-key", other)
    assert code == 1
    assert "verification failed: signature by ketenregister.test/log has key ID" in err
    code, _, err = _run("checkpoint")
    assert code == 0
    assert "warning: trusting the log key the registry serves itself; pin it with --log-key" in err


@pytest.mark.usefixtures("as_partner")
def test_verify_entry_proves_an_entry_and_its_event(
    log_signer: LogSigner, sessions: sessionmaker[Session]
) -> None:
    # Entry 7 is a grant of Groningen's covenant, which Nijestee works under: it is shown
    # the event, and checks it against the leaf.
    code, out, err = _run("verify-entry", "7", "--log-key", log_signer.verifier_key)
    assert code == 0, err
    shown = json.loads(out)
    assert shown["index"] == 7
    assert shown["entry"]["index"] == 7
    assert shown["entry"]["v"] == 2
    assert shown["event"]["type"] == "policy.grant_issued"
    assert shown["event"]["municipality"] == "groningen"
    assert "entry 7 is in the log of" in err
    assert "its event matches the entry's commitment" in err
    # Entry 0 is Sittard-Geleen's: the leaf and its proof, not the event.
    code, out, err = _run("verify-entry", "0", "--log-key", log_signer.verifier_key)
    assert code == 0, err
    assert json.loads(out)["event"] is None
    assert "its event is withheld from you" in err
    # An edited opening is refused by the registry, naming what broke.
    with sessions.begin() as session:
        opening = session.get(AuditLogOpening, 7)
        assert opening is not None
        session.execute(
            update(AuditLogOpening)
            .where(AuditLogOpening.log_index == 7)
            .values(opening=opening.opening.replace(b"groningen", b"zaanstad"))
        )
    code, _, err = _run(
        "verify-entry", "7", "--log-key", log_signer.verifier_key, "--leaf-hash", shown["leafHash"]
    )
    assert code == 1
    assert (
        "CONFLICT: the opening of entry 7 does not match its leaf's commitment: the opening or "
        "the leaf was edited" in err
    )


@pytest.mark.usefixtures("as_partner")
def test_verify_entry_catches_a_registry_that_shows_another_event(
    log_signer: LogSigner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A registry that lies about an event (the server's checks skipped, as a dishonest
    # operator would): the partner's own check against the leaf's commitment fails.
    real = LogReader.entry

    def lying(self: LogReader, index: int, tree_size: int | None = None) -> LoggedEntry:
        entry = real(self, index, tree_size)
        assert entry.opening is not None
        return replace(entry, opening=entry.opening.replace(b"groningen", b"zaanstad"))

    monkeypatch.setattr(LogReader, "entry", lying)
    code, _, err = _run("verify-entry", "7", "--log-key", log_signer.verifier_key)
    assert code == 1
    assert "verification failed: the opening of entry 7 does not match its leaf's commitment" in (
        err
    )


@pytest.mark.usefixtures("as_partner")
def test_verify_entry_beyond_the_log_is_invalid_input(log_signer: LogSigner) -> None:
    code, _, err = _run("verify-entry", "99999999", "--log-key", log_signer.verifier_key)
    assert code == 1
    assert "INVALID_INPUT: index 99999999 is beyond tree size" in err


@pytest.mark.usefixtures("as_partner")
def test_monitor_remembers_and_follows_the_log(
    log_signer: LogSigner, gql: GraphQL, tmp_path: Path
) -> None:
    state = str(tmp_path / "state.json")
    code, out, _ = _run("monitor", "--state", state, "--log-key", log_signer.verifier_key)
    assert code == 0
    assert out.startswith("ok: first checkpoint, size ")
    gql(
        "gemeente-groningen",
        """mutation { issueGrant(input: {municipality: "groningen",
        partnerKind: WELFARE, fields: ["evictionDate"], purposes: ["eviction_prevention"]}) {
        id } }""",
    )
    code, out, _ = _run("monitor", "--state", state, "--log-key", log_signer.verifier_key)
    assert code == 0
    assert out.startswith("ok: grew from size ")
