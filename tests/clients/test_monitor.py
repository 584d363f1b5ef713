"""The monitor: ok, fork, rollback and truncation, with a real log and a real state file."""

import doctest
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from clients import monitor as monitor_module
from clients.errors import (
    ConsistencyProofError,
    LogMisbehaviourError,
    MonitorStateError,
    SignatureError,
)
from clients.monitor import Monitor, Outcome, assess
from clients.verify import EMPTY_ROOT, Checkpoint, leaf_hash
from registry.auditlog.merkle import InMemoryNodeStore, consistency_proof, root
from registry.auditlog.note import sign_checkpoint, verifier_key

ORIGIN = "ketenregister.example/auditlog"
LOG_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
VKEY = verifier_key(ORIGIN, LOG_KEY.public_key())


class Log:
    """A log the way the server runs one: a node store and signed checkpoints."""

    def __init__(self, entries: list[bytes]) -> None:
        self.store = InMemoryNodeStore()
        for entry in entries:
            self.store.append(entry)

    def checkpoint(self, size: int) -> str:
        return sign_checkpoint(ORIGIN, size, root(self.store, size), LOG_KEY)

    def proof(self, smaller: int, larger: int) -> list[bytes]:
        return consistency_proof(self.store, smaller, larger) if smaller else []


def entries(count: int, tag: str = "") -> list[bytes]:
    return [f"event {i}{tag}".encode() for i in range(count)]


@pytest.fixture
def log() -> Log:
    return Log(entries(20))


@pytest.fixture
def make_monitor(tmp_path: Path) -> Callable[[], Monitor]:
    return lambda: Monitor(tmp_path / "state" / "auditlog.json", VKEY)


def test_first_checkpoint_is_trusted_and_remembered(
    log: Log, make_monitor: Callable[[], Monitor]
) -> None:
    report = make_monitor().observe(log.checkpoint(5))
    assert report.outcome is Outcome.OK
    assert report.previous is None
    assert "trusted on first use" in report.detail
    # A new Monitor on the same file (the next run) remembers it.
    remembered = make_monitor().last_checkpoint
    assert remembered is not None
    assert remembered.size == 5


def test_growth_with_a_valid_proof_is_ok(log: Log, make_monitor: Callable[[], Monitor]) -> None:
    monitor = make_monitor()
    monitor.observe(log.checkpoint(5))
    report = monitor.observe(log.checkpoint(12), log.proof(5, 12))
    assert (report.outcome, report.detail) == (Outcome.OK, "grew from size 5 to 12")
    asked = []

    def fetch(smaller: int, larger: int) -> list[bytes]:
        asked.append((smaller, larger))
        return log.proof(smaller, larger)

    assert monitor.observe(log.checkpoint(20), fetch).ok
    assert asked == [(12, 20)]
    last = monitor.last_checkpoint
    assert last is not None
    assert last.size == 20


def test_same_checkpoint_again_is_ok(log: Log, make_monitor: Callable[[], Monitor]) -> None:
    monitor = make_monitor()
    monitor.observe(log.checkpoint(7))
    report = monitor.observe(log.checkpoint(7))
    assert (report.outcome, report.detail) == (Outcome.OK, "unchanged at size 7")


def test_other_root_at_the_same_size_is_a_fork(
    log: Log, make_monitor: Callable[[], Monitor]
) -> None:
    monitor = make_monitor()
    monitor.observe(log.checkpoint(7))
    forked = Log(entries(7, tag=" rewritten"))
    report = monitor.observe(forked.checkpoint(7))
    assert report.outcome is Outcome.FORK
    assert report.detail == "two different roots at the same size 7"
    assert report.evidence == (log.checkpoint(7), forked.checkpoint(7))
    remembered = monitor.last_checkpoint
    assert remembered is not None
    assert remembered.root == root(log.store, 7)  # the fork was not adopted


def test_rewritten_history_fails_the_consistency_proof(
    log: Log, make_monitor: Callable[[], Monitor]
) -> None:
    monitor = make_monitor()
    monitor.observe(log.checkpoint(7))
    rewritten = Log([*entries(3), b"changed", *entries(20)[4:]])
    report = monitor.observe(rewritten.checkpoint(12), rewritten.proof(7, 12))
    assert report.outcome is Outcome.FORK
    assert report.detail.startswith("size 7 to 12: consistency proof does not lead to the")
    assert monitor.last_checkpoint == Checkpoint(ORIGIN, 7, root(log.store, 7))
    with pytest.raises(LogMisbehaviourError, match="fork: size 7 to 12") as raised:
        report.raise_for_outcome()
    assert raised.value.outcome == "fork"


def test_older_state_of_the_same_history_is_a_rollback(
    log: Log, make_monitor: Callable[[], Monitor]
) -> None:
    monitor = make_monitor()
    monitor.observe(log.checkpoint(15))
    report = monitor.observe(log.checkpoint(9), log.proof)
    assert report.outcome is Outcome.ROLLBACK
    assert report.detail == "size shrank from 15 to 9, an older state of the same history"
    last = monitor.last_checkpoint
    assert last is not None
    assert last.size == 15  # the monitor never moves backwards


def test_shrunk_log_that_cannot_prove_the_prefix_is_a_truncation(
    log: Log, make_monitor: Callable[[], Monitor]
) -> None:
    monitor = make_monitor()
    monitor.observe(log.checkpoint(15))
    truncated = Log(entries(9))
    report = monitor.observe(truncated.checkpoint(9), lambda smaller, larger: None)
    assert report.outcome is Outcome.TRUNCATION
    assert report.detail == "size shrank from 15 to 9 and the log cannot prove it is a prefix"
    with pytest.raises(LogMisbehaviourError, match="truncation: size shrank from 15 to 9"):
        report.raise_for_outcome()


def test_shrunk_log_with_a_failing_proof_is_a_fork(
    log: Log, make_monitor: Callable[[], Monitor]
) -> None:
    monitor = make_monitor()
    monitor.observe(log.checkpoint(15))
    other = Log(entries(15, tag=" elsewhere"))
    report = monitor.observe(other.checkpoint(9), other.proof(9, 15))
    assert report.outcome is Outcome.FORK
    assert report.detail.startswith("size shrank from 15 to 9: consistency proof does not lead")


def test_growth_without_a_proof_decides_nothing(
    log: Log, make_monitor: Callable[[], Monitor]
) -> None:
    monitor = make_monitor()
    monitor.observe(log.checkpoint(5))
    with pytest.raises(ConsistencyProofError, match="no consistency proof from size 5 to 8"):
        monitor.observe(log.checkpoint(8))
    last = monitor.last_checkpoint
    assert last is not None
    assert last.size == 5


def test_checkpoint_not_signed_by_the_log_is_refused(
    log: Log, make_monitor: Callable[[], Monitor]
) -> None:
    monitor = make_monitor()
    forged = sign_checkpoint(ORIGIN, 3, root(log.store, 3), Ed25519PrivateKey.generate())
    with pytest.raises(SignatureError, match=f"signature by {ORIGIN} has key ID"):
        monitor.observe(forged)
    assert monitor.last_checkpoint is None


def test_tampered_state_file_is_an_error_not_a_fresh_start(
    log: Log, tmp_path: Path, make_monitor: Callable[[], Monitor]
) -> None:
    monitor = make_monitor()
    monitor.observe(log.checkpoint(5))
    state_file = tmp_path / "state" / "auditlog.json"
    state = json.loads(state_file.read_text())
    state["note"] = state["note"].replace("\n5\n", "\n4\n")
    state_file.write_text(json.dumps(state))
    with pytest.raises(MonitorStateError, match="holds a checkpoint that does not verify"):
        monitor.observe(log.checkpoint(6), log.proof(5, 6))
    state_file.write_text('{"version": 1, "no')
    with pytest.raises(MonitorStateError, match="is unreadable"):
        monitor.observe(log.checkpoint(6), log.proof(5, 6))


def test_state_file_is_replaced_whole(log: Log, tmp_path: Path) -> None:
    monitor = Monitor(tmp_path / "auditlog.json", VKEY)
    for size in (1, 2, 3):
        monitor.observe(log.checkpoint(size), log.proof)
    assert [path.name for path in tmp_path.iterdir()] == ["auditlog.json"]
    assert json.loads((tmp_path / "auditlog.json").read_text())["note"] == log.checkpoint(3)


@settings(max_examples=60, deadline=None)
@given(
    shared=st.integers(0, 40),
    old=st.integers(1, 40),
    new=st.integers(1, 40),
)
def test_assess_tells_a_shared_prefix_from_a_fork(shared: int, old: int, new: int) -> None:
    # Two logs agree on their first `shared` entries and differ after that.
    first = Log(entries(40))
    second = Log([*entries(40)[:shared], *entries(40, tag=" forked")[shared:]])
    previous = Checkpoint(ORIGIN, old, root(first.store, old))
    current = Checkpoint(ORIGIN, new, root(second.store, new))
    report = assess(previous, current, second.proof)
    # The second log supplies the proof, so it holds exactly when its tree at the
    # remembered size is the tree we remember: when that size is within the shared prefix.
    consistent = Outcome.ROLLBACK if new < old else Outcome.OK
    expected = consistent if old <= shared else Outcome.FORK
    assert report.outcome is expected, report.detail


def test_assess_alone_needs_no_files() -> None:
    one = Checkpoint(ORIGIN, 1, leaf_hash(b"a"))
    empty = Checkpoint(ORIGIN, 0, EMPTY_ROOT)
    assert assess(None, one).ok
    assert assess(one, one).ok
    # The empty tree is a prefix of every tree: no proof needed either way.
    assert assess(empty, one).ok
    assert assess(one, empty).outcome is Outcome.ROLLBACK
    assert assess(one, Checkpoint(ORIGIN, 0, bytes(32))).outcome is Outcome.FORK


def test_docstring_examples_run() -> None:
    assert doctest.testmod(monitor_module).failed == 0
