"""The SDK's sans-IO core on its own: the agreement-signing flow driven by hand (no registry
needed to see what it sends, and what it refuses to sign), and an exchange's retries."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from clients import AgreementTextError, UnavailableError
from clients.core import Exchange, sign_agreement_flow

TEXT = "Woonkansovereenkomst\nHuurder betaalt de huur op tijd.\n"
SHA = hashlib.sha256(TEXT.encode()).hexdigest()


def _terms(**changes: Any) -> dict[str, Any]:
    return {"id": "a-1", "text": TEXT, "textSha256": SHA, **changes}


def test_the_flow_reads_the_text_then_submits_its_signature_and_returns_the_answer() -> None:
    key = Ed25519PrivateKey.generate()
    flow = sign_agreement_flow("a-1", key_id="nijestee-1", private_key=key, expected_sha256=SHA)

    read = next(flow)
    assert (read.field, read.variables, read.is_mutation) == ("agreement", {"id": "a-1"}, False)
    submit = flow.send(_terms())
    assert submit.field == "signAgreement" and submit.is_mutation
    assert submit.variables["id"] == "a-1" and submit.variables["keyId"] == "nijestee-1"
    key.public_key().verify(base64.b64decode(submit.variables["signature"]), TEXT.encode())
    with pytest.raises(StopIteration) as done:
        flow.send({"id": "a-1", "status": "PROPOSED"})
    assert done.value.value == {"id": "a-1", "status": "PROPOSED"}


@pytest.mark.parametrize(
    ("terms", "expected", "message"),
    [
        (_terms(text=None), None, "is not released to this partner: only a party may sign"),
        (_terms(textSha256="ab" * 32), None, "does not have the SHA-256 the registry states"),
        (_terms(), "cd" * 32, f"has SHA-256 {SHA}, not the expected"),
    ],
)
def test_the_flow_signs_nothing_unless_the_text_is_the_one_stated_and_expected(
    terms: dict[str, Any], expected: str | None, message: str
) -> None:
    flow = sign_agreement_flow(
        "a-1", key_id="k", private_key=Ed25519PrivateKey.generate(), expected_sha256=expected
    )
    next(flow)
    with pytest.raises(AgreementTextError, match=message):
        flow.send(terms)


def test_an_exchange_waits_as_told_then_gives_the_failure_back() -> None:
    exchange = Exchange("mutation { x }", None, traceparent=None, idempotency_key=None, retries=2)
    busy = UnavailableError("the registry is unavailable (HTTP 503)")
    busy.retry_after = 3

    assert [exchange.wait_before_retry(busy) for _ in range(2)] == [3, 3]
    with pytest.raises(UnavailableError, match="unavailable"):
        exchange.wait_before_retry(busy)
    assert exchange.headers["Idempotency-Key"].startswith('"')
    assert exchange.body == {"query": "mutation { x }"}


def test_an_exchange_refuses_a_malformed_traceparent() -> None:
    with pytest.raises(ValueError, match="not a W3C traceparent"):
        Exchange("{ x }", None, traceparent="00-abc", idempotency_key=None, retries=0)
