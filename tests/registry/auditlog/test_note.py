"""Signed notes and checkpoints, against the Go sumdb/note vectors and our own verifier."""

import base64
import doctest

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from clients.errors import SignatureError
from clients.verify import parse_checkpoint, verify_checkpoint, verify_note
from registry.auditlog import note
from registry.auditlog.note import (
    NoteFormatError,
    format_checkpoint,
    key_hash,
    parse_signer_key,
    sign_checkpoint,
    sign_note,
    signer_key,
    verifier_key,
)

# golang.org/x/mod/sumdb/note, note_test.go (TestSign, TestOpen).
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n— PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)

ORIGIN = "ketenregister.example/auditlog"
ROOT = bytes(range(32))


@pytest.fixture
def log_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def test_signing_reproduces_the_go_vector() -> None:
    name, private_key = parse_signer_key(GO_SKEY)
    assert name == "PeterNeumann"
    assert sign_note(GO_TEXT, name, private_key) == GO_NOTE
    assert verifier_key(name, private_key.public_key()) == GO_VKEY
    assert key_hash(name, private_key.public_key()).hex() == "c74f20a3"
    assert signer_key(name, private_key) == GO_SKEY


def test_signed_note_round_trips(log_key: Ed25519PrivateKey) -> None:
    text = "first line\n\nafter an empty line\n"
    signed = sign_note(text, ORIGIN, log_key)
    assert signed.startswith(text + "\n— " + ORIGIN + " ")
    assert verify_note(signed, verifier_key(ORIGIN, log_key.public_key())) == text


def test_note_signed_by_another_key_fails(log_key: Ed25519PrivateKey) -> None:
    impostor = Ed25519PrivateKey.generate()
    signed = sign_note("hello\n", ORIGIN, impostor)
    with pytest.raises(SignatureError, match=f"signature by {ORIGIN} has key ID .*, expected"):
        verify_note(signed, verifier_key(ORIGIN, log_key.public_key()))


def test_edited_text_fails(log_key: Ed25519PrivateKey) -> None:
    signed = sign_note("size 5\n", ORIGIN, log_key)
    with pytest.raises(SignatureError, match=f"signature by {ORIGIN} does not verify"):
        verify_note(signed.replace("size 5", "size 6"), verifier_key(ORIGIN, log_key.public_key()))


def test_a_forged_signature_under_the_right_key_id_fails(log_key: Ed25519PrivateKey) -> None:
    # Someone copies the key ID but signs with another key: the ID is no authentication.
    vkey = verifier_key(ORIGIN, log_key.public_key())
    forged = Ed25519PrivateKey.generate().sign(b"hello\n")
    blob = key_hash(ORIGIN, log_key.public_key()) + forged
    signed = f"hello\n\n— {ORIGIN} {base64.b64encode(blob).decode()}\n"
    with pytest.raises(SignatureError, match=f"signature by {ORIGIN} does not verify"):
        verify_note(signed, vkey)


def test_checkpoint_body_is_origin_size_root() -> None:
    body = format_checkpoint(ORIGIN, 1025, ROOT)
    assert body == f"{ORIGIN}\n1025\n{base64.b64encode(ROOT).decode()}\n"
    assert parse_checkpoint(body).size == 1025
    assert format_checkpoint(ORIGIN, 0, ROOT).splitlines()[1] == "0"


def test_signed_checkpoint_verifies(log_key: Ed25519PrivateKey) -> None:
    signed = sign_checkpoint(ORIGIN, 7, ROOT, log_key)
    checkpoint = verify_checkpoint(signed, verifier_key(ORIGIN, log_key.public_key()))
    assert (checkpoint.origin, checkpoint.size, checkpoint.root) == (ORIGIN, 7, ROOT)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("", 1, ROOT), "origin must be one non-empty line"),
        (("a\nb", 1, ROOT), "origin must be one non-empty line"),
        ((ORIGIN, -1, ROOT), "size -1 is not a non-negative integer"),
        ((ORIGIN, 1, ROOT[:31]), "root is 31 bytes, expected 32"),
    ],
)
def test_bad_checkpoints_are_refused(arguments: tuple[str, int, bytes], message: str) -> None:
    with pytest.raises(NoteFormatError, match=message):
        format_checkpoint(*arguments)


@pytest.mark.parametrize(
    ("text", "name", "message"),
    [
        ("no newline", ORIGIN, "must end in a newline"),
        ("tab\there\n", ORIGIN, "control character"),
        ("ok\n", "", "key name is empty"),
        ("ok\n", "two words", "contains a space"),
        ("ok\n", "a+b", "contains a space, '\\+'"),
    ],
)
def test_bad_notes_are_refused(
    log_key: Ed25519PrivateKey, text: str, name: str, message: str
) -> None:
    with pytest.raises(NoteFormatError, match=message):
        sign_note(text, name, log_key)


@pytest.mark.parametrize(
    ("skey", "message"),
    [
        (GO_SKEY.replace("PRIVATE+KEY+", ""), "does not start with PRIVATE\\+KEY\\+"),
        (GO_SKEY.replace("c74f20a3", "c74f20a4"), "key ID c74f20a4 does not match its key"),
        (GO_SKEY[:-4], "not valid base64|not an Ed25519 key"),
    ],
)
def test_bad_signer_keys_are_refused(skey: str, message: str) -> None:
    with pytest.raises(NoteFormatError, match=message):
        parse_signer_key(skey)


def test_docstring_examples_run() -> None:
    assert doctest.testmod(note).failed == 0
