"""``monitor`` and ``verify-entry`` with a witness policy ("k of these witness keys"), against
the real app on the demo log and Gemeente Groningen's and Bureau Woonkans's witness processes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session, sessionmaker

from clients import cli
from clients.cli import log as log_commands
from clients.cosignature import WitnessPolicy, WitnessSigner
from clients.errors import WitnessPolicyError
from clients.logreader import LogReader
from clients.monitor import Monitor
from registry.auditlog.signer import LogSigner
from registry.config import Settings
from tests.conftest import AppClient, Clock, DemoKey, GraphQL
from tests.helpers import AppTransport, partner_client
from tests.witnesses import DEMO_WITNESSES, WitnessProcess, running_witnesses, witnessed_app

GRANT = """mutation { issueGrant(input: {municipality: "groningen",
    partnerKind: WELFARE, fields: ["evictionDate"], purposes: ["eviction_prevention"]}) {
    id } }"""


@pytest.fixture
def demo_witnesses(
    request: pytest.FixtureRequest, tmp_path: Path, log_signer: LogSigner
) -> Iterator[list[WitnessProcess]]:
    """The witnesses as their own processes for the tests marked ``processes``, served in a
    thread for the others."""
    processes = request.node.get_closest_marker("processes") is not None
    with running_witnesses(
        tmp_path, DEMO_WITNESSES, [log_signer.verifier_key], processes=processes
    ) as running:
        yield running


@pytest.fixture
def witness_keys(demo_witnesses: list[WitnessProcess]) -> list[str]:
    return [witness.vkey for witness in demo_witnesses]


@pytest.fixture
def as_partner(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: Clock,
    demo_witnesses: list[WitnessProcess],
    demo_keys: dict[str, DemoKey],
    monkeypatch: pytest.MonkeyPatch,
) -> AppClient:
    """Every log command the CLI runs talks to the real app, configured with both witnesses,
    as Nijestee."""
    app = witnessed_app(settings, sessions, clock, [(w.url, w.vkey) for w in demo_witnesses])
    key = demo_keys["nijestee"]

    def reader(_options: object) -> LogReader:
        return LogReader(partner_client(key, AppTransport(app.app)))

    monkeypatch.setattr(log_commands, "_log_reader", reader)
    return app


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli.main, ["--key-file", "unused.json", *args])
    return result.exit_code, result.stdout, result.stderr


def _policy_args(keys: list[str], required: int | None = None) -> list[str]:
    args = [arg for key in keys for arg in ("--witness-key", key)]
    return args if required is None else [*args, "--witnesses-required", str(required)]


@pytest.mark.processes
@pytest.mark.usefixtures("as_partner")
def test_monitor_with_a_two_of_two_policy_passes_on_the_demo_and_follows_growth(
    log_signer: LogSigner, witness_keys: list[str], gql: GraphQL, tmp_path: Path
) -> None:
    state = str(tmp_path / "state.json")
    args = ["monitor", "--state", state, "--log-key", log_signer.verifier_key]
    code, out, err = _run(*args, *_policy_args(witness_keys, 2))
    assert code == 0, err
    assert out.startswith("witnesses: at least 2 of 2 cosigned\nok: first checkpoint, size ")
    gql("gemeente-groningen", GRANT)
    code, out, err = _run(*args, *_policy_args(witness_keys))
    assert code == 0, err
    assert "ok: grew from size " in out
    remembered = json.loads(Path(state).read_text())["note"]
    assert WitnessPolicy.of(witness_keys).check(remembered) == list(DEMO_WITNESSES)


@pytest.mark.processes
@pytest.mark.usefixtures("as_partner")
def test_monitor_fails_naming_the_witness_when_one_witness_key_is_wrong(
    log_signer: LogSigner, witness_keys: list[str], tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    wrong = WitnessSigner.generate(DEMO_WITNESSES[1]).key.vkey  # right name, other key
    args = ["monitor", "--state", str(state), "--log-key", log_signer.verifier_key]
    code, out, err = _run(*args, *_policy_args([witness_keys[0], wrong]))
    assert code == 1
    assert out == ""
    assert (
        "verification failed: witness policy not met: 1 of the required 2 witnesses cosigned "
        "this checkpoint (no valid cosignature by bureau-woonkans.test/witness)" in err
    )
    assert not state.exists()  # nothing remembered that did not meet the policy
    code, out, err = _run(*args, *_policy_args([witness_keys[0], wrong], 1))
    assert code == 0, err
    assert out.startswith("witnesses: at least 1 of 2 cosigned\nok: first checkpoint")


@pytest.mark.usefixtures("as_partner")
def test_verify_entry_proves_the_entry_in_a_checkpoint_the_witnesses_cosigned(
    log_signer: LogSigner, witness_keys: list[str], gql: GraphQL
) -> None:
    gql("gemeente-groningen", GRANT)  # the latest checkpoint is not cosigned yet
    args = ["verify-entry", "7", "--log-key", log_signer.verifier_key]
    code, out, err = _run(*args, *_policy_args(witness_keys))
    assert code == 0, err
    assert json.loads(out)["index"] == 7
    assert "cosigned by 2 of the witnesses required" in err
    wrong = WitnessSigner.generate(DEMO_WITNESSES[0]).key.vkey
    code, _, err = _run(*args, *_policy_args([wrong, witness_keys[1]]))
    assert code == 1
    assert "no valid cosignature by gemeente-groningen.test/witness" in err


def test_a_policy_needs_keys_and_a_sensible_count(log_signer: LogSigner, tmp_path: Path) -> None:
    args = ["monitor", "--state", str(tmp_path / "s.json"), "--log-key", log_signer.verifier_key]
    code, _, err = _run(*args, "--witnesses-required", "1")
    assert code == 2
    assert "--witnesses-required needs at least one --witness-key" in err
    key = WitnessSigner.generate("w.test/w").key.vkey
    code, _, err = _run(*args, "--witness-key", key, "--witnesses-required", "2")
    assert code == 2
    assert "witness policy asks for 2 of 1 witness keys" in err
    code, _, err = _run(*args, "--witness-key", log_signer.verifier_key)
    assert code == 2
    assert "witness key is not a cosignature/v1 Ed25519 key" in err


def test_misbehaviour_is_reported_whatever_the_cosignatures_and_only_a_met_policy_is_kept(
    tmp_path: Path,
) -> None:
    log = LogSigner.generate("example.test/log")
    witness = WitnessSigner.generate("w.test/w")
    policy = WitnessPolicy.of([witness.key.vkey])
    monitor = Monitor(tmp_path / "state.json", log.verifier_key, witnesses=policy)

    def cosigned(size: int, root: bytes) -> str:
        note = log.sign_checkpoint(size, root)
        return note + witness.cosign(note.split("\n\n")[0] + "\n", 1)

    assert monitor.observe(cosigned(1, bytes(32))).ok
    uncosigned = log.sign_checkpoint(1, bytes(32))
    with pytest.raises(WitnessPolicyError, match="0 of the required 1"):
        monitor.observe(uncosigned)
    forked = monitor.observe(log.sign_checkpoint(1, bytes(31) + b"\x01"))
    assert forked.outcome == "fork"
    assert monitor.last_checkpoint is not None and monitor.last_checkpoint.root == bytes(32)
