r"""A witness (*getuige*) that cosigns the registry's checkpoints: C2SP tlog-witness.

A partner runs it as its own HTTP process (``ketenregister-client witness serve``). For each
log it is configured with (the log's verifier key; the log's origin is the key's name) it
remembers the last checkpoint it cosigned, in a state file written atomically, and answers
``POST /add-checkpoint`` (https://c2sp.org/tlog-witness)::

    old <size the client believes the witness has>\n
    <consistency proof from that size to the checkpoint's size, one base64 hash a line>\n
    \n
    <the signed checkpoint>

=====  ===================================================================================
200    the checkpoint is signed by the log and extends the remembered one: the body is the
       witness's cosignature line (``clients.cosignature``), and it is remembered
400    the request is malformed, or ``old`` is larger than the checkpoint's size
403    no signature on the checkpoint verifies under the log's key
404    the witness does not know the checkpoint's origin
409    ``old`` is not the size the witness remembers (the body is that size, content type
       ``text/x.tlog.size``: the client retries from it), or the same size with another
       root hash: a fork
422    the consistency proof does not verify: the log rewrote its history
=====  ===================================================================================

Checking ``old`` against the state and remembering the new checkpoint happen under one lock,
so two requests can never roll the state back between them (the race the spec describes).
Whatever is refused leaves the state as it was; a refusal that is evidence of a misbehaving
log (a fork, a bad proof) is logged with the checkpoint.
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from clients.cosignature import WitnessSigner
from clients.errors import (
    CheckpointError,
    ConsistencyProofError,
    NoteFormatError,
    SignatureError,
    VerificationError,
)
from clients.statefile import write_atomically
from clients.verify import (
    EMPTY_ROOT,
    HASH_SIZE,
    Checkpoint,
    VerifierKey,
    parse_verifier_key,
    split_note,
    verify_checkpoint,
    verify_consistency,
)

__all__ = ["Answer", "Witness", "WitnessStateError", "create_app", "exclusive", "parse_request"]

log = logging.getLogger(__name__)

#: The content type of a 409 answer's body: the witness's size in decimal.
SIZE_CONTENT_TYPE = "text/x.tlog.size"
#: At most this many consistency proof lines (tlog-witness: a client sends at most 63).
MAX_PROOF_LINES = 63
#: A request is a few hundred bytes of proof and a checkpoint with a few signatures.
MAX_BODY_BYTES = 64 * 1024
_STATE_VERSION = 1
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


class WitnessStateError(VerificationError):
    """The witness's state file is unreadable, or holds a checkpoint that does not verify."""


class _BadRequestError(ValueError):
    """The add-checkpoint body does not follow the tlog-witness format (400)."""


@dataclass(frozen=True)
class Answer:
    """An HTTP answer to ``add-checkpoint``: status, plain-text body and content type."""

    status: int
    body: str
    content_type: str = "text/plain; charset=utf-8"


def parse_request(body: bytes) -> tuple[int, list[bytes], str]:
    r"""The old size, the consistency proof and the signed checkpoint of an add-checkpoint body.

    Raises:
        ValueError: the body does not follow c2sp.org/tlog-witness (answered 400).

    Example:
        >>> old, proof, note = parse_request(
        ...     b"old 2\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\nexample.org/log\n3\n...")
        >>> old, len(proof), note.splitlines()[:2]
        (2, 1, ['example.org/log', '3'])
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _BadRequestError("the request is not UTF-8") from None
    head, separator, note_text = text.partition("\n\n")
    if not separator:
        raise _BadRequestError("the request has no empty line before the checkpoint")
    lines = head.split("\n")
    old_line, proof_lines = lines[0], lines[1:]
    if not old_line.startswith("old ") or not _DECIMAL.fullmatch(old_line[4:]):
        raise _BadRequestError("the first line is not 'old <size>' in decimal")
    if len(proof_lines) > MAX_PROOF_LINES:
        raise _BadRequestError(f"more than {MAX_PROOF_LINES} consistency proof lines")
    proof = []
    for number, line in enumerate(proof_lines, start=1):
        try:
            value = base64.b64decode(line, validate=True)
        except binascii.Error:
            raise _BadRequestError(f"consistency proof line {number} is not base64") from None
        if len(value) != HASH_SIZE:
            raise _BadRequestError(f"consistency proof line {number} is not a 32-byte hash")
        proof.append(value)
    return int(old_line[4:]), proof, note_text


class Witness:
    r"""The witness: its signing key, the logs it knows, and its state file.

    Example:
        >>> import tempfile, pathlib
        >>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        >>> vkey = "example.org/log+98af023b+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"
        >>> note = ("example.org/log\n3\nNmQuc8JUCrEh46a/lUWwokmCzYMOsT080Z3jzmwCHsE=\n\n"
        ...         "— example.org/log mK8CO+BRZWsNbOSLZ6WX5b6XB6NSJreLGWgIvO9WSF9Xf30mG"
        ...         "VOflBb+3wsZedooBn0s6XcTjNJr3TQZ4R1bK66pygY=\n")
        >>> signer = WitnessSigner("witness.example/w1", Ed25519PrivateKey.generate())
        >>> with tempfile.TemporaryDirectory() as directory:
        ...     witness = Witness(signer, [vkey], pathlib.Path(directory) / "state.json")
        ...     first = witness.add_checkpoint(("old 0\n\n" + note).encode())
        ...     again = witness.add_checkpoint(("old 0\n\n" + note).encode())
        >>> first.status, first.body.startswith("— witness.example/w1 ")
        (200, True)
        >>> again.status, again.body, again.content_type
        (409, '3\n', 'text/x.tlog.size')
    """

    def __init__(
        self,
        signer: WitnessSigner,
        log_keys: Sequence[str | VerifierKey],
        state_file: str | os.PathLike[str],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.signer = signer
        keys = [parse_verifier_key(k) if isinstance(k, str) else k for k in log_keys]
        # tlog-checkpoint: a log signs under its origin, so the key's name is the origin.
        self._logs = {key.name: key for key in keys}
        self._path = Path(state_file)
        self._clock = clock
        self._lock = threading.Lock()
        #: Notes of logs no longer configured, kept as they are in the state file.
        self._kept: dict[str, str] = {}
        self._state = self._load()

    @property
    def origins(self) -> list[str]:
        """The origins of the logs this witness cosigns."""
        return sorted(self._logs)

    def latest(self, origin: str) -> Checkpoint | None:
        """The last checkpoint cosigned for ``origin``, or None."""
        remembered = self._state.get(origin)
        return remembered[0] if remembered else None

    def _load(self) -> dict[str, tuple[Checkpoint, str]]:
        try:
            raw = self._path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise WitnessStateError(f"cannot read {self._path}: {exc.strerror}") from None
        try:
            document = json.loads(raw)
            notes = document["logs"]
            if document.get("version") != _STATE_VERSION or not isinstance(notes, dict):
                raise ValueError("unknown state format")
        except (ValueError, KeyError, TypeError) as error:
            raise WitnessStateError(f"state file {self._path} is unreadable: {error}") from None
        state = {}
        for origin, entry in notes.items():
            note_text = entry.get("note") if isinstance(entry, dict) else None
            key = self._logs.get(origin)
            if not isinstance(note_text, str):
                raise WitnessStateError(f"state file {self._path}: no note for {origin}")
            if key is None:  # a log no longer configured: keep what we saw of it, untouched
                self._kept[origin] = note_text
                continue
            try:
                state[origin] = (verify_checkpoint(note_text, key), note_text)
            except VerificationError as error:
                # Never start afresh from a damaged state: that would cosign a fork.
                raise WitnessStateError(
                    f"state file {self._path} holds a checkpoint of {origin} that does not "
                    f"verify: {error}"
                ) from None
        return state

    def _save(self) -> None:
        notes = {**self._kept, **{origin: note for origin, (_, note) in self._state.items()}}
        logs = {origin: {"note": note} for origin, note in sorted(notes.items())}
        document = {"version": _STATE_VERSION, "witness": self.signer.name, "logs": logs}
        write_atomically(self._path, json.dumps(document, indent=1, ensure_ascii=False) + "\n")

    def add_checkpoint(self, body: bytes) -> Answer:
        """Answer one ``add-checkpoint`` request (see the module docstring)."""
        try:
            old, proof, note_text = parse_request(body)
        except _BadRequestError as error:
            return Answer(400, f"{error}\n")
        origin = note_text.split("\n", 1)[0]
        key = self._logs.get(origin)
        if key is None:
            return Answer(404, f"unknown log origin {origin!r}\n")
        try:
            checkpoint = verify_checkpoint(note_text, key)
        except SignatureError as error:
            return Answer(403, f"{error}\n")
        except (NoteFormatError, CheckpointError) as error:
            return Answer(400, f"{error}\n")
        if old > checkpoint.size:
            message = f"old size {old} is larger than the checkpoint size {checkpoint.size}"
            return Answer(400, message + "\n")
        with self._lock:
            return self._check_and_cosign(old, proof, checkpoint, note_text)

    def _check_and_cosign(
        self, old: int, proof: list[bytes], checkpoint: Checkpoint, note_text: str
    ) -> Answer:
        remembered = self._state.get(checkpoint.origin)
        known = remembered[0] if remembered else Checkpoint(checkpoint.origin, 0, EMPTY_ROOT)
        if old != known.size:
            return Answer(409, f"{known.size}\n", SIZE_CONTENT_TYPE)
        if checkpoint.size == known.size:
            if checkpoint.root != known.root:
                log.warning(
                    "log %s FORKED: a second root at size %d; refused:\n%s",
                    checkpoint.origin,
                    checkpoint.size,
                    note_text,
                )
                return Answer(409, f"{known.size}\n", SIZE_CONTENT_TYPE)
        else:
            try:
                verify_consistency(old, checkpoint.size, known.root, checkpoint.root, proof)
            except ConsistencyProofError as error:
                log.warning(
                    "log %s: checkpoint of size %d does not extend size %d (%s); refused:\n%s",
                    checkpoint.origin,
                    checkpoint.size,
                    old,
                    error,
                    note_text,
                )
                return Answer(422, f"{error}\n")
            previous = self._state.get(checkpoint.origin)
            self._state[checkpoint.origin] = (checkpoint, note_text)
            try:
                self._save()  # remembered on disk before any cosignature leaves
            except BaseException:
                if previous is None:
                    del self._state[checkpoint.origin]
                else:
                    self._state[checkpoint.origin] = previous
                raise
        body, _ = split_note(note_text)
        return Answer(200, self.signer.cosign(body, int(self._clock())))


def create_app(witness: Witness) -> Starlette:
    """The witness's HTTP interface: ``POST /add-checkpoint``, and ``GET /`` naming its key."""

    async def add_checkpoint(request: Request) -> Response:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return PlainTextResponse("request too large\n", 413)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                return PlainTextResponse("request too large\n", 413)
        # Checked and remembered in one step, without yielding to another request.
        answer = witness.add_checkpoint(body)
        # The content type exactly as given: tlog-witness names it, with no charset.
        return Response(answer.body, answer.status, headers={"content-type": answer.content_type})

    async def about(_request: Request) -> Response:
        lines = [f"witness {witness.signer.key.vkey}", *(f"log {o}" for o in witness.origins)]
        return PlainTextResponse("\n".join(lines) + "\n")

    return Starlette(
        routes=[
            Route("/add-checkpoint", add_checkpoint, methods=["POST"]),
            Route("/", about, methods=["GET"]),
        ]
    )


@contextmanager
def exclusive(state_file: str | os.PathLike[str]) -> Iterator[None]:
    """Hold a lock next to the state file, so no second witness process shares it (two would
    each check against a state the other is about to change)."""
    path = Path(f"{state_file}.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WitnessStateError(f"another witness process uses {state_file}") from None
        yield
