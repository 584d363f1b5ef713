"""The partner-side verifier: verifier keys, signed notes, checkpoints and proof edge cases.

Proofs are checked against the server's Merkle tree at every size in
``tests/registry/auditlog/test_merkle.py``; here are the parsers and the failure messages.
"""

import base64
import doctest
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from clients import verify
from clients.errors import (
    CheckpointError,
    ConsistencyProofError,
    EntryError,
    InclusionProofError,
    NoteFormatError,
    OpeningError,
    SignatureError,
    VerificationError,
    VerifierKeyError,
)
from clients.verify import (
    parse_checkpoint,
    parse_verifier_key,
    verify_checkpoint,
    verify_consistency,
    verify_inclusion,
    verify_note,
    verify_opening,
)
from registry.auditlog import sealing
from registry.auditlog.canonical import canonical_json
from registry.auditlog.events import EventClass
from registry.auditlog.note import sign_checkpoint, sign_note, verifier_key

# golang.org/x/mod/sumdb/note, note_test.go (TestNewVerifier, TestOpen).
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "— PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "— EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
)
# c2sp.org/signed-note's own example key and note.
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n— example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)

ORIGIN = "ketenregister.example/auditlog"
ROOT = bytes(range(32))
ROOT_B64 = base64.b64encode(ROOT).decode()


@pytest.fixture
def log_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


# --- verifier keys ---


def test_verifier_key_parses() -> None:
    key = parse_verifier_key(PETER_VKEY)
    assert (key.name, key.key_id.hex()) == ("PeterNeumann", "c74f20a3")


def test_every_mangled_verifier_key_is_refused() -> None:
    # As Go's TestNewVerifier: every proper substring and every one-byte change fails.
    for start in range(len(PETER_VKEY)):
        for end in range(start + 1, len(PETER_VKEY) + 1):
            if (start, end) != (0, len(PETER_VKEY)):
                with pytest.raises(VerifierKeyError):
                    parse_verifier_key(PETER_VKEY[start:end])
    for position, char in enumerate(PETER_VKEY):
        mangled = PETER_VKEY[:position] + chr(ord(char) + 1) + PETER_VKEY[position + 1 :]
        with pytest.raises(VerifierKeyError):
            parse_verifier_key(mangled)


@pytest.mark.parametrize(
    ("vkey", "message"),
    [
        ("PeterNeumann+c74f20a3", "not <name>\\+<key ID>\\+<key>"),
        ("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "spaces"),
        ("PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "not 8 hex"),
        ("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "does not match"),
        # From Go's tests: a wrong-length key and an unknown algorithm, key IDs adjusted.
        (
            "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
            "not an Ed25519 key",
        ),
        ("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "not an Ed25519"),
    ],
)
def test_bad_verifier_keys_name_the_problem(vkey: str, message: str) -> None:
    with pytest.raises(VerifierKeyError, match=message):
        parse_verifier_key(vkey)


# --- signed notes ---


def test_go_and_spec_notes_verify() -> None:
    assert verify_note(TEXT + "\n" + PETER_SIG, PETER_VKEY) == TEXT
    assert verify_note(SPEC_NOTE, SPEC_VKEY) == "This is an example message.\n"


def test_signatures_by_other_keys_are_ignored() -> None:
    both = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    assert verify_note(both, PETER_VKEY) == TEXT
    assert verify_note(both, ENOCH_VKEY) == TEXT
    # A broken signature by a key we do not check does not matter either.
    broken_enoch = ENOCH_SIG[:60] + "ABCD" + ENOCH_SIG[60:]
    assert verify_note(TEXT + "\n" + PETER_SIG + PETER_SIG + broken_enoch, PETER_VKEY) == TEXT


def test_missing_signature_names_who_did_sign() -> None:
    expected = r"no signature by PeterNeumann \(signed by: EnochRoot\)"
    with pytest.raises(SignatureError, match=expected):
        verify_note(TEXT + "\n" + ENOCH_SIG, PETER_VKEY)
    misnamed = PETER_SIG.replace("PeterNeumann", "CarmenSandiego")
    with pytest.raises(SignatureError, match="no signature by PeterNeumann"):
        verify_note(TEXT + "\n" + misnamed, PETER_VKEY)


def test_wrong_key_hash_is_named() -> None:
    wrong_hash = PETER_SIG.replace("x08g", "xxxx")
    with pytest.raises(SignatureError, match="has key ID c71c71a3, expected c74f20a3"):
        verify_note(TEXT + "\n" + wrong_hash, PETER_VKEY)


def test_corrupt_signature_by_the_key_rejects_the_note() -> None:
    corrupt = PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    with pytest.raises(SignatureError, match="signature by PeterNeumann does not verify"):
        verify_note(TEXT + "\n" + corrupt, PETER_VKEY)
    # Even when another, valid signature by the same key follows.
    with pytest.raises(SignatureError, match="does not verify"):
        verify_note(TEXT + "\n" + corrupt + PETER_SIG, PETER_VKEY)


@pytest.mark.parametrize(
    ("note", "message"),
    [
        (TEXT, "no blank line"),
        (TEXT + "\n", "no signature lines"),
        (TEXT + "\n" + PETER_SIG[:-1], "does not end in a newline"),
        ("\x01" + TEXT + "\n" + PETER_SIG, "control character"),
        (
            TEXT + "\n" + "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZ"
            "SNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
            "signature line 1 is not valid base64",
        ),
        (TEXT + "\n" + PETER_SIG + "Unexpected line.\n", "line 2 does not start with an em dash"),
        (TEXT + "\n" + PETER_SIG.replace("—", "--"), "does not start with an em dash"),
        (TEXT + "\n— PeterNeumann AAAA\n", "signature line 1 is too short"),
        (TEXT + "\n" + PETER_SIG * 101, "101 signatures, more than 100"),
    ],
)
def test_malformed_notes_are_refused(note: str, message: str) -> None:
    with pytest.raises(NoteFormatError, match=message):
        verify_note(note, PETER_VKEY)


# --- checkpoints ---


def test_checkpoint_parses_with_extension_lines() -> None:
    checkpoint = parse_checkpoint(f"{ORIGIN}\n42\n{ROOT_B64}\nextension one\nextension two\n")
    assert (checkpoint.origin, checkpoint.size, checkpoint.root) == (ORIGIN, 42, ROOT)
    assert checkpoint.extensions == ("extension one", "extension two")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (f"{ORIGIN}\n42\n{ROOT_B64}", "does not end in a newline"),
        (f"{ORIGIN}\n42\n", "has 2 lines, expected at least 3"),
        (f"\n42\n{ROOT_B64}\n", "origin is empty"),
        (f"{ORIGIN}\n042\n{ROOT_B64}\n", "size '042' is not a decimal number"),
        (f"{ORIGIN}\n+42\n{ROOT_B64}\n", "not a decimal number"),
        (f"{ORIGIN}\n\u0664\u0662\n{ROOT_B64}\n", "not a decimal number"),
        (f"{ORIGIN}\n42\n{ROOT_B64[:-4]}\n", "not a base64 32-byte hash"),
        # Non-canonical: the same bytes with nonzero padding bits.
        (f"{ORIGIN}\n42\n{ROOT_B64[:-2]}9=\n", "not a base64 32-byte hash"),
        (f"{ORIGIN}\n42\n{ROOT_B64}!\n", "root is not valid base64"),
        (f"{ORIGIN}\n42\n{ROOT_B64}\n\nx\n", "empty extension line"),
    ],
)
def test_malformed_checkpoints_are_refused(body: str, message: str) -> None:
    with pytest.raises(CheckpointError, match=message):
        parse_checkpoint(body)


def test_checkpoint_from_the_log_verifies(log_key: Ed25519PrivateKey) -> None:
    vkey = verifier_key(ORIGIN, log_key.public_key())
    checkpoint = verify_checkpoint(sign_checkpoint(ORIGIN, 9, ROOT, log_key), vkey)
    assert (checkpoint.size, checkpoint.root) == (9, ROOT)


def test_checkpoint_origin_must_match(log_key: Ed25519PrivateKey) -> None:
    body = f"other.example/log\n9\n{ROOT_B64}\n"
    signed = sign_note(body, ORIGIN, log_key)
    vkey = verifier_key(ORIGIN, log_key.public_key())
    with pytest.raises(CheckpointError, match=f"origin is other.example/log, expected {ORIGIN}"):
        verify_checkpoint(signed, vkey)
    assert verify_checkpoint(signed, vkey, origin="other.example/log").size == 9


def test_checkpoint_with_bad_signature_is_refused(log_key: Ed25519PrivateKey) -> None:
    signed = sign_checkpoint(ORIGIN, 9, ROOT, log_key)
    vkey = verifier_key(ORIGIN, log_key.public_key())
    with pytest.raises(SignatureError, match=f"signature by {ORIGIN} does not verify"):
        verify_checkpoint(signed.replace("\n9\n", "\n10\n"), vkey)


# --- proof edge cases (the bulk is property-tested against the server's tree) ---


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: verify_inclusion(b"x", -1, 5, [], ROOT), InclusionProofError, "index -1"),
        (lambda: verify_inclusion(b"x", 0, 0, [], ROOT), InclusionProofError, "beyond tree size 0"),
        (
            lambda: verify_inclusion(b"x", 0, 2, [b"short"], ROOT),
            InclusionProofError,
            "proof hash 0 is 5 bytes, expected 32",
        ),
        (
            lambda: verify_inclusion(b"x", 0, 1, [], ROOT[:4]),
            InclusionProofError,
            "root is 4 bytes, expected 32",
        ),
        (
            lambda: verify_inclusion(b"x", 0, 1, [], ROOT, leaf_is_hash=True),
            InclusionProofError,
            "leaf hash is 1 bytes",
        ),
        (
            lambda: verify_consistency(2, 3, ROOT, ROOT, []),
            ConsistencyProofError,
            "consistency proof is empty",
        ),
        (
            lambda: verify_consistency(3, 3, ROOT, ROOT, [ROOT]),
            ConsistencyProofError,
            "from size 3 to 3 must be empty",
        ),
        (
            lambda: verify_consistency(-1, 3, ROOT, ROOT, []),
            ConsistencyProofError,
            "old size -1 is beyond",
        ),
        (
            lambda: verify_consistency(1, 3, ROOT, ROOT[:1], [ROOT]),
            ConsistencyProofError,
            "new root is 1 bytes",
        ),
    ],
)
def test_proof_edge_cases_name_the_problem(
    call: object, error: type[VerificationError], message: str
) -> None:
    with pytest.raises(error, match=message):
        call()  # type: ignore[operator]


EVENT = {"type": "agreement.closed", "agreement": "a1", "case": "c1", "outcome": "breached"}


def _sealed(
    event: dict[str, object], event_class: EventClass = EventClass.CASE
) -> tuple[bytes, bytes]:
    """A leaf and its opening as the registry writes them (its own code, not the client's)."""
    opening = sealing.seal(event)
    leaf = sealing.leaf(
        7, "2026-11-02T10:00:00.000Z", "bureau-woonkans", event_class, sealing.commitment(opening)
    )
    return canonical_json(leaf), opening


def test_an_opening_the_registry_sealed_verifies_against_its_leaf() -> None:
    leaf, opening = _sealed(EVENT)
    assert verify_opening(leaf, opening) == EVENT
    assert b"breached" not in leaf


def _salted(event: dict[str, object], salt: object) -> bytes:
    return canonical_json({"event": event, "salt": salt})


def _leaf_for(opening: bytes, event_class: str = "case", version: int = 2) -> bytes:
    return canonical_json(
        {
            "v": version,
            "index": 7,
            "class": event_class,
            "commitment": hashlib.sha256(opening).hexdigest(),
        }
    )


@pytest.mark.parametrize(
    ("leaf", "opening", "error", "message"),
    [
        (
            _sealed(EVENT)[0],
            _sealed(EVENT)[1].replace(b"breached", b"completed"),
            OpeningError,
            "the opening of entry 7 does not match its leaf's commitment",
        ),
        (_leaf_for(b"{}", version=3), b"{}", EntryError, "entry 7 is of unknown format 3"),
        (b"not json", b"{}", EntryError, "the entry is not JSON"),
        (_leaf_for(b"[]"), b"[]", OpeningError, "the opening of entry 7 is not a JSON object"),
        (
            _leaf_for(_salted(EVENT, "ab")),
            _salted(EVENT, "ab"),
            OpeningError,
            "the opening of entry 7 holds no 256-bit salt",
        ),
        (
            _leaf_for(_salted({"outcome": "breached"}, "ab" * 32)),
            _salted({"outcome": "breached"}, "ab" * 32),
            OpeningError,
            "the opening of entry 7 holds no event",
        ),
        (
            _leaf_for(_salted({"type": "policy.revoked", "policy": 1}, "ab" * 32)),
            _salted({"type": "policy.revoked", "policy": 1}, "ab" * 32),
            OpeningError,
            "the opening of entry 7 is a policy.revoked event, but its leaf says class case",
        ),
        (
            canonical_json({"v": 1, "index": 7, "event": EVENT}),
            canonical_json({"v": 1, "index": 7, "event": {**EVENT, "outcome": "completed"}}),
            OpeningError,
            "the opening of entry 7 is not the entry: a format 1 entry is its own opening",
        ),
    ],
    ids=["edited", "format", "leaf-not-json", "not-object", "salt", "no-event", "class", "v1"],
)
def test_an_opening_that_does_not_match_names_the_failed_check(
    leaf: bytes, opening: bytes, error: type[VerificationError], message: str
) -> None:
    with pytest.raises(error, match=f"^{message}$"):
        verify_opening(leaf, opening)


def test_a_format_1_entry_is_its_own_opening() -> None:
    leaf = canonical_json({"v": 1, "index": 3, "event": EVENT})
    assert verify_opening(leaf, leaf) == EVENT


def test_errors_share_one_base() -> None:
    for error in (
        VerifierKeyError,
        NoteFormatError,
        SignatureError,
        CheckpointError,
        InclusionProofError,
        ConsistencyProofError,
    ):
        assert issubclass(error, VerificationError)


def test_docstring_examples_run() -> None:
    assert doctest.testmod(verify).failed == 0
