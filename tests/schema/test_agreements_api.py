"""Second-chance agreements through the real app: real tokens, real database, real policies,
real signatures, and the signed audit log behind every step."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clients.tokens import load_private_key
from clients.verify import verify_checkpoint, verify_inclusion, verify_opening
from registry.agreements import proposals as agreement_proposals
from registry.agreements import service as agreements
from registry.auditlog.sequencer import read_state
from registry.models import (
    AccessLogRecord,
    AuditLogEntry,
    AuditLogOpening,
    Case,
    SecondChanceAgreement,
)
from tests.conftest import DEMO_TODAY, Clock, DemoKey, GraphQL
from tests.helpers import error_codes

AGREEMENT_FIELDS = """id caseId withheld kind status activatedAt closedAt text textSha256
  parties { kind partner signedAt keyId consentedOn consentRecordedBy }
  conditions { number type supportKind text lastCheckMet }
  termStart termEnd reviewIntervalDays brokenConditions logIndexes
  reviews { number dueOn recordedAt recordedBy checks { condition met note } }"""
PROPOSE = f"""mutation($input: ProposeAgreementInput!) {{
  proposeAgreement(input: $input) {{ {AGREEMENT_FIELDS} }} }}"""
SIGN = f"""mutation($id: ID!, $keyId: String!, $signature: String!) {{
  signAgreement(id: $id, keyId: $keyId, signature: $signature) {{ {AGREEMENT_FIELDS} }} }}"""
CONSENT = f"""mutation($id: ID!, $on: Date!) {{
  recordHouseholdConsent(id: $id, consentedOn: $on) {{ {AGREEMENT_FIELDS} }} }}"""
REVIEW = f"""mutation($id: ID!, $review: Int!, $checks: [ConditionCheckInput!]!) {{
  recordAgreementReview(id: $id, review: $review, checks: $checks) {{ {AGREEMENT_FIELDS} }} }}"""
CLOSE = f"""mutation($id: ID!, $outcome: AgreementStatus!) {{
  closeAgreement(id: $id, outcome: $outcome) {{ {AGREEMENT_FIELDS} }} }}"""
AGREEMENT = f"query($id: ID!) {{ agreement(id: $id) {{ {AGREEMENT_FIELDS} }} }}"
DUE = """query($days: Int!) { agreementReviewsDue(withinDays: $days) {
  agreementId caseId review dueOn overdue } }"""
FIGURES = """query($from: Int!, $to: Int!) { agreementFigures(municipality: "groningen",
  fromYear: $from, toYear: $to) { year suppressed applications agreementsMade agreementRate
  running completed breached endedOtherwise successRate } }"""
ENTRY = """query($index: Int!, $size: Int) { auditLogEntry(index: $index, treeSize: $size) {
  treeSize inclusionProof entry { index data leafHash submitter eventClass
  opening { data eventType caseId partnerKeyId partnerSignature signedSha256 } }
  checkpoint { size note verifierKey } } }"""

PARTIES = ["nijestee", "bureau-woonkans", "wij-groningen"]


def _log_size(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return read_state(session).size


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


def _involve(gql: GraphQL, case_id: str, *partners: str) -> None:
    for partner in partners:
        body = gql(
            "nijestee",
            """mutation($c: ID!, $p: String!) { involvePartner(caseId: $c,
                   partner: $p, role: SECOND_CHANCE) { id } }""",
            {"c": case_id, "p": partner},
        )
        assert error_codes(body) in ([], ["CONFLICT"]), body  # CONFLICT: involved already


def _draft(case_id: str, today: dt.date, **changes: Any) -> dict[str, Any]:
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
    return {**draft, **changes}


def _signature(key: DemoKey, text: str) -> str:
    return base64.b64encode(load_private_key(key.private_key).sign(text.encode())).decode()


@pytest.fixture
def proposed(gql: GraphQL, sessions: sessionmaker[Session], clock: Clock) -> dict[str, Any]:
    """A fresh agreement proposed by Bureau Woonkans for a Nijestee case."""
    case_id = _fresh_case(sessions)
    _involve(gql, case_id, "bureau-woonkans", "wij-groningen")
    body = gql("bureau-woonkans", PROPOSE, {"input": _draft(case_id, clock.now.date())})
    assert "errors" not in body, body
    agreement: dict[str, Any] = body["data"]["proposeAgreement"]
    return agreement


Sign = Callable[[str, dict[str, Any]], dict[str, Any]]


@pytest.fixture
def sign(gql: GraphQL, demo_keys: dict[str, DemoKey]) -> Sign:
    """Sign an agreement's text as a demo partner, with its registered key."""

    def run(partner: str, agreement: dict[str, Any]) -> dict[str, Any]:
        key = demo_keys[partner]
        return gql(
            partner,
            SIGN,
            {
                "id": agreement["id"],
                "keyId": key.kid,
                "signature": _signature(key, agreement["text"]),
            },
        )

    return run


def _activate(
    gql: GraphQL, sign: Sign, agreement: dict[str, Any], today: dt.date
) -> dict[str, Any]:
    for partner in PARTIES:
        assert "errors" not in sign(partner, agreement)
    body = gql("bureau-woonkans", CONSENT, {"id": agreement["id"], "on": today.isoformat()})
    assert "errors" not in body, body
    active: dict[str, Any] = body["data"]["recordHouseholdConsent"]
    return active


def test_the_agreement_lifecycle_end_to_end(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    clock: Clock,
    sign: Sign,
    log_signer: Any,
    client: Any,
) -> None:
    # On the demo's own day, so that this year's figures are the demo's (tokens follow the clock).
    clock.now = dt.datetime.combine(DEMO_TODAY, dt.time(10), dt.UTC)
    today = clock.now.date()
    figures_before = gql("bureau-woonkans", FIGURES, {"from": today.year, "to": today.year})
    case_id = _fresh_case(sessions)
    _involve(gql, case_id, "bureau-woonkans", "wij-groningen")

    # Bureau Woonkans proposes: the household and three organisations are parties.
    body = gql("bureau-woonkans", PROPOSE, {"input": _draft(case_id, today)})
    assert "errors" not in body, body
    proposed = body["data"]["proposeAgreement"]
    assert proposed["status"] == "PROPOSED"
    assert proposed["caseId"] == case_id
    assert [p["partner"] for p in proposed["parties"]] == [*PARTIES, None]
    assert proposed["parties"][-1]["kind"] == "HOUSEHOLD"
    assert json.loads(proposed["text"])["conditions"][1] == {
        "number": 2,
        "type": "accept_support",
        "supportFrom": "credit_bank",
        "text": "budgetbeheer",
    }
    assert proposed["withheld"] == []
    assert len(proposed["logIndexes"]) == 1

    # Each organisation signs the text with its own key; the district team reads the text
    # through Groningen's agreementTerms grant, but not the reviews.
    for partner in PARTIES:
        signed = sign(partner, proposed)
        assert "errors" not in signed, signed
    district_view = signed["data"]["signAgreement"]
    assert district_view["status"] == "PROPOSED"  # the household has not consented yet
    assert district_view["reviews"] is None
    assert "agreementReviews" in district_view["withheld"]

    # The household's consent is recorded (by whom, when): now every party has agreed.
    body = gql("bureau-woonkans", CONSENT, {"id": proposed["id"], "on": today.isoformat()})
    active = body["data"]["recordHouseholdConsent"]
    assert active["status"] == "ACTIVE"
    assert active["activatedAt"]
    household = active["parties"][-1]
    assert household["consentRecordedBy"] == "bureau-woonkans"
    assert household["consentedOn"] == today.isoformat()
    assert [r["dueOn"] for r in active["reviews"]] == [
        (today + dt.timedelta(days=d)).isoformat() for d in (91, 182, 273, 364)
    ]

    # Reviews come due by the request clock: not yet, due within 14 days, then overdue.
    def due() -> list[dict[str, Any]]:
        rows = gql("bureau-woonkans", DUE, {"days": 14})["data"]["agreementReviewsDue"]
        return [r for r in rows if r["agreementId"] == proposed["id"]]

    assert due() == []
    clock.advance(days=80)
    assert due() == [
        {
            "agreementId": proposed["id"],
            "caseId": case_id,
            "review": 1,
            "dueOn": (today + dt.timedelta(days=91)).isoformat(),
            "overdue": False,
        }
    ]
    clock.advance(days=15)
    assert due()[0]["overdue"] is True

    # Bureau Woonkans records the first review: condition 2 is broken.
    checks = [
        {"condition": 1, "met": True},
        {"condition": 2, "met": False, "note": "budgetbeheer gestopt"},
    ]
    body = gql("bureau-woonkans", REVIEW, {"id": proposed["id"], "review": 1, "checks": checks})
    reviewed = body["data"]["recordAgreementReview"]
    assert reviewed["brokenConditions"] == [2]
    assert [c["lastCheckMet"] for c in reviewed["conditions"]] == [True, False]
    assert reviewed["reviews"][0]["checks"][1] == {
        "condition": 2,
        "met": False,
        "note": "budgetbeheer gestopt",
    }
    assert due() == []
    broken = gql("bureau-woonkans", "{ agreements(brokenOnly: true, first: 500) { id } }")
    assert proposed["id"] in [a["id"] for a in broken["data"]["agreements"]]

    # ... and closes it as breached.
    body = gql("bureau-woonkans", CLOSE, {"id": proposed["id"], "outcome": "BREACHED"})
    closed = body["data"]["closeAgreement"]
    assert closed["status"] == "BREACHED"
    assert closed["closedAt"]

    # Every step is in the signed log, and each entry proves its inclusion offline.
    events = [
        "agreement.proposed",
        *["agreement.signed"] * 3,
        "agreement.consent_recorded",
        "agreement.activated",
        "agreement.review_recorded",
        "agreement.closed",
    ]
    assert len(closed["logIndexes"]) == len(events)
    vkey = client.get("/log/key").text.strip()
    assert vkey == log_signer.verifier_key
    for index, event in zip(closed["logIndexes"], events, strict=True):
        found = gql("nijestee", ENTRY, {"index": index})["data"]["auditLogEntry"]
        checkpoint = verify_checkpoint(found["checkpoint"]["note"], vkey)
        data = found["entry"]["data"]
        proof = [base64.b64decode(h) for h in found["inclusionProof"]]
        verify_inclusion(data.encode(), index, checkpoint.size, proof, checkpoint.root)
        entry = json.loads(data)
        assert (entry["index"], entry["class"]) == (index, "case")
        assert case_id not in data  # the leaf holds no case content
        # The owner may read the agreement's fields, so it is shown the event, which it checks
        # against the leaf; the review's note is in it only as a salted hash.
        opening = found["entry"]["opening"]
        assert (opening["eventType"], opening["caseId"]) == (event, case_id)
        assert verify_opening(data.encode(), opening["data"].encode())["type"] == event
        assert "budgetbeheer" not in opening["data"]
        if event == "agreement.signed":
            assert opening["partnerSignature"]
            assert opening["partnerKeyId"]
            assert opening["signedSha256"] == proposed["textSha256"]

    # The yearly figures count the new application, and show no individual.
    figures_after = gql("bureau-woonkans", FIGURES, {"from": today.year, "to": today.year})
    before = figures_before["data"]["agreementFigures"][0]
    after = figures_after["data"]["agreementFigures"][0]
    assert after["applications"] == before["applications"] + 1
    assert after["agreementsMade"] == before["agreementsMade"] + 1
    assert after["breached"] == before["breached"] + 1
    assert after["running"] > after["completed"] + after["breached"] + after["endedOtherwise"]
    assert after["successRate"] is None  # most of this year's agreements still run


def test_demo_figures_look_like_groningen(gql: GraphQL) -> None:
    body = gql("bureau-woonkans", FIGURES, {"from": 2025, "to": 2025})
    (year,) = body["data"]["agreementFigures"]
    assert 190 <= year["applications"] <= 250  # about 220 a year
    assert 0.9 <= year["agreementRate"] <= 1.0  # 95% become an agreement
    assert 0.7 <= year["successRate"] <= 0.9  # 80% succeed
    assert (
        year["running"] + year["completed"] + year["breached"] + year["endedOtherwise"]
        >= (year["agreementsMade"])
    )


def test_figures_are_suppressed_for_small_numbers_and_refused_to_others(gql: GraphQL) -> None:
    body = gql("gemeente-groningen", FIGURES, {"from": 2020, "to": 2020})
    assert body["data"]["agreementFigures"] == [
        {
            "year": 2020,
            "suppressed": True,
            "applications": None,
            "agreementsMade": None,
            "agreementRate": None,
            "running": None,
            "completed": None,
            "breached": None,
            "endedOtherwise": None,
            "successRate": None,
        }
    ]
    refused = gql("nijestee", FIGURES, {"from": 2025, "to": 2025})
    assert error_codes(refused) == ["NOT_ALLOWED"]
    elsewhere = gql("gemeente-zaanstad", FIGURES, {"from": 2025, "to": 2025})
    assert error_codes(elsewhere) == ["NOT_ALLOWED"]
    assert "does not work in 'groningen'" in elsewhere["errors"][0]["message"]


def _refused(body: dict[str, Any], code: str, text: str) -> None:
    assert error_codes(body) == [code], body
    assert text in body["errors"][0]["message"]


def test_an_agreement_for_a_case_the_proposer_may_not_see_is_not_found(
    gql: GraphQL, sessions: sessionmaker[Session], clock: Clock
) -> None:
    with sessions() as session:
        foreign = str(session.scalars(select(Case.id).where(Case.owner_id == "zowonen")).first())
    size = _log_size(sessions)
    invisible = gql("bureau-woonkans", PROPOSE, {"input": _draft(foreign, clock.now.date())})
    missing = gql(
        "bureau-woonkans", PROPOSE, {"input": _draft(str(uuid.uuid4()), clock.now.date())}
    )
    assert error_codes(invisible) == error_codes(missing) == ["NOT_FOUND"]
    assert invisible["errors"][0]["message"] == f"case {foreign} not found"
    assert _log_size(sessions) == size


def test_bad_proposals_are_refused_and_change_nothing(
    gql: GraphQL, sessions: sessionmaker[Session], clock: Clock
) -> None:
    today = clock.now.date()
    case_id = _fresh_case(sessions)
    _involve(gql, case_id, "bureau-woonkans", "wij-groningen")
    size = _log_size(sessions)

    unknown_type = _draft(case_id, today, conditions=[{"type": "FLY_TO_THE_MOON"}])
    body = gql("bureau-woonkans", PROPOSE, {"input": unknown_type})
    # The schema is not public here: the message names no type of it.
    _refused(body, "INVALID_INPUT", "'FLY_TO_THE_MOON' does not exist in (hidden) enum")

    backwards = _draft(case_id, today, termEnd=(today - dt.timedelta(days=1)).isoformat())
    _refused(
        gql("bureau-woonkans", PROPOSE, {"input": backwards}),
        "INVALID_INPUT",
        f"the term ends ({today - dt.timedelta(days=1)}) before it starts ({today})",
    )

    other_without_text = _draft(case_id, today, conditions=[{"type": "OTHER"}])
    _refused(
        gql("bureau-woonkans", PROPOSE, {"input": other_without_text}),
        "INVALID_INPUT",
        "condition 1 (other) needs a text",
    )

    too_long = _draft(case_id, today, conditions=[{"type": "OTHER", "text": "t" * 501}])
    _refused(
        gql("bureau-woonkans", PROPOSE, {"input": too_long}),
        "INVALID_INPUT",
        "condition 1: the text is longer than 500 characters",
    )

    support_without_kind = _draft(case_id, today, conditions=[{"type": "ACCEPT_SUPPORT"}])
    _refused(
        gql("bureau-woonkans", PROPOSE, {"input": support_without_kind}),
        "INVALID_INPUT",
        "names the kind of partner whose support is accepted",
    )

    outsider = _draft(case_id, today, parties=[*PARTIES, "zowonen"])
    _refused(
        gql("bureau-woonkans", PROPOSE, {"input": outsider}),
        "INVALID_INPUT",
        "zowonen does not work on this case",
    )

    no_owner = _draft(case_id, today, parties=["bureau-woonkans"])
    _refused(
        gql("bureau-woonkans", PROPOSE, {"input": no_owner}),
        "INVALID_INPUT",
        "the corporation that owns the case must be a party",
    )

    care = gql("meldpunt-overlast-en-zorg", PROPOSE, {"input": _draft(case_id, today)})
    assert error_codes(care) in (["NOT_ALLOWED"], ["NOT_FOUND"])
    assert _log_size(sessions) == size
    with sessions() as session:
        assert (
            session.scalar(
                select(SecondChanceAgreement.id).where(
                    SecondChanceAgreement.case_id == uuid.UUID(case_id)
                )
            )
            is None
        )


def test_signatures_by_non_parties_or_over_other_text_are_refused(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    sign: Sign,
    proposed: dict[str, Any],
    demo_keys: dict[str, DemoKey],
) -> None:
    size = _log_size(sessions)
    # The municipality sees the case, but is not a party to the agreement.
    not_a_party = sign("gemeente-groningen", proposed)
    _refused(not_a_party, "NOT_ALLOWED", "gemeente-groningen is not a party to this agreement")

    key = demo_keys["nijestee"]
    other_text = proposed["text"].replace('"stay"', '"rehouse"')
    over_other = gql(
        "nijestee",
        SIGN,
        {"id": proposed["id"], "keyId": key.kid, "signature": _signature(key, other_text)},
    )
    _refused(
        over_other,
        "INVALID_INPUT",
        f"the signature by nijestee (key {key.kid}) does not verify over this agreement's text",
    )

    someone_elses_key = demo_keys["bureau-woonkans"]
    wrong_key = gql(
        "nijestee",
        SIGN,
        {
            "id": proposed["id"],
            "keyId": someone_elses_key.kid,
            "signature": _signature(key, proposed["text"]),
        },
    )
    _refused(
        wrong_key,
        "INVALID_INPUT",
        f"key {someone_elses_key.kid!r} is not a registered key of nijestee",
    )

    garbage = gql("nijestee", SIGN, {"id": proposed["id"], "keyId": key.kid, "signature": "x"})
    _refused(garbage, "INVALID_INPUT", "signature is not base64")
    short = gql(
        "nijestee",
        SIGN,
        {"id": proposed["id"], "keyId": key.kid, "signature": base64.b64encode(bytes(10)).decode()},
    )
    _refused(short, "INVALID_INPUT", "signature is 10 bytes; an Ed25519 signature is 64")

    assert _log_size(sessions) == size
    assert "errors" not in sign("nijestee", proposed)
    _refused(sign("nijestee", proposed), "CONFLICT", "nijestee signed this agreement already")


def test_checks_for_missing_reviews_or_on_closed_agreements_are_refused(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    sign: Sign,
    proposed: dict[str, Any],
    clock: Clock,
) -> None:
    checks = [{"condition": 1, "met": True}, {"condition": 2, "met": True}]
    early = gql("bureau-woonkans", REVIEW, {"id": proposed["id"], "review": 1, "checks": checks})
    _refused(early, "CONFLICT", "the agreement is not active yet")

    active = _activate(gql, sign, proposed, clock.now.date())
    size = _log_size(sessions)
    no_such = gql("bureau-woonkans", REVIEW, {"id": active["id"], "review": 9, "checks": checks})
    _refused(no_such, "NOT_FOUND", "the agreement has no review 9: its reviews are 1 to 4")

    partial = gql(
        "bureau-woonkans", REVIEW, {"id": active["id"], "review": 1, "checks": checks[:1]}
    )
    _refused(partial, "INVALID_INPUT", "every condition is checked at a review; missing: 2")
    unknown = gql(
        "bureau-woonkans",
        REVIEW,
        {"id": active["id"], "review": 1, "checks": [*checks, {"condition": 7, "met": True}]},
    )
    _refused(unknown, "INVALID_INPUT", "condition 7 does not exist")
    long_note = [checks[0], {"condition": 2, "met": False, "note": "n" * 281}]
    too_long = gql(
        "bureau-woonkans", REVIEW, {"id": active["id"], "review": 1, "checks": long_note}
    )
    _refused(too_long, "INVALID_INPUT", "the note on condition 2 is longer than 280 characters")

    not_woonkans = gql("wij-groningen", REVIEW, {"id": active["id"], "review": 1, "checks": checks})
    _refused(not_woonkans, "NOT_ALLOWED", "wij-groningen may not record reviews")
    assert _log_size(sessions) == size

    closed = gql("bureau-woonkans", CLOSE, {"id": active["id"], "outcome": "COMPLETED"})
    assert closed["data"]["closeAgreement"]["status"] == "COMPLETED"
    on_closed = gql("bureau-woonkans", REVIEW, {"id": active["id"], "review": 1, "checks": checks})
    _refused(on_closed, "CONFLICT", "the agreement is closed (completed)")
    again = gql("bureau-woonkans", CLOSE, {"id": active["id"], "outcome": "BREACHED"})
    _refused(again, "CONFLICT", "it is closed and cannot change")


def test_status_moves_only_along_the_transition_table(
    gql: GraphQL, proposed: dict[str, Any]
) -> None:
    completed = gql("bureau-woonkans", CLOSE, {"id": proposed["id"], "outcome": "COMPLETED"})
    _refused(
        completed,
        "CONFLICT",
        "a proposed agreement cannot become completed; it can become: active, ended_otherwise",
    )
    not_closing = gql("bureau-woonkans", CLOSE, {"id": proposed["id"], "outcome": "ACTIVE"})
    _refused(not_closing, "INVALID_INPUT", "an agreement closes as")
    withdrawn = gql("bureau-woonkans", CLOSE, {"id": proposed["id"], "outcome": "ENDED_OTHERWISE"})
    assert withdrawn["data"]["closeAgreement"]["status"] == "ENDED_OTHERWISE"
    assert agreements.TRANSITIONS[agreements.AgreementStatus.ENDED_OTHERWISE] == frozenset()


def test_agreement_fields_are_released_as_the_policies_allow_and_logged(
    gql: GraphQL, sessions: sessionmaker[Session], proposed: dict[str, Any]
) -> None:
    # Meldpunt Overlast en Zorg may see Groningen cases it is involved in, but no grant
    # releases agreement fields to care partners: all null, all named in `withheld`.
    _involve(gql, proposed["caseId"], "meldpunt-overlast-en-zorg")
    body = gql("meldpunt-overlast-en-zorg", AGREEMENT, {"id": proposed["id"]})
    seen = body["data"]["agreement"]
    assert seen["status"] is None
    assert seen["text"] is None
    assert seen["parties"] is None
    assert "agreementText" in seen["withheld"]
    assert "agreementStatus" in seen["withheld"]
    # An agreement of a case a partner does not relate to is answered like a missing one.
    hidden = gql("zowonen", AGREEMENT, {"id": proposed["id"]})
    missing = gql("zowonen", AGREEMENT, {"id": str(uuid.uuid4())})
    assert error_codes(hidden) == error_codes(missing) == ["NOT_FOUND"]
    assert hidden["errors"][0]["message"] == f"agreement {proposed['id']} not found"
    # The disclosure is in the access log, under the case, naming agreement fields.
    gql(
        "bureau-woonkans",
        "query($id: ID!) { agreement(id: $id) { status termStart } }",
        {"id": proposed["id"]},
    )
    with sessions() as session:
        record = session.scalars(
            select(AccessLogRecord)
            .where(
                AccessLogRecord.partner_id == "bureau-woonkans",
                AccessLogRecord.operation == "agreement",
            )
            .order_by(AccessLogRecord.occurred_at.desc())
        ).first()
    assert record is not None
    assert str(record.case_id) == proposed["caseId"]
    assert record.fields_disclosed == ["agreementStatus", "agreementTerm"]


def test_a_failing_mutation_leaves_no_log_entry(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case_id = _fresh_case(sessions)
    _involve(gql, case_id, "bureau-woonkans", "wij-groningen")
    size = _log_size(sessions)

    def fail_after_the_append(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    # The proposal is appended to the log, then building the answer fails.
    monkeypatch.setattr(agreement_proposals, "view", fail_after_the_append)
    body = gql("bureau-woonkans", PROPOSE, {"input": _draft(case_id, clock.now.date())})
    assert error_codes(body) == ["INTERNAL_ERROR"]
    assert body["errors"][0]["message"] == "Internal server error"
    monkeypatch.undo()
    with sessions() as session:
        assert read_state(session).size == size
        assert session.get(AuditLogEntry, size) is None
        assert (
            session.scalar(
                select(SecondChanceAgreement.id).where(
                    SecondChanceAgreement.case_id == uuid.UUID(case_id)
                )
            )
            is None
        )

    # Two mutations in one request: the one that fails leaves nothing, the other stays.
    both = gql(
        "bureau-woonkans",
        """mutation($good: ProposeAgreementInput!,
        $bad: ProposeAgreementInput!) {
          good: proposeAgreement(input: $good) { id logIndexes }
          bad: proposeAgreement(input: $bad) { id } }""",
        {"good": _draft(case_id, clock.now.date()), "bad": _draft(case_id, clock.now.date())},
    )
    assert error_codes(both) == ["CONFLICT"]  # the case has an open agreement by then
    assert "the case has an open agreement already" in both["errors"][0]["message"]
    with sessions() as session:
        made = session.scalars(
            select(SecondChanceAgreement).where(SecondChanceAgreement.case_id == uuid.UUID(case_id))
        ).all()
        assert len(made) == 1
        entry = session.get(AuditLogEntry, size)
        assert entry is not None
        assert entry.subject == f"agreement:{made[0].id}"
    assert _log_size(sessions) == size + 1


def test_policy_changes_are_in_the_log(gql: GraphQL, sessions: sessionmaker[Session]) -> None:
    size = _log_size(sessions)
    issued = gql(
        "gemeente-groningen",
        """mutation { issueGrant(input: {municipality:
        "groningen", partnerKind: WELFARE, fields: ["evictionDate"], purpose: "outreach",
        purposes: ["eviction_prevention"]}) {
        id } }""",
    )
    policy_id = int(issued["data"]["issueGrant"]["id"])
    revoked = gql(
        "gemeente-groningen",
        "mutation($id: ID!) { revokePolicy(id: $id) { id } }",
        {"id": str(policy_id)},
        act="beleidsmedewerker-3",
    )
    assert "errors" not in revoked
    with sessions() as session:
        entries = session.scalars(
            select(AuditLogEntry)
            .where(AuditLogEntry.log_index >= size)
            .order_by(AuditLogEntry.log_index)
        ).all()
    with sessions() as session:
        grant, revoke = (
            json.loads(session.get(AuditLogOpening, e.log_index).opening)  # type: ignore[union-attr]
            for e in entries
        )
    assert grant["event"] == {
        "type": "policy.grant_issued",
        "policy": policy_id,
        "kind": "grant",
        "issuer": "gemeente-groningen",
        "subject": "kind:welfare",
        "relation": "involved",
        "municipality": "groningen",
        "owner": "*",
        "phases": [],
        "purposes": ["eviction_prevention"],
        "validFrom": None,
        "validUntil": None,
        "pending": False,
        "fields": ["evictionDate"],
    }
    assert revoke["event"] == {
        "type": "policy.revoked",
        "policy": policy_id,
        "kind": "grant",
        "issuer": "gemeente-groningen",
        "municipality": "groningen",
    }
    assert json.loads(entries[1].canonical)["submitter"] == "gemeente-groningen"
    assert "beleidsmedewerker-3" not in entries[1].canonical.decode() + str(revoke)
    # A refused policy change leaves no entry.
    refused = gql(
        "gemeente-groningen",
        "mutation($id: ID!) { revokePolicy(id: $id) { id } }",
        {"id": str(policy_id)},
    )
    assert error_codes(refused) == ["CONFLICT"]
    assert _log_size(sessions) == size + 2


def test_a_term_at_the_end_of_the_calendar_is_reviewed_up_to_its_end(
    gql: GraphQL, sessions: sessionmaker[Session], sign: Sign, clock: Clock
) -> None:
    case_id = _fresh_case(sessions)
    _involve(gql, case_id, "bureau-woonkans", "wij-groningen")
    last_days = {"termStart": "9999-12-20", "termEnd": "9999-12-31", "reviewIntervalDays": 7}
    body = gql(
        "bureau-woonkans", PROPOSE, {"input": _draft(case_id, clock.now.date(), **last_days)}
    )
    assert "errors" not in body, body
    active = _activate(gql, sign, body["data"]["proposeAgreement"], clock.now.date())
    assert [r["dueOn"] for r in active["reviews"]] == ["9999-12-27", "9999-12-31"]
