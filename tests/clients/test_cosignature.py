"""Witness cosignatures (C2SP tlog-cosignature, Ed25519 cosignature/v1): published vectors,
the partner's and the registry's implementations agreeing on every encoding, and the
"k of these witnesses" policy."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from clients.cosignature import (
    MAX_TIMESTAMP,
    WitnessPolicy,
    WitnessSigner,
    cosigned_message,
    parse_cosigner_key,
    verify_cosignature,
)
from clients.errors import CosignatureError, VerifierKeyError, WitnessPolicyError
from registry.auditlog import cosignatures as registry_side
from registry.auditlog.signer import LogSigner

# transparency-dev/formats note/note_cosigv1_test.go: a live witness's cosignature/v1 key,
# and a cosignature whose timestamp is 1727964367.
REMORA_VKEY = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"
TIMESTAMPED = (
    "ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOwor"
    "DcFiEBYJXORmnFBOBA=="
)
# golang.org/x/mod/sumdb/note: a log (type 0x01) key, which is not a witness key.
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
# c2sp.org/tlog-cosignature: the example checkpoint and the message its cosignature signs.
SPEC_BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
SPEC_MESSAGE = (
    "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
)
BODY = "ketenregister.test/log\n7\n" + base64.b64encode(bytes(range(32))).decode() + "\n"


def _signer(name: str = "gemeente-groningen.test/witness") -> WitnessSigner:
    return WitnessSigner(name, Ed25519PrivateKey.generate())


def test_the_published_witness_key_parses_on_both_sides() -> None:
    key = parse_cosigner_key(REMORA_VKEY)
    assert (key.name, key.key_id.hex()) == ("remora.n621.de", "da77ade7")
    assert key.vkey == REMORA_VKEY
    assert registry_side.parse_witness_key(REMORA_VKEY).key_id.hex() == "da77ade7"


def test_a_log_key_is_not_a_witness_key() -> None:
    with pytest.raises(VerifierKeyError, match="not a cosignature/v1 Ed25519 key"):
        parse_cosigner_key(GO_VKEY)
    with pytest.raises(registry_side.CosignatureError, match="not a cosignature/v1"):
        registry_side.parse_witness_key(GO_VKEY)
    with pytest.raises(VerifierKeyError, match="does not match its name and key"):
        parse_cosigner_key(REMORA_VKEY.replace("da77ade7", "da77ade8"))


def test_the_signed_message_is_the_one_the_spec_shows() -> None:
    assert cosigned_message(SPEC_BODY, 1679315147) == SPEC_MESSAGE.encode()
    assert registry_side.cosigned_message(SPEC_BODY, 1679315147) == SPEC_MESSAGE.encode()


def test_the_timestamp_is_eight_big_endian_bytes_after_the_key_id() -> None:
    blob = base64.b64decode(TIMESTAMPED)
    assert int.from_bytes(blob[4:12], "big") == 1727964367
    signer = _signer()
    line = signer.cosign(BODY, 1727964367)
    ours = base64.b64decode(line.split(" ")[-1])
    assert len(ours) == len(blob) == 76
    assert ours[:4] == signer.key.key_id
    assert ours[4:12] == blob[4:12]


def test_the_key_file_round_trips_and_is_refused_when_tampered() -> None:
    signer = _signer()
    again = WitnessSigner.from_key_string(signer.key_string())
    assert again.key.vkey == signer.key.vkey
    assert signer.key_string().startswith("PRIVATE+KEY+gemeente-groningen.test/witness+")
    with pytest.raises(VerifierKeyError, match="does not match its key"):
        WitnessSigner.from_key_string(
            signer.key_string().replace(signer.key.key_id.hex(), "00000000")
        )


names = st.from_regex(r"[a-z0-9.-]{1,20}/[a-z0-9]{1,8}", fullmatch=True)
bodies = st.builds(
    lambda origin, size, root, extensions: "".join(
        f"{line}\n" for line in [origin, str(size), base64.b64encode(root).decode(), *extensions]
    ),
    names,
    st.integers(0, 2**63),
    st.binary(min_size=32, max_size=32),
    st.lists(st.text("abcdefgh 0123456789-", min_size=1, max_size=12), max_size=2),
)
timestamps = st.integers(0, MAX_TIMESTAMP)


@given(name=names, body=bodies, timestamp=timestamps, seed=st.binary(min_size=32, max_size=32))
def test_both_sides_agree_on_every_cosignature(
    name: str, body: str, timestamp: int, seed: bytes
) -> None:
    signer = WitnessSigner(name, Ed25519PrivateKey.from_private_bytes(seed))
    line = signer.cosign(body, timestamp)
    assert line.startswith(f"— {name} ") and line.endswith("\n")
    assert verify_cosignature(line, body, signer.key) == timestamp
    registry_key = registry_side.parse_witness_key(signer.key.vkey)
    assert registry_side.verify_cosignature(line, body, registry_key) == timestamp
    assert registry_side.signature_line_key(line) == (name, signer.key.key_id)


@given(body=bodies, timestamp=timestamps, flip=st.integers(0, 10_000))
def test_a_cosignature_covers_every_byte_of_the_body_and_the_timestamp(
    body: str, timestamp: int, flip: int
) -> None:
    signer = WitnessSigner("w.test/w", Ed25519PrivateKey.from_private_bytes(bytes(32)))
    line = signer.cosign(body, timestamp)
    position = flip % len(body)
    replacement = "0" if body[position] != "0" else "1"
    if body[position] == "\n":
        return  # the line structure itself is not what this property is about
    changed = body[:position] + replacement + body[position + 1 :]
    with pytest.raises(CosignatureError, match="does not verify"):
        verify_cosignature(line, changed, signer.key)
    registry_key = registry_side.parse_witness_key(signer.key.vkey)
    with pytest.raises(registry_side.CosignatureError, match="does not verify"):
        registry_side.verify_cosignature(line, changed, registry_key)
    blob = bytearray(base64.b64decode(line.split(" ")[-1]))
    blob[11] ^= 1  # the timestamp's last byte
    moved = f"— w.test/w {base64.b64encode(bytes(blob)).decode()}"
    with pytest.raises(CosignatureError, match="does not verify"):
        verify_cosignature(moved, body, signer.key)


def test_malformed_cosignature_lines_name_what_is_wrong() -> None:
    signer = _signer()
    key = signer.key
    line = signer.cosign(BODY, 1)
    with pytest.raises(CosignatureError, match="one line starting with an em dash"):
        verify_cosignature("- " + line[2:], BODY, key)
    with pytest.raises(CosignatureError, match=r"expected gemeente-groningen\.test/witness"):
        verify_cosignature(line.replace("gemeente-groningen", "bureau-woonkans"), BODY, key)
    with pytest.raises(CosignatureError, match="is 72 bytes, expected 76"):
        verify_cosignature(
            line.rsplit(" ", 1)[0]
            + " "
            + base64.b64encode(base64.b64decode(line.split(" ")[-1])[:72]).decode(),
            BODY,
            key,
        )
    with pytest.raises(CosignatureError, match="out of range"):
        cosigned_message(BODY, MAX_TIMESTAMP + 1)
    with pytest.raises(CosignatureError, match="at least three lines"):
        cosigned_message("origin\n7\n", 1)


def _log_note(size: int = 7) -> str:
    return LogSigner.generate("ketenregister.test/log").sign_checkpoint(size, bytes(32))


def test_a_policy_of_k_witnesses_counts_only_valid_cosignatures_by_its_keys() -> None:
    groningen, woonkans, stranger = (
        _signer(),
        _signer("bureau-woonkans.test/witness"),
        _signer("stranger.test/witness"),
    )
    note = _log_note()
    body = note.split("\n\n")[0] + "\n"
    both = note + groningen.cosign(body, 5) + woonkans.cosign(body, 6)
    policy = WitnessPolicy.of([groningen.key.vkey, woonkans.key.vkey])
    assert policy.required == 2
    assert policy.check(both) == [groningen.name, woonkans.name]
    only_one = note + groningen.cosign(body, 5) + stranger.cosign(body, 6)
    with pytest.raises(
        WitnessPolicyError,
        match=r"1 of the required 2 witnesses cosigned this checkpoint "
        r"\(no valid cosignature by bureau-woonkans.test/witness\)",
    ):
        policy.check(only_one)
    assert WitnessPolicy.of([groningen.key.vkey, woonkans.key.vkey], 1).check(only_one)
    # A key with the right name but another key: its line is not the configured key's.
    impostor = _signer("bureau-woonkans.test/witness")
    with pytest.raises(WitnessPolicyError, match="1 of the required 2"):
        policy.check(note + groningen.cosign(body, 5) + impostor.cosign(body, 6))
    # The configured key's line that does not verify rejects the note outright.
    forged = woonkans.cosign(body.replace("\n7\n", "\n8\n"), 6)
    with pytest.raises(CosignatureError, match=r"cosignature by bureau-woonkans\.test/witness"):
        policy.check(note + groningen.cosign(body, 5) + forged)


def test_a_policy_that_could_never_fail_is_refused() -> None:
    key = _signer().key.vkey
    with pytest.raises(WitnessPolicyError, match="asks for 0 of 1 witness keys"):
        WitnessPolicy.of([key], 0)
    with pytest.raises(WitnessPolicyError, match="asks for 2 of 1 witness keys"):
        WitnessPolicy.of([key], 2)
    with pytest.raises(VerifierKeyError, match="two witness keys share a name"):
        WitnessPolicy.of([key, _signer().key.vkey])
