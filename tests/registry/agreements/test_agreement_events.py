"""An agreement's parties are told of it: proposed, activated, a review fallen due, a condition
broken, closed. Each event is delivered to a real receiver on 127.0.0.1 for each of the three
parties of the usual agreement (corporation, municipality, district team), thin (ids only),
and withheld from a partner unrelated to the case; a review's due notice is announced once,
on the injected clock, even by two announcers at once."""

from __future__ import annotations

import base64
import datetime as dt
import threading
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from clients.tokens import load_private_key
from registry.agreements import reviews
from registry.db import make_engine, make_session_factory
from registry.models import Case, OutboxEvent, SecondChanceAgreement
from registry.notifications.delivery import DeliveryWorker
from tests.conftest import Clock, DemoKey, GraphQL
from tests.helpers import error_codes
from tests.receiver import Receiver

#: The usual three parties: the corporation, the municipality and the district team.
PARTIES = ("nijestee", "gemeente-groningen", "wij-groningen")
#: A corporation of another municipality: no relation to the case.
UNRELATED = "zowonen"
TYPES = [
    "agreement.proposed",
    "agreement.activated",
    "agreement.review_due",
    "agreement.condition_broken",
    "agreement.closed",
]
FIELDS = "id caseId status text"
PROPOSE = f"""mutation($input: ProposeAgreementInput!) {{
  proposeAgreement(input: $input) {{ {FIELDS} }} }}"""
SIGN = """mutation($id: ID!, $keyId: String!, $signature: String!) {
  signAgreement(id: $id, keyId: $keyId, signature: $signature) { id status } }"""
CONSENT = """mutation($id: ID!, $on: Date!) {
  recordHouseholdConsent(id: $id, consentedOn: $on) { id status } }"""
REVIEW = """mutation($id: ID!, $review: Int!, $checks: [ConditionCheckInput!]!) {
  recordAgreementReview(id: $id, review: $review, checks: $checks) { id } }"""
CLOSE = """mutation($id: ID!) { closeAgreement(id: $id, outcome: BREACHED) { id status } }"""
SUBSCRIBE = """mutation($url: String!, $types: [String!]!) {
  subscribeWebhook(url: $url, eventTypes: $types) { secret } }"""
INTERVAL = 91


def _ok(body: dict[str, Any], name: str) -> dict[str, Any]:
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"][name]
    return found


def _fresh_case(sessions: sessionmaker[Session]) -> str:
    """A Groningen case of Nijestee without any agreement yet."""
    with sessions() as session:
        taken = select(SecondChanceAgreement.case_id)
        return str(
            session.scalars(
                select(Case.id)
                .where(Case.owner_id == "nijestee", Case.id.not_in(taken))
                .order_by(Case.registered_at)
            ).first()
        )


@pytest.fixture
def active(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    clock: Clock,
    demo_keys: dict[str, DemoKey],
) -> Any:
    """Propose (as Bureau Woonkans) an agreement of the three parties for a fresh case, and
    with ``activate`` also have each party sign it and the household consent."""

    def run(*, activate: bool = True) -> dict[str, Any]:
        case_id = _fresh_case(sessions)
        for partner in ("bureau-woonkans", "wij-groningen"):
            involved = gql(
                "nijestee",
                """mutation($c: ID!, $p: String!) { involvePartner(caseId: $c, partner: $p,
                role: SECOND_CHANCE) { id } }""",
                {"c": case_id, "p": partner},
            )
            assert error_codes(involved) in ([], ["CONFLICT"]), involved
        today = clock.now.date()
        draft = {
            "caseId": case_id,
            "kind": "STAY",
            "parties": list(PARTIES),
            "conditions": [{"type": "PAY_RENT_ON_TIME"}, {"type": "NO_NUISANCE"}],
            "termStart": today.isoformat(),
            "termEnd": (today + dt.timedelta(days=364)).isoformat(),
            "reviewIntervalDays": INTERVAL,
        }
        agreement = _ok(gql("bureau-woonkans", PROPOSE, {"input": draft}), "proposeAgreement")
        if not activate:
            return agreement
        for partner in PARTIES:
            key = demo_keys[partner]
            signed = load_private_key(key.private_key).sign(agreement["text"].encode())
            variables = {
                "id": agreement["id"],
                "keyId": key.kid,
                "signature": base64.b64encode(signed).decode(),
            }
            _ok(gql(partner, SIGN, variables), "signAgreement")
        consent = {"id": agreement["id"], "on": today.isoformat()}
        done = _ok(gql("bureau-woonkans", CONSENT, consent), "recordHouseholdConsent")
        assert done["status"] == "ACTIVE"
        return agreement

    return run


def _received(receiver: Receiver, partner: str) -> list[dict[str, Any]]:
    return [r.document for r in receiver.at(partner) if r.verified]


def test_every_party_is_told_each_step_and_an_unrelated_partner_nothing(
    gql: GraphQL,
    clock: Clock,
    receiver: Receiver,
    worker: DeliveryWorker,
    active: Any,
) -> None:
    for partner in (*PARTIES, UNRELATED):
        body = gql(partner, SUBSCRIBE, {"url": receiver.url(partner), "types": TYPES})
        receiver.secrets[partner] = _ok(body, "subscribeWebhook")["secret"]
    agreement = active()
    ids = {"agreementId": agreement["id"], "caseId": agreement["caseId"]}
    worker.run_once()
    # On the first review's day the parties are told it fell due, once.
    clock.advance(days=INTERVAL)
    worker.run_once()
    worker.run_once()
    checks = [{"condition": 1, "met": False, "note": "twee maanden achterstand"}]
    checks.append({"condition": 2, "met": True})
    reviewed = {"id": agreement["id"], "review": 1, "checks": checks}
    _ok(gql("bureau-woonkans", REVIEW, reviewed), "recordAgreementReview")
    closed = _ok(gql("bureau-woonkans", CLOSE, {"id": agreement["id"]}), "closeAgreement")
    assert closed["status"] == "BREACHED"
    worker.run_once()
    for partner in PARTIES:
        told = _received(receiver, partner)
        # Each once (a round posts concurrently: in no set order).
        assert sorted(d["type"] for d in told) == sorted(TYPES), partner
        # Thin: ids (and the review's number), nothing of the agreement's content.
        for document in told:
            data = dict(document["data"])
            data.pop("eventId")
            review = {"review": 1} if document["type"] in TYPES[2:4] else {}
            assert data == {**ids, **review}, document
    assert receiver.at(UNRELATED) == []


def test_a_review_s_due_notice_is_announced_once_by_two_announcers_at_once(
    sessions: sessionmaker[Session],
    database_url: str,
    clock: Clock,
    active: Any,
) -> None:
    agreement = active()
    # The first review falls due an interval after the term's start (today).
    due = dt.datetime.combine(clock.now.date() + dt.timedelta(days=INTERVAL), dt.time(6), dt.UTC)
    # The day before it falls due, nothing is announced.
    with sessions.begin() as session:
        assert reviews.announce_due(session, due - dt.timedelta(days=1)) == 0
    engines = [make_engine(database_url) for _ in range(2)]  # two workers' own pools
    start = threading.Barrier(2)
    counts: list[int] = []
    errors: list[BaseException] = []

    def announce(engine: Any) -> None:
        try:
            start.wait(10)
            with make_session_factory(engine).begin() as session:
                counts.append(reviews.announce_due(session, due))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=announce, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    for engine in engines:
        engine.dispose()
    assert not errors, errors
    assert sorted(counts) == [0, 1]
    with sessions.begin() as session:
        assert reviews.announce_due(session, due + dt.timedelta(days=1)) == 0
        told = session.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(
                OutboxEvent.type == "agreement.review_due",
                OutboxEvent.case_id == uuid.UUID(agreement["caseId"]),
            )
        )
    assert told == 1
