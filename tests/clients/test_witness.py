"""The witness (``clients.witness``): as its own process over HTTP on 127.0.0.1, it cosigns a
log's growth and refuses rollbacks and forks without changing its state (C2SP tlog-witness)."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from clients.cli import main
from clients.cosignature import (
    WitnessPolicy,
    WitnessSigner,
    parse_cosigner_key,
    verify_cosignature,
)
from clients.witness import Witness, WitnessStateError, exclusive
from registry.auditlog import merkle
from registry.auditlog.signer import LogSigner
from tests.witnesses import WitnessProcess

ORIGIN = "ketenregister.test/log"  # the in-process witness's log


class Log:
    """A log the test writes: entries in memory, checkpoints signed by the log's key."""

    def __init__(self, signer: LogSigner, entries: list[bytes]) -> None:
        self.signer = signer
        self.store = merkle.InMemoryNodeStore()
        for entry in entries:
            self.store.append(entry)

    def checkpoint(self, size: int) -> str:
        return self.signer.sign_checkpoint(size, merkle.root(self.store, size))

    def proof(self, old: int, new: int) -> list[bytes]:
        return merkle.consistency_proof(self.store, old, new) if 0 < old < new else []


def _entries(count: int, tag: str = "") -> list[bytes]:
    return [f'{{"index":{n}{tag}}}'.encode() for n in range(count)]


#: One log per scenario, so that one witness process serves the whole module.
SCENARIOS = ("growth", "rollback", "fork")


@pytest.fixture(scope="module")
def log_signers() -> dict[str, LogSigner]:
    return {name: LogSigner.generate(f"{name}.test/log") for name in SCENARIOS}


@pytest.fixture(scope="module")
def witness(
    tmp_path_factory: pytest.TempPathFactory, log_signers: dict[str, LogSigner]
) -> Iterator[WitnessProcess]:
    """A witness process of Gemeente Groningen that witnesses every scenario's log."""
    keys = [signer.verifier_key for signer in log_signers.values()]
    folder = tmp_path_factory.mktemp("witness")
    process = WitnessProcess(folder, "gemeente-groningen.test/witness", keys)
    process.start()
    yield process
    process.stop()


def _log(log_signers: dict[str, LogSigner], scenario: str) -> Log:
    return Log(log_signers[scenario], _entries(12))


class WitnessState:
    """What the witness remembers of one log, read from its state file as its operator would."""

    def __init__(self, witness: WitnessProcess, origin: str) -> None:
        document = json.loads(witness.state_file.read_text())
        note = document["logs"][origin]["note"]
        self.size = int(note.split("\n")[1])
        self.note = note


def test_a_witness_process_cosigns_growth_and_remembers_it_across_a_restart(
    witness: WitnessProcess, log_signers: dict[str, LogSigner]
) -> None:
    log = _log(log_signers, "growth")
    first = witness.add_checkpoint(0, [], log.checkpoint(3))
    assert first.status_code == 200, first.text
    body = log.checkpoint(3).split("\n\n")[0] + "\n"
    key = WitnessPolicy.of([witness.vkey]).keys[0]
    assert first.text.startswith("— gemeente-groningen.test/witness ")
    assert first.text.endswith("\n") and first.text.count("\n") == 1
    assert verify_cosignature(first.text, body, key) > 1_700_000_000
    grown = witness.add_checkpoint(3, log.proof(3, 7), log.checkpoint(7))
    assert grown.status_code == 200, grown.text
    assert WitnessPolicy.of([witness.vkey]).check(log.checkpoint(7) + grown.text)
    assert WitnessState(witness, "growth.test/log").size == 7

    witness.stop()
    witness.start()
    stale = witness.add_checkpoint(0, [], log.checkpoint(7))
    assert (stale.status_code, stale.text) == (409, "7\n")
    assert stale.headers["content-type"] == "text/x.tlog.size"
    again = witness.add_checkpoint(7, [], log.checkpoint(7))
    assert again.status_code == 200
    assert witness.add_checkpoint(7, log.proof(7, 12), log.checkpoint(12)).status_code == 200
    assert WitnessState(witness, "growth.test/log").size == 12


def test_a_witness_process_refuses_a_rollback_and_keeps_its_state(
    witness: WitnessProcess, log_signers: dict[str, LogSigner]
) -> None:
    log = _log(log_signers, "rollback")
    assert witness.add_checkpoint(0, [], log.checkpoint(7)).status_code == 200
    before = WitnessState(witness, "rollback.test/log").note

    # The log claims the witness is at 7 and shows it a smaller tree: spec says 400.
    smaller = witness.add_checkpoint(7, [], log.checkpoint(5))
    assert smaller.status_code == 400
    assert "old size 7 is larger than the checkpoint size 5" in smaller.text
    # The log pretends the witness is at 5: 409 with the size it really has.
    pretended = witness.add_checkpoint(5, [], log.checkpoint(5))
    assert (pretended.status_code, pretended.text) == (409, "7\n")
    pretended = witness.add_checkpoint(0, [], log.checkpoint(5))
    assert (pretended.status_code, pretended.text) == (409, "7\n")

    assert WitnessState(witness, "rollback.test/log").note == before
    assert witness.add_checkpoint(7, log.proof(7, 9), log.checkpoint(9)).status_code == 200


def test_a_witness_process_refuses_a_fork_and_keeps_its_state(
    witness: WitnessProcess, log_signers: dict[str, LogSigner]
) -> None:
    log = _log(log_signers, "fork")
    assert witness.add_checkpoint(0, [], log.checkpoint(7)).status_code == 200
    before = WitnessState(witness, "fork.test/log").note
    # The same first four entries, then another history, signed by the same log key.
    fork = Log(log_signers["fork"], _entries(4) + _entries(8, ',"forked":true')[4:] + _entries(4))

    same_size = witness.add_checkpoint(7, [], fork.checkpoint(7))
    assert (same_size.status_code, same_size.text) == (409, "7\n")
    # A larger forked tree with the fork's own proof from 7: it does not lead to the root the
    # witness holds for 7.
    larger = witness.add_checkpoint(7, fork.proof(7, 10), fork.checkpoint(10))
    assert larger.status_code == 422
    assert "consistency proof does not lead to the old root" in larger.text
    # A correct proof of the true log with the forked checkpoint: still no.
    mixed = witness.add_checkpoint(7, log.proof(7, 10), fork.checkpoint(10))
    assert mixed.status_code == 422

    assert WitnessState(witness, "fork.test/log").note == before
    assert "log fork.test/log FORKED: a second root at size 7" in witness.output()
    assert "does not extend size 7" in witness.output()
    assert witness.add_checkpoint(7, log.proof(7, 10), log.checkpoint(10)).status_code == 200


# The rest needs no process: the same Witness object, called directly.


@pytest.fixture
def in_process(tmp_path: Path, log_signer: LogSigner) -> Witness:
    signer = WitnessSigner("bureau-woonkans.test/witness", Ed25519PrivateKey.generate())
    return Witness(signer, [log_signer.verifier_key], tmp_path / "state.json")


def _post(witness: Witness, old: int, proof: list[bytes], note: str) -> tuple[int, str]:
    head = f"old {old}\n" + "".join(base64.b64encode(h).decode() + "\n" for h in proof)
    answer = witness.add_checkpoint((head + "\n" + note).encode())
    return answer.status, answer.body


@pytest.fixture
def log(log_signer: LogSigner) -> Log:
    return Log(log_signer, _entries(12))


def test_unknown_logs_bad_signatures_and_malformed_requests_are_refused(
    in_process: Witness, log: Log
) -> None:
    other_log = Log(LogSigner.generate("elsewhere.test/log"), _entries(3))
    assert _post(in_process, 0, [], other_log.checkpoint(3)) == (
        404,
        "unknown log origin 'elsewhere.test/log'\n",
    )
    impostor = Log(LogSigner.generate(ORIGIN), _entries(3))
    status, text = _post(in_process, 0, [], impostor.checkpoint(3))
    assert status == 403
    assert "signature by ketenregister.test/log has key ID" in text
    tampered = log.checkpoint(3).replace("\n3\n", "\n4\n")
    assert _post(in_process, 0, [], tampered)[0] == 403
    assert in_process.add_checkpoint(b"old 00\n\n" + log.checkpoint(3).encode()).status == 400
    assert in_process.add_checkpoint(log.checkpoint(3).encode()).status == 400
    assert in_process.add_checkpoint(b"old 0\nnot base64\n\n").status == 400
    too_long = [bytes(32)] * 64
    status, text = _post(in_process, 1, too_long, log.checkpoint(3))
    assert (status, text) == (400, "more than 63 consistency proof lines\n")
    assert _post(in_process, 0, [bytes(32)], log.checkpoint(3))[0] == 422
    assert in_process.latest(ORIGIN) is None


def test_concurrent_requests_never_roll_the_state_back(in_process: Witness, log: Log) -> None:
    assert _post(in_process, 0, [], log.checkpoint(3))[0] == 200
    answers: dict[int, int] = {}
    start = threading.Barrier(8)

    def grow(size: int) -> None:
        start.wait()
        answers[size] = _post(in_process, 3, log.proof(3, size), log.checkpoint(size))[0]

    threads = [threading.Thread(target=grow, args=(size,)) for size in range(4, 12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [size for size, status in answers.items() if status == 200]
    assert len(winners) == 1
    assert sorted(answers.values()) == [200] + [409] * 7
    remembered = in_process.latest(ORIGIN)
    assert remembered is not None and remembered.size == winners[0]


def test_a_damaged_state_file_stops_the_witness_instead_of_starting_afresh(
    tmp_path: Path, in_process: Witness, log: Log, log_signer: LogSigner
) -> None:
    assert _post(in_process, 0, [], log.checkpoint(5))[0] == 200
    state = tmp_path / "state.json"
    state.write_text(state.read_text().replace("\\n5\\n", "\\n6\\n"))
    with pytest.raises(WitnessStateError, match=r"holds a checkpoint of ketenregister\.test/log"):
        Witness(in_process.signer, [log_signer.verifier_key], state)
    state.write_text("{")
    with pytest.raises(WitnessStateError, match="is unreadable"):
        Witness(in_process.signer, [log_signer.verifier_key], state)


def test_two_witness_processes_cannot_share_a_state_file(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with (
        exclusive(state),
        pytest.raises(WitnessStateError, match="another witness process"),
        exclusive(state),
    ):
        pass


def test_witness_keygen_prints_the_verifier_key_and_never_overwrites(tmp_path: Path) -> None:
    out = tmp_path / "groningen.key"
    result = CliRunner().invoke(
        main, ["witness", "keygen", "--name", "groningen.test/witness", "--out", str(out)]
    )
    assert result.exit_code == 0, result.stderr
    vkey = result.stdout.strip()
    assert WitnessSigner.from_file(out).key.vkey == vkey
    assert parse_cosigner_key(vkey).name == "groningen.test/witness"
    assert out.stat().st_mode & 0o777 == 0o600
    again = CliRunner().invoke(
        main, ["witness", "keygen", "--name", "groningen.test/witness", "--out", str(out)]
    )
    assert again.exit_code == 1
    assert "exists; a witness keeps its key" in again.stderr
    assert WitnessSigner.from_file(out).key.vkey == vkey
