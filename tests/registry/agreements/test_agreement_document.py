"""The readable agreement, through the real app: rendered in Dutch from the signed canonical
text, as HTML and PDF, printing the SHA-256 every signature covers; released only to partners
that may read the agreement's terms; and the household's consent recorded with its manner."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clients.tokens import load_private_key
from registry.models import AccessLogRecord, Case, PartnerKey, SecondChanceAgreement
from tests.conftest import Clock, DemoKey, GraphQL
from tests.helpers import error_codes

PARTIES = ["nijestee", "bureau-woonkans", "wij-groningen"]
PROPOSE = """mutation($input: ProposeAgreementInput!) { proposeAgreement(input: $input) {
  id text } }"""
SIGN = """mutation($id: ID!, $keyId: String!, $signature: String!) { signAgreement(id: $id,
  keyId: $keyId, signature: $signature) { id } }"""
CONSENT = """mutation($id: ID!, $on: Date!, $manner: ConsentManner) {
  recordHouseholdConsent(id: $id, consentedOn: $on, manner: $manner) { status
  parties { kind consentedOn consentManner } } }"""
AGREEMENT = """query($id: ID!) { agreement(id: $id) { text textSha256
  parties { partner keyId signature } } }"""
DOCUMENT = """query($id: ID!) { agreementDocument(id: $id) { agreementId textSha256 html
  pdfBase64 } }"""


def _ok(body: dict[str, Any], field: str) -> Any:
    assert "errors" not in body, body
    return body["data"][field]


@pytest.fixture
def signed(
    gql: GraphQL, sessions: sessionmaker[Session], clock: Clock, demo_keys: dict[str, DemoKey]
) -> str:
    """A Nijestee agreement proposed by Bureau Woonkans and signed by every organisation."""
    today = clock.now.date()
    with sessions() as session:
        taken = select(SecondChanceAgreement.case_id)
        case_id = str(
            session.scalars(
                select(Case.id)
                .where(Case.owner_id == "nijestee", Case.id.not_in(taken))
                .order_by(Case.registered_at)
            ).first()
        )
    for partner in ("bureau-woonkans", "wij-groningen"):
        gql(
            "nijestee",
            """mutation($c: ID!, $p: String!) { involvePartner(caseId: $c, partner: $p,
            role: SECOND_CHANCE) { id } }""",
            {"c": case_id, "p": partner},
        )
    draft = {
        "caseId": case_id,
        "kind": "STAY",
        "parties": PARTIES,
        "conditions": [
            {"type": "PAY_RENT_ON_TIME"},
            {"type": "ACCEPT_SUPPORT", "supportKind": "CREDIT_BANK", "text": "budgetbeheer"},
        ],
        "termStart": today.isoformat(),
        "termEnd": (today + dt.timedelta(days=364)).isoformat(),
        "reviewIntervalDays": 91,
    }
    proposed = _ok(gql("bureau-woonkans", PROPOSE, {"input": draft}), "proposeAgreement")
    for partner in PARTIES:
        key = demo_keys[partner]
        signature = load_private_key(key.private_key).sign(proposed["text"].encode())
        variables = {
            "id": proposed["id"],
            "keyId": key.kid,
            "signature": base64.b64encode(signature).decode(),
        }
        _ok(gql(partner, SIGN, variables), "signAgreement")
    return str(proposed["id"])


def test_the_document_s_hash_is_what_every_signature_covers(
    gql: GraphQL, sessions: sessionmaker[Session], clock: Clock, signed: str
) -> None:
    consent = {"id": signed, "on": clock.now.date().isoformat(), "manner": "ON_PAPER"}
    active = _ok(gql("bureau-woonkans", CONSENT, consent), "recordHouseholdConsent")
    assert active["status"] == "ACTIVE"
    assert active["parties"][-1]["consentManner"] == "ON_PAPER"

    document = _ok(gql("wij-groningen", DOCUMENT, {"id": signed}), "agreementDocument")
    agreement = _ok(gql("wij-groningen", AGREEMENT, {"id": signed}), "agreement")
    # The hash printed in the HTML is the SHA-256 of the signed text...
    [printed] = re.findall(r'<code id="text-sha256">([0-9a-f]{64})</code>', document["html"])
    text = agreement["text"].encode("utf-8")
    assert printed == document["textSha256"] == hashlib.sha256(text).hexdigest()
    assert printed == agreement["textSha256"]
    # ...and every organisation's signature verifies over exactly that text.
    with sessions() as session:
        keys = {k.kid: k.public_key_pem for k in session.scalars(select(PartnerKey))}
    for party in agreement["parties"]:
        if party["partner"] is None:
            continue  # the household consents; it does not sign with a key
        public = load_pem_public_key(keys[party["keyId"]].encode())
        assert isinstance(public, Ed25519PublicKey)
        public.verify(base64.b64decode(party["signature"]), text)  # raises if not

    # The document reads as Dutch, from the signed terms, with the consent's manner.
    html = document["html"]
    assert '<html lang="nl">' in html
    assert "U betaalt de huur elke maand op tijd." in html
    assert "U accepteert ondersteuning van de kredietbank of budgetadvies. budgetbeheer" in html
    assert "Bureau Woonkans bespreekt elke 91 dagen" in html
    assert "op papier ondertekend" in html
    assert "Nijestee (nijestee): ondertekend op" in html
    # The PDF shows the same hash.
    pdf = base64.b64decode(document["pdfBase64"])
    assert pdf.startswith(b"%PDF-")
    assert f"SHA-256: {printed}".encode() in pdf
    # Reading the document is a disclosure of the agreement's terms, access-logged.
    with sessions() as session:
        logged = session.scalars(
            select(AccessLogRecord.fields_disclosed).where(
                AccessLogRecord.partner_id == "wij-groningen"
            )
        ).all()
    assert any("agreementText" in fields for fields in logged)


def test_a_partner_that_may_not_read_the_agreement_is_answered_as_for_none(
    gql: GraphQL, signed: str
) -> None:
    # Another corporation has no relation to the case; a credit bank involved elsewhere none.
    for partner in ("zowonen", "gemeente-zaanstad"):
        refused = gql(partner, DOCUMENT, {"id": signed})
        assert error_codes(refused) == ["NOT_FOUND"]
        assert refused["errors"][0]["message"] == f"agreement {signed} not found"
        assert refused["data"] is None
    missing = "00000000-0000-4000-8000-000000000000"
    none = gql("wij-groningen", DOCUMENT, {"id": missing})
    assert none["errors"][0]["message"] == f"agreement {missing} not found"


def test_consent_may_still_be_recorded_without_its_manner(
    gql: GraphQL, clock: Clock, signed: str
) -> None:
    consent = {"id": signed, "on": clock.now.date().isoformat()}
    active = _ok(gql("bureau-woonkans", CONSENT, consent), "recordHouseholdConsent")
    assert active["parties"][-1]["consentManner"] is None
