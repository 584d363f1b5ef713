r"""Watch the signed audit log for rollbacks, forks and truncations.

A partner that only verifies signatures can be shown a different history than other
partners, or an older one. The monitor remembers the last checkpoint it verified (in a
small JSON state file) and checks every new checkpoint against it:

``ok``
    Same size and root, or the log grew and a consistency proof shows the remembered
    tree is a prefix of the new one (RFC 9162 §2.1.4). The first checkpoint ever seen
    is trusted as is and reported ``ok``.
``fork``
    The same size with another root, or a consistency proof that fails: the log shows
    two histories that cannot both be true.
``rollback``
    The log shrank, and the smaller tree is proved to be a prefix of the remembered
    one: an older state of the same history (a stale or replayed checkpoint, or a
    restore from backup). Entries after it are hidden, none are rewritten.
``truncation``
    The log shrank, and the log cannot prove (the proof source returns None) that the
    smaller tree is a prefix of the remembered one: the entries we saw beyond its size
    are gone, so what is left cannot be tied to them.

Only ``ok`` moves the remembered checkpoint forward; after any other outcome the monitor
keeps the old one (fail closed), and the report carries both signed notes, which
together prove the misbehaviour to anyone holding the log's key.

`assess` is the pure decision; `Monitor` adds the state file. Fetching checkpoints and
proofs over HTTP is the caller's business.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

from clients.cosignature import WitnessPolicy
from clients.errors import (
    CheckpointError,
    ConsistencyProofError,
    LogMisbehaviourError,
    MonitorStateError,
    VerificationError,
)
from clients.statefile import write_atomically
from clients.verify import (
    Checkpoint,
    VerifierKey,
    parse_verifier_key,
    verify_checkpoint,
    verify_consistency,
)

__all__ = ["Monitor", "MonitorReport", "Outcome", "ProofSource", "assess"]

ProofSource = Callable[[int, int], Sequence[bytes] | None] | Sequence[bytes] | None
"""A consistency proof between two sizes: the proof itself, or a callable that takes
``(smaller size, larger size)`` and returns it, or None when the log cannot supply it."""

_STATE_VERSION = 1


class Outcome(StrEnum):
    """What a new checkpoint says about the log's history (see the module docstring)."""

    OK = "ok"
    FORK = "fork"
    ROLLBACK = "rollback"
    TRUNCATION = "truncation"


@dataclass(frozen=True)
class MonitorReport:
    """The verdict on one new checkpoint.

    Attributes:
        outcome: What happened.
        previous: The remembered checkpoint, or None for the first one seen.
        current: The new checkpoint.
        detail: One sentence naming the sizes and the failed check, for logs and alerts.
        evidence: For outcomes other than ``ok``: the remembered and the new signed
            note, which together prove the misbehaviour. Empty from `assess` alone.
    """

    outcome: Outcome
    previous: Checkpoint | None
    current: Checkpoint
    detail: str
    evidence: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the new checkpoint extends the remembered history."""
        return self.outcome is Outcome.OK

    def raise_for_outcome(self) -> None:
        """Raise `LogMisbehaviourError` unless the outcome is ``ok``."""
        if not self.ok:
            raise LogMisbehaviourError(f"{self.outcome}: {self.detail}", outcome=self.outcome)


def _proof(source: ProofSource, smaller: int, larger: int) -> Sequence[bytes] | None:
    if smaller == 0:  # the empty tree is a prefix of every tree: nothing to fetch
        return []
    return source(smaller, larger) if callable(source) else source


def assess(
    previous: Checkpoint | None, current: Checkpoint, proof: ProofSource = None
) -> MonitorReport:
    """Decide whether `current` extends `previous`; both must already be verified.

    Args:
        previous: The remembered checkpoint, or None when there is none yet.
        current: The new checkpoint.
        proof: A consistency proof from the smaller to the larger of the two sizes, or
            a callable giving it for ``(smaller, larger)``. Not needed for equal sizes.

    Raises:
        CheckpointError: the two checkpoints are for different origins.
        ConsistencyProofError: the log grew but no proof was supplied, so nothing can be
            decided yet (fetch the proof and try again).

    Example:
        >>> from clients.verify import leaf_hash, node_hash
        >>> old = Checkpoint("example.org/log", 1, leaf_hash(b"a"))
        >>> new = Checkpoint("example.org/log", 2, node_hash(leaf_hash(b"a"), leaf_hash(b"b")))
        >>> assess(old, new, [leaf_hash(b"b")]).outcome
        <Outcome.OK: 'ok'>
        >>> assess(new, old, lambda smaller, larger: None).outcome
        <Outcome.TRUNCATION: 'truncation'>
    """

    def report(outcome: Outcome, detail: str) -> MonitorReport:
        return MonitorReport(outcome, previous, current, detail)

    if previous is None:
        return report(Outcome.OK, f"first checkpoint, size {current.size}, trusted on first use")
    if previous.origin != current.origin:
        raise CheckpointError(f"checkpoint origin is {current.origin}, expected {previous.origin}")
    old, new = previous.size, current.size
    if new == old:
        if current.root == previous.root:
            return report(Outcome.OK, f"unchanged at size {new}")
        return report(Outcome.FORK, f"two different roots at the same size {new}")
    if new > old:
        supplied = _proof(proof, old, new)
        if supplied is None:
            raise ConsistencyProofError(f"no consistency proof from size {old} to {new}")
        try:
            verify_consistency(old, new, previous.root, current.root, supplied)
        except ConsistencyProofError as error:
            return report(Outcome.FORK, f"size {old} to {new}: {error}")
        return report(Outcome.OK, f"grew from size {old} to {new}")
    supplied = _proof(proof, new, old)
    if supplied is None:
        return report(
            Outcome.TRUNCATION,
            f"size shrank from {old} to {new} and the log cannot prove it is a prefix",
        )
    try:
        verify_consistency(new, old, current.root, previous.root, supplied)
    except ConsistencyProofError as error:
        return report(Outcome.FORK, f"size shrank from {old} to {new}: {error}")
    return report(
        Outcome.ROLLBACK, f"size shrank from {old} to {new}, an older state of the same history"
    )


class Monitor:
    r"""`assess` with memory: the last good checkpoint lives in a JSON state file.

    The file holds the signed note itself and is re-verified on every load, so a
    tampered state file is an error, never a silent fresh start (which would accept a
    forked log as "first seen").

    Example:
        >>> import tempfile, pathlib
        >>> vkey = "example.org/log+98af023b+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"
        >>> note = ("example.org/log\n3\nNmQuc8JUCrEh46a/lUWwokmCzYMOsT080Z3jzmwCHsE=\n\n"
        ...         "— example.org/log mK8CO+BRZWsNbOSLZ6WX5b6XB6NSJreLGWgIvO9WSF9Xf30mG"
        ...         "VOflBb+3wsZedooBn0s6XcTjNJr3TQZ4R1bK66pygY=\n")
        >>> with tempfile.TemporaryDirectory() as directory:
        ...     monitor = Monitor(pathlib.Path(directory) / "log-state.json", vkey)
        ...     print(monitor.observe(note).outcome, monitor.observe(note).detail)
        ok unchanged at size 3
    """

    def __init__(
        self,
        state_file: str | os.PathLike[str],
        vkey: str | VerifierKey,
        *,
        origin: str | None = None,
        witnesses: WitnessPolicy | None = None,
    ) -> None:
        self._path = Path(state_file)
        self._key = parse_verifier_key(vkey) if isinstance(vkey, str) else vkey
        self._origin = origin
        self._witnesses = witnesses

    def _verify(self, note_text: str) -> Checkpoint:
        return verify_checkpoint(note_text, self._key, self._origin)

    def _load(self) -> tuple[Checkpoint, str] | None:
        try:
            raw = self._path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            state = json.loads(raw)
            note_text = state["note"]
            if state.get("version") != _STATE_VERSION or not isinstance(note_text, str):
                raise ValueError("unknown state format")
        except (ValueError, KeyError, TypeError) as error:
            raise MonitorStateError(f"state file {self._path} is unreadable: {error}") from None
        try:
            return self._verify(note_text), note_text
        except VerificationError as error:
            raise MonitorStateError(
                f"state file {self._path} holds a checkpoint that does not verify: {error}"
            ) from None

    def _save(self, note_text: str) -> None:
        payload = json.dumps({"version": _STATE_VERSION, "note": note_text}, ensure_ascii=False)
        write_atomically(self._path, payload)

    @property
    def last_checkpoint(self) -> Checkpoint | None:
        """The remembered checkpoint, or None before the first one."""
        loaded = self._load()
        return loaded[0] if loaded else None

    def observe(self, note_text: str, proof: ProofSource = None) -> MonitorReport:
        """Verify a new signed checkpoint, assess it, and remember it when ``ok`` and, with a
        witness policy, cosigned by enough of the witnesses.

        A checkpoint that shows misbehaviour is reported whatever its cosignatures: the
        log's own signature on it is the evidence.

        Raises:
            VerificationError: the note does not verify under the log's key or origin.
            MonitorStateError: the state file is unreadable or does not verify.
            ConsistencyProofError: the log grew but no proof was supplied.
            WitnessPolicyError: fewer of the witnesses than required cosigned it (the
                state keeps the last checkpoint that met the policy).
            CosignatureError: a cosignature by one of the witness keys does not verify.
        """
        current = self._verify(note_text)
        loaded = self._load()
        previous, previous_note = loaded if loaded else (None, "")
        result = assess(previous, current, proof)
        if not result.ok:
            return replace(result, evidence=(previous_note, note_text))
        if self._witnesses is not None:
            self._witnesses.check(note_text)
        if previous is None or current.size > previous.size:
            self._save(note_text)
        return result
