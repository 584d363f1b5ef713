"""Stored inventory after an eviction, the pickup it is asked for, and the municipal contact
that pickup triggers, through the real app: real signed tokens, the real database and
policies, the signed audit log behind every step, and the injected clock for every deadline."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from clients.verify import verify_checkpoint, verify_inclusion, verify_opening
from registry.auditlog.sequencer import read_state
from registry.models import (
    AccessLogRecord,
    AuditLogEntry,
    AuditLogOpening,
    Case,
    CaseContact,
    MunicipalContact,
    OutboxEvent,
    Phase,
    PickupRequest,
    StoredInventory,
)
from tests.arrange import case_in, evicted_case
from tests.conftest import DEMO_TODAY, Clock, GraphQL
from tests.helpers import error_codes

#: A Thursday near the demo's day: five working days on is the next Thursday.
THURSDAY = dt.datetime.combine(DEMO_TODAY + dt.timedelta(days=3), dt.time(10), dt.UTC)
MUNICIPALITY = "gemeente-zaanstad"
BAILIFF = "kerckhoffs-lasonder"
STORAGE = "opslag-zaanstad"
OWNER = "parteon"

INVENTORY_FIELDS = """id caseId withheld status storageProvider locationCode description
  volumeM3 perishableOrDangerous recordedBy removedOn recordCopyHandedOverOn thirteenWeeksOn
  disposableFrom collectedOn releaseAuthorised disposition disposedOn proceeds claimableUntil
  logIndexes pickups { id requestedBy status releasedBy collectedOn }
  contacts { id dueOn overdue outcome attempts contactedOn recordedBy }"""
CONTACT_FIELDS = """id caseId inventoryId pickupId municipality assignee dueOn overdue outcome
  attempts contactedOn recordedBy"""
RECORD = f"""mutation($input: RecordInventoryInput!) {{
  recordInventory(input: $input) {{ {INVENTORY_FIELDS} }} }}"""
PICKUP = f"""mutation($case: ID!) {{ requestPickup(caseId: $case) {{ {INVENTORY_FIELDS} }} }}"""
OUTCOME = f"""mutation($id: ID!, $outcome: ContactOutcome!, $attempts: Int!, $on: Date!) {{
  recordMunicipalContact(id: $id, outcome: $outcome, attempts: $attempts, contactedOn: $on) {{
    {CONTACT_FIELDS} }} }}"""
RELEASE = f"""mutation($case: ID!) {{ releasePickup(caseId: $case) {{ {INVENTORY_FIELDS} }} }}"""
COLLECT = f"""mutation($case: ID!, $on: Date!) {{ recordCollection(caseId: $case,
  collectedOn: $on) {{ {INVENTORY_FIELDS} }} }}"""
DISPOSE = f"""mutation($input: RecordDisposalInput!) {{
  recordDisposal(input: $input) {{ {INVENTORY_FIELDS} }} }}"""
INVENTORY = f"query($case: ID!) {{ inventory(caseId: $case) {{ {INVENTORY_FIELDS} }} }}"
CONTACTS = f"""query($overdue: Boolean!) {{ municipalContacts(overdueOnly: $overdue) {{
  {CONTACT_FIELDS} }} }}"""
CLOCKS = """query($days: Int!) { inventoryClocks(withinDays: $days) { today
  reachingThirteenWeeks { caseId thirteenWeeksOn disposableFrom }
  overdueContacts { caseId dueOn overdue }
  waitingPickups { caseId pickups { status } } } }"""
ENTRY = """query($index: Int!) { auditLogEntry(index: $index) { inclusionProof
  entry { data opening { data } } checkpoint { note } } }"""

#: What an inventory entry of the audit log may hold: ids, codes, dates and hashes.
LOG_KEYS = {
    "inventory",
    "case",
    "storageProvider",
    "perishableOrDangerous",
    "removedOn",
    "recordCopyHandedOverOn",
    "pickup",
    "status",
    "contact",
    "municipality",
    "dueOn",
    "outcome",
    "attempts",
    "contactedOn",
    "collectedOn",
    "disposition",
    "disposedOn",
    "claimableUntil",
    "proceedsSha256",
    "lapsedPickup",
}
DESCRIPTION = "huisraad: bankstel, bed, tafel, 14 verhuisdozen, 2 fietsen"


def _day(days: int = 0) -> str:
    return (THURSDAY.date() + dt.timedelta(days=days)).isoformat()


def _input(case_id: str, **changes: Any) -> dict[str, Any]:
    new = {
        "caseId": case_id,
        "storageProvider": STORAGE,
        "locationCode": "ZD-H12-04",
        "description": DESCRIPTION,
        "volumeM3": "18.5",
        "perishableOrDangerous": False,
        "removedOn": _day(),
        "recordCopyHandedOverOn": _day(),
    }
    return {**new, **changes}


def _ok(body: dict[str, Any], field: str) -> Any:
    assert "errors" not in body, body
    return body["data"][field]


def _log_size(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return read_state(session).size


def _counts(sessions: sessionmaker[Session]) -> tuple[int, ...]:
    """Everything a refused request must leave as it was: inventories, pickups, contacts,
    outbox events and audit-log entries."""
    with sessions() as session:
        rows = [
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (StoredInventory, PickupRequest, MunicipalContact, OutboxEvent)
        ]
        return (*rows, read_state(session).size)


@pytest.fixture
def clock_on_thursday(clock: Clock) -> Clock:
    clock.now = THURSDAY  # tokens are signed and checked on this clock too
    return clock


@pytest.fixture
def evicted(sessions: sessionmaker[Session], clock_on_thursday: Clock) -> str:
    """A Parteon case in Zaanstad whose eviction Kerckhoffs & Lasonder carried out today."""
    return evicted_case(sessions, OWNER, THURSDAY.date(), bailiff=BAILIFF)


@pytest.fixture
def stored(gql: GraphQL, evicted: str) -> dict[str, Any]:
    """The evicted case's goods, recorded as stored by the bailiff."""
    return dict(_ok(gql(BAILIFF, RECORD, {"input": _input(evicted)}), "recordInventory"))


def test_the_inventory_flow_end_to_end(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    clock_on_thursday: Clock,
    client: Any,
    log_signer: Any,
) -> None:
    clock = clock_on_thursday
    case_id = case_in(sessions, OWNER, Phase.JUDGMENT_SERVED, THURSDAY.date())
    # The eviction, by the owner through the lifecycle: scheduled today, carried out today.
    _ok(
        gql(
            OWNER,
            """mutation($id: ID!, $date: Date!) { scheduleEviction(id: $id,
        date: $date, bailiff: "kerckhoffs-lasonder") { id } }""",
            {"id": case_id, "date": _day()},
        ),
        "scheduleEviction",
    )
    _ok(
        gql(
            OWNER,
            """mutation($id: ID!) { carryOutEviction(id: $id, outcome: EXECUTED) {
        id } }""",
            {"id": case_id},
        ),
        "carryOutEviction",
    )

    # The bailiff records the goods it removed, stored with Opslag Zaanstad.
    stored = _ok(gql(BAILIFF, RECORD, {"input": _input(case_id)}), "recordInventory")
    assert stored["status"] == "STORED"
    assert stored["storageProvider"] == STORAGE
    assert stored["description"] == DESCRIPTION
    assert stored["volumeM3"] == "18.5"
    assert stored["thirteenWeeksOn"] == stored["disposableFrom"] == _day(91)
    assert stored["pickups"] == []
    # Zaanstad's covenant lets the bailiff read the storage, dates and pickups only.
    assert stored["contacts"] is None and stored["releaseAuthorised"] is None
    assert set(stored["withheld"]) == {
        "inventoryReleaseAuthorised",
        "municipalContact",
        "inventoryDisposal",
        "inventoryLog",
    }

    # The storage provider now relates to the case (involved, role storage) and sees of it
    # only whether a release is authorised.
    case = _ok(
        gql(
            STORAGE,
            """query($id: ID!) { case(id: $id) { relation evictionDate
        contactName involvements { partner } withheld } }""",
            {"id": case_id},
        ),
        "case",
    )
    assert case["relation"] == "involved"
    assert case["evictionDate"] is case["contactName"] is case["involvements"] is None
    assert {"evictionDate", "contactName", "contactAddress", "phase"} <= set(case["withheld"])
    mine = _ok(gql(STORAGE, INVENTORY, {"case": case_id}), "inventory")
    assert mine["releaseAuthorised"] is False
    assert mine["description"] is mine["locationCode"] is mine["pickups"] is None
    assert "inventoryReleaseAuthorised" not in mine["withheld"]
    assert len(mine["withheld"]) == 6

    # The household asks the storage provider for its goods: the pickup is on hold, and the
    # municipality has a task, due five working days on.
    asked = _ok(gql(STORAGE, PICKUP, {"case": case_id}), "requestPickup")
    assert asked["releaseAuthorised"] is False
    assert asked["pickups"] is None  # not the storage provider's to read
    polled = _ok(gql(MUNICIPALITY, CONTACTS, {"overdue": False}), "municipalContacts")
    contact = next(c for c in polled if c["caseId"] == case_id)
    assert contact["dueOn"] == "2026-11-12"  # Thursday 5 November + 5 working days
    assert contact["assignee"] == MUNICIPALITY
    assert contact["municipality"] == "zaanstad"
    assert contact["overdue"] is False and contact["outcome"] is None
    assert contact["inventoryId"] == stored["id"]
    waiting = _ok(gql(MUNICIPALITY, CLOCKS, {"days": 14}), "inventoryClocks")
    assert [w["caseId"] for w in waiting["waitingPickups"]] == [case_id]
    assert waiting["waitingPickups"][0]["pickups"] == [{"status": "ON_HOLD"}]
    assert waiting["overdueContacts"] == []

    # No release before the contact's outcome.
    before = _counts(sessions)
    early = gql(MUNICIPALITY, RELEASE, {"case": case_id})
    assert error_codes(early) == ["CONFLICT"]
    assert early["errors"][0]["message"] == (
        "the municipal contact for this pickup has no outcome yet (due on 2026-11-12): record "
        "it with recordMunicipalContact before the release"
    )
    assert _counts(sessions) == before

    # On its due date it is not overdue yet; the day after, the clocks show it.
    clock.advance(days=7)
    assert _ok(gql(MUNICIPALITY, CLOCKS, {"days": 14}), "inventoryClocks")["overdueContacts"] == []
    clock.advance(days=1)
    late = _ok(gql(MUNICIPALITY, CLOCKS, {"days": 14}), "inventoryClocks")
    assert late["today"] == _day(8)
    assert late["overdueContacts"] == [{"caseId": case_id, "dueOn": "2026-11-12", "overdue": True}]
    overdue = _ok(gql(MUNICIPALITY, CONTACTS, {"overdue": True}), "municipalContacts")
    assert [c["id"] for c in overdue] == [contact["id"]]

    # The municipality reached the household, which accepted help; then it releases.
    outcome = _ok(
        gql(
            MUNICIPALITY,
            OUTCOME,
            {"id": contact["id"], "outcome": "HELP_ACCEPTED", "attempts": 2, "on": _day(6)},
        ),
        "recordMunicipalContact",
    )
    assert outcome["outcome"] == "HELP_ACCEPTED"
    assert outcome["overdue"] is False and outcome["recordedBy"] == MUNICIPALITY
    released = _ok(gql(MUNICIPALITY, RELEASE, {"case": case_id}), "releasePickup")
    assert released["releaseAuthorised"] is True
    assert released["pickups"][0]["status"] == "RELEASED"
    assert released["contacts"][0]["outcome"] == "HELP_ACCEPTED"
    assert _ok(gql(STORAGE, INVENTORY, {"case": case_id}), "inventory")["releaseAuthorised"] is True
    assert _ok(gql(MUNICIPALITY, CLOCKS, {"days": 14}), "inventoryClocks")["waitingPickups"] == []

    # The storage provider hands the goods over and records it.
    clock.advance(days=1)
    collected = _ok(gql(STORAGE, COLLECT, {"case": case_id, "on": _day(9)}), "recordCollection")
    assert collected["releaseAuthorised"] is False  # handed over: nothing more to release
    done = _ok(gql(MUNICIPALITY, INVENTORY, {"case": case_id}), "inventory")
    assert done["status"] == "COLLECTED"
    assert done["collectedOn"] == _day(9)
    assert done["pickups"][0]["status"] == "COLLECTED"

    # Every step is in the signed log, each entry proves its inclusion offline, and none
    # holds personal data or the goods' description.
    events = [
        "inventory.stored",
        "inventory.pickup_requested",
        "municipal_contact.opened",
        "municipal_contact.outcome_recorded",
        "inventory.pickup_released",
        "inventory.collected",
    ]
    assert len(done["logIndexes"]) == len(events)
    with sessions() as session:
        household = session.get(CaseContact, uuid.UUID(case_id))
        assert household is not None
        personal = [
            household.name,
            household.address,
            household.postal_code,
            household.phone,
            household.email,
        ]
    vkey = client.get("/log/key").text.strip()
    assert vkey == log_signer.verifier_key
    for index, event in zip(done["logIndexes"], events, strict=True):
        # The owner reads every leaf, but not how the household answered the municipality.
        owned = _ok(gql(OWNER, ENTRY, {"index": index}), "auditLogEntry")["entry"]
        assert (owned["opening"] is None) is event.startswith("municipal_contact.")
        found = _ok(gql(MUNICIPALITY, ENTRY, {"index": index}), "auditLogEntry")
        assert found["entry"]["data"] == owned["data"]
        checkpoint = verify_checkpoint(found["checkpoint"]["note"], vkey)
        data = found["entry"]["data"]
        proof = [base64.b64decode(h) for h in found["inclusionProof"]]
        verify_inclusion(data.encode(), index, checkpoint.size, proof, checkpoint.root)
        assert case_id not in data  # the leaf holds no case content
        opening = found["entry"]["opening"]["data"]
        shown = verify_opening(data.encode(), opening.encode())
        assert shown["type"] == event
        payload = {k: v for k, v in shown.items() if k != "type"}
        assert set(payload) <= LOG_KEYS, set(payload) - LOG_KEYS
        assert (payload["inventory"], payload["case"]) == (stored["id"], case_id)
        for text in (data, opening):
            assert "bankstel" not in text
            assert "ZD-H12-04" not in text
            for value in personal:
                assert not value or value not in text


def test_storage_provider_sees_only_the_release(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    stored: dict[str, Any],
    evicted: str,
) -> None:
    # Asking for everything gets null and `withheld` for all but the release, and the access
    # log records exactly that.
    body = gql(STORAGE, INVENTORY, {"case": evicted})
    seen = body["data"]["inventory"]
    assert seen["releaseAuthorised"] is False
    assert all(
        seen[f] is None
        for f in (
            "status",
            "storageProvider",
            "description",
            "removedOn",
            "pickups",
            "contacts",
            "proceeds",
        )
    )
    with sessions() as session:
        record = session.scalars(
            select(AccessLogRecord)
            .where(AccessLogRecord.partner_id == STORAGE)
            .order_by(AccessLogRecord.occurred_at.desc())
        ).first()
    assert record is not None
    assert str(record.case_id) == evicted
    assert record.fields_disclosed == ["inventoryReleaseAuthorised"]
    assert "inventoryStorage" in record.fields_withheld
    # Case fields it has no policy for: null and withheld, nothing else.
    case = gql(
        STORAGE,
        """query($id: ID!) { case(id: $id) { municipality phase owner
        reasons arrearsAmount withheld } }""",
        {"id": evicted},
    )["data"]["case"]
    assert case == {
        **dict.fromkeys(("municipality", "phase", "owner", "reasons", "arrearsAmount")),
        "withheld": case["withheld"],
    }
    assert {"municipality", "phase", "owner", "reasons", "arrearsAmount"} <= set(case["withheld"])
    # A case it has no relation to does not exist for it: not its inventory, not the case.
    with sessions() as session:
        other = session.scalars(
            select(Case.id).where(Case.owner_id == OWNER, Case.id != uuid.UUID(evicted))
        ).first()
    for query, variables in (
        (INVENTORY, {"case": str(other)}),
        ("query($id: ID!) { case(id: $id) { withheld } }", {"id": str(other)}),
        (PICKUP, {"case": str(other)}),
    ):
        hidden = gql(STORAGE, query, variables)
        assert error_codes(hidden) == ["NOT_FOUND"]
        assert hidden["errors"][0]["message"] == f"case {other} not found"
    # Nor may it read the municipality's clocks.
    refused = gql(STORAGE, CLOCKS, {"days": 14})
    assert error_codes(refused) == ["NOT_ALLOWED"]
    assert "the municipality that stores the goods does" in refused["errors"][0]["message"]


def test_uncollected_goods_are_disposed_of_after_13_weeks(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    clock_on_thursday: Clock,
    stored: dict[str, Any],
    evicted: str,
) -> None:
    clock = clock_on_thursday
    sale = {"caseId": evicted, "disposition": "SOLD", "proceeds": "125.50"}

    def dispose(**changes: Any) -> dict[str, Any]:
        return gql(
            MUNICIPALITY,
            DISPOSE,
            {"input": {**sale, "disposedOn": _day((clock.now - THURSDAY).days), **changes}},
        )

    # Not before 13 weeks: refused on the day, and the day before the 13 weeks end.
    for days in (0, 90):
        clock.now = THURSDAY + dt.timedelta(days=days)
        before = _counts(sessions)
        early = dispose()
        assert error_codes(early) == ["CONFLICT"], early
        assert early["errors"][0]["message"] == (
            f"uncollected goods may be sold, given away or destroyed from {_day(91)}, not on "
            f"{_day(days)}: 13 weeks after the removal on {_day()} end on {_day(91)} (unless "
            "they were recorded as perishable or dangerous)"
        )
        assert _counts(sessions) == before

    # The clocks: nothing reaching 13 weeks until the window covers day 91.
    clock.now = THURSDAY + dt.timedelta(days=70)
    assert (
        _ok(gql(MUNICIPALITY, CLOCKS, {"days": 14}), "inventoryClocks")["reachingThirteenWeeks"]
        == []
    )
    clock.now = THURSDAY + dt.timedelta(days=80)
    reaching = _ok(gql(MUNICIPALITY, CLOCKS, {"days": 14}), "inventoryClocks")
    assert reaching["reachingThirteenWeeks"] == [
        {"caseId": evicted, "thirteenWeeksOn": _day(91), "disposableFrom": _day(91)}
    ]

    # A sale names its proceeds; other dispositions have none.
    clock.now = THURSDAY + dt.timedelta(days=91)
    for changes, message in (
        ({"proceeds": None}, "a sale records its proceeds (0 when they did not cover costs)"),
        ({"disposition": "DESTROYED"}, "goods destroyed have no proceeds: only a sale does"),
        ({"proceeds": "-1"}, "proceeds must be between 0 and 1,000,000 euros"),
        ({"disposedOn": _day(92)}, f"disposedOn {_day(92)} lies in the future"),
    ):
        bad = dispose(**changes)
        assert error_codes(bad) == ["INVALID_INPUT"], bad
        assert bad["errors"][0]["message"] == message

    sold = _ok(dispose(), "recordDisposal")
    assert sold["status"] == "DISPOSED"
    assert sold["disposition"] == "SOLD"
    assert sold["disposedOn"] == _day(91)
    assert sold["proceeds"] == "125.50"
    assert sold["claimableUntil"] == "2030-02-04"  # three years after the sale of 2027-02-04
    assert (
        _ok(gql(MUNICIPALITY, CLOCKS, {"days": 14}), "inventoryClocks")["reachingThirteenWeeks"]
        == []
    )
    # The log holds a salted hash of the proceeds, never the amount.
    with sessions() as session:
        entry = session.scalars(
            select(AuditLogEntry)
            .where(AuditLogEntry.subject == f"inventory:{stored['id']}")
            .order_by(AuditLogEntry.log_index.desc())
        ).first()
        assert entry is not None
        opening = session.get(AuditLogOpening, entry.log_index)
        assert opening is not None
    event = json.loads(opening.opening)["event"]
    assert event["type"] == "inventory.disposed"
    assert event["claimableUntil"] == "2030-02-04"
    assert len(event["proceedsSha256"]) == 64
    assert "125.5" not in entry.canonical.decode() + opening.opening.decode()
    # Gone is gone: no pickup, no second disposal.
    for again in (gql(STORAGE, PICKUP, {"case": evicted}), dispose()):
        assert error_codes(again) == ["CONFLICT"]
        assert again["errors"][0]["message"] == (
            f"the goods are no longer stored: they were disposed on {_day(91)}"
        )


def test_the_copy_of_the_record_and_perishable_goods_move_the_earliest_disposal(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    clock_on_thursday: Clock,
    evicted: str,
) -> None:
    clock = clock_on_thursday
    # The copy of the official record reached the household only on day 85: two weeks after it
    # (day 99) counts, not the 13 weeks (day 91).
    clock.now = THURSDAY + dt.timedelta(days=85)
    late_copy = _ok(
        gql(BAILIFF, RECORD, {"input": _input(evicted, recordCopyHandedOverOn=_day(85))}),
        "recordInventory",
    )
    assert late_copy["disposableFrom"] == _day(99)
    clock.now = THURSDAY + dt.timedelta(days=95)
    early = gql(
        MUNICIPALITY,
        DISPOSE,
        {"input": {"caseId": evicted, "disposition": "GIVEN_AWAY", "disposedOn": _day(95)}},
    )
    assert error_codes(early) == ["CONFLICT"]
    assert early["errors"][0]["message"] == (
        f"uncollected goods may be sold, given away or destroyed from {_day(99)}, not on "
        f"{_day(95)}: the copy of the official record was handed over on {_day(85)}, and two "
        "weeks must pass after that (unless they were recorded as perishable or dangerous)"
    )
    clock.now = THURSDAY + dt.timedelta(days=99)
    given = _ok(
        gql(
            MUNICIPALITY,
            DISPOSE,
            {"input": {"caseId": evicted, "disposition": "GIVEN_AWAY", "disposedOn": _day(99)}},
        ),
        "recordDisposal",
    )
    assert given["disposition"] == "GIVEN_AWAY"
    assert given["claimableUntil"] is None and given["proceeds"] is None

    # Perishable or dangerous goods may be destroyed at once.
    clock.now = THURSDAY
    other = evicted_case(sessions, OWNER, THURSDAY.date(), bailiff=BAILIFF, exclude=(evicted,))
    rotten = _ok(
        gql(
            MUNICIPALITY,
            RECORD,
            {
                "input": _input(
                    other,
                    perishableOrDangerous=True,
                    description="koelkast met bedorven etenswaren",
                )
            },
        ),
        "recordInventory",
    )
    assert rotten["disposableFrom"] == _day()
    assert rotten["recordedBy"] == MUNICIPALITY
    # Listed by the clocks at once: it may be disposed of any day.
    clocks = _ok(gql(MUNICIPALITY, CLOCKS, {"days": 0}), "inventoryClocks")
    assert [r["caseId"] for r in clocks["reachingThirteenWeeks"]] == [other]
    destroyed = _ok(
        gql(
            MUNICIPALITY,
            DISPOSE,
            {"input": {"caseId": other, "disposition": "DESTROYED", "disposedOn": _day()}},
        ),
        "recordDisposal",
    )
    assert destroyed["status"] == "DISPOSED"


@pytest.mark.usefixtures("clock_on_thursday")
def test_recording_an_inventory_refuses_bad_input_and_changes_nothing(
    gql: GraphQL,
    sessions: sessionmaker[Session],
) -> None:
    # Evicted two days ago; the bailiff records today.
    evicted = evicted_case(
        sessions,
        OWNER,
        THURSDAY.date(),
        bailiff=BAILIFF,
        evicted_on=_date(-2),
        involved=("wijkteam-zaandam-noord",),
    )
    not_yet = case_in(
        sessions, OWNER, Phase.EVICTION, THURSDAY.date(), involved=(BAILIFF,), exclude=(evicted,)
    )
    cases = (
        # (partner, case, changes, code, message)
        (
            BAILIFF,
            not_yet,
            {},
            "CONFLICT",
            f"no eviction was carried out for case {not_yet} (eviction outcome: none): goods "
            "are stored only after an eviction",
        ),
        (
            "wijkteam-zaandam-noord",
            evicted,
            {},
            "NOT_ALLOWED",
            "wijkteam-zaandam-noord may not record this case's inventory",
        ),
        ("flanderijn", evicted, {}, "NOT_FOUND", f"case {evicted} not found"),
        (
            BAILIFF,
            evicted,
            {"removedOn": _day(1), "recordCopyHandedOverOn": _day(1)},
            "INVALID_INPUT",
            f"removedOn {_day(1)} lies in the future",
        ),
        (
            BAILIFF,
            evicted,
            {"recordCopyHandedOverOn": _day(1)},
            "INVALID_INPUT",
            f"recordCopyHandedOverOn {_day(1)} lies in the future",
        ),
        (
            BAILIFF,
            evicted,
            {"removedOn": _day(-3), "recordCopyHandedOverOn": _day(-3)},
            "INVALID_INPUT",
            f"removedOn {_day(-3)} is before the eviction of {_day(-2)}",
        ),
        (
            BAILIFF,
            evicted,
            {"removedOn": _day(-1), "recordCopyHandedOverOn": _day(-2)},
            "INVALID_INPUT",
            f"recordCopyHandedOverOn {_day(-2)} is before the removal on {_day(-1)}: the copy is "
            "of the record made at the removal",
        ),
        (
            BAILIFF,
            evicted,
            {"storageProvider": "wijkteam-zaandam-noord"},
            "INVALID_INPUT",
            "wijkteam-zaandam-noord does not keep stored goods: name a storage provider",
        ),
        (
            BAILIFF,
            evicted,
            {"storageProvider": "opslag-elders"},
            "INVALID_INPUT",
            "unknown partner 'opslag-elders'",
        ),
        (
            BAILIFF,
            evicted,
            {"locationCode": "Demostraat 12, Zaandam"},
            "INVALID_INPUT",
            "locationCode is a storage location code of 1 to 32 capital letters, digits and "
            "hyphens, such as ZD-H12-04: never a name or an address",
        ),
        (
            BAILIFF,
            evicted,
            {"locationCode": "Fatma-Verzonnen"},
            "INVALID_INPUT",
            "locationCode is a storage location code of 1 to 32 capital letters, digits and "
            "hyphens, such as ZD-H12-04: never a name or an address",
        ),
        (
            BAILIFF,
            evicted,
            {"locationCode": "A" * 33},
            "INVALID_INPUT",
            "locationCode is a storage location code of 1 to 32 capital letters, digits and "
            "hyphens, such as ZD-H12-04: never a name or an address",
        ),
        (
            BAILIFF,
            evicted,
            {"description": "dozen " * 84},
            "INVALID_INPUT",
            "the description is longer than 500 characters",
        ),
        (
            BAILIFF,
            evicted,
            {"volumeM3": "0"},
            "INVALID_INPUT",
            "volumeM3 must be above 0 and at most 10000",
        ),
        (
            BAILIFF,
            evicted,
            {"description": "  "},
            "INVALID_INPUT",
            "describe the nature and size of the goods",
        ),
        (
            BAILIFF,
            evicted,
            {"description": "dozen, bel 06-12345678 bij vragen"},
            "INVALID_INPUT",
            "the description must hold no personal data, and it contains what looks like a phone "
            "number: say what and how much is stored, never whose",
        ),
        (
            BAILIFF,
            evicted,
            {"description": "post voor 1234 AB meegenomen"},
            "INVALID_INPUT",
            "the description must hold no personal data, and it contains what looks like a "
            "postal code: say what and how much is stored, never whose",
        ),
    )
    before = _counts(sessions)
    for partner, case_id, changes, code, message in cases:
        body = gql(partner, RECORD, {"input": _input(case_id, **changes)})
        assert error_codes(body) == [code], (changes, body)
        assert body["errors"][0]["message"] == message
        assert _counts(sessions) == before
    # The household's own name in the description: refused without repeating it.
    with sessions() as session:
        household = session.get(CaseContact, uuid.UUID(evicted))
        assert household is not None
        name = household.name
    named = gql(BAILIFF, RECORD, {"input": _input(evicted, description=f"spullen van {name}")})
    assert error_codes(named) == ["INVALID_INPUT"]
    assert name not in named["errors"][0]["message"]
    assert "it names the household or its address" in named["errors"][0]["message"]
    assert _counts(sessions) == before

    # Right once; a second record for the same case is a conflict.
    _ok(
        gql(
            BAILIFF,
            RECORD,
            {"input": _input(evicted, removedOn=_day(-2), recordCopyHandedOverOn=_day(-1))},
        ),
        "recordInventory",
    )
    again = gql(MUNICIPALITY, RECORD, {"input": _input(evicted)})
    assert error_codes(again) == ["CONFLICT"]
    assert again["errors"][0]["message"] == f"case {evicted} has a stored inventory already"


def _date(days: int) -> dt.date:
    return THURSDAY.date() + dt.timedelta(days=days)


def test_pickups_and_contacts_refuse_what_the_rules_do_not_allow(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    clock_on_thursday: Clock,
    stored: dict[str, Any],
    evicted: str,
) -> None:
    clock = clock_on_thursday
    # A pickup for a case without stored inventory.
    bare = evicted_case(sessions, OWNER, THURSDAY.date(), bailiff=BAILIFF, exclude=(evicted,))
    before = _counts(sessions)
    none = gql(BAILIFF, PICKUP, {"case": bare})
    assert error_codes(none) == ["CONFLICT"]
    assert none["errors"][0]["message"] == (
        f"case {bare} has no stored inventory: recordInventory first (after the eviction)"
    )
    assert gql(MUNICIPALITY, INVENTORY, {"case": bare})["data"]["inventory"] is None
    # Collection and release with no pickup asked for.
    nothing = gql(MUNICIPALITY, RELEASE, {"case": evicted})
    assert error_codes(nothing) == ["CONFLICT"]
    assert nothing["errors"][0]["message"] == (
        "no pickup was requested: there is nothing to release"
    )
    unreleased = gql(STORAGE, COLLECT, {"case": evicted, "on": _day()})
    assert error_codes(unreleased) == ["CONFLICT"]
    assert unreleased["errors"][0]["message"] == (
        "the goods may not be handed over: no pickup release is authorised"
    )
    # Only the storage provider, the bailiff or the municipality asks for a pickup.
    owner = gql(OWNER, PICKUP, {"case": evicted})
    assert error_codes(owner) == ["NOT_ALLOWED"]
    assert owner["errors"][0]["message"] == "parteon may not request a pickup for this case"
    assert _counts(sessions) == before

    # The bailiff asks; a second request while it is on hold is a conflict.
    asked = _ok(gql(BAILIFF, PICKUP, {"case": evicted}), "requestPickup")
    assert asked["pickups"][0]["status"] == "ON_HOLD"
    assert asked["pickups"][0]["requestedBy"] == BAILIFF
    before = _counts(sessions)
    twice = gql(STORAGE, PICKUP, {"case": evicted})
    assert error_codes(twice) == ["CONFLICT"]
    assert twice["errors"][0]["message"] == (
        f"a pickup was requested already on {_day()} and is on_hold"
    )
    # Goods a household asked for are not uncollected while the pickup waits, 13 weeks or not.
    clock.now = THURSDAY + dt.timedelta(days=100)
    waiting = gql(
        MUNICIPALITY,
        DISPOSE,
        {"input": {"caseId": evicted, "disposition": "DESTROYED", "disposedOn": _day(100)}},
    )
    assert error_codes(waiting) == ["CONFLICT"]
    assert waiting["errors"][0]["message"] == (
        f"a pickup was requested on {_day()} and waits for the municipal contact: the goods "
        "are not uncollected"
    )
    still = gql(STORAGE, COLLECT, {"case": evicted, "on": _day(100)})
    assert error_codes(still) == ["CONFLICT"]
    assert still["errors"][0]["message"] == (
        "the goods may not be handed over: no pickup release is authorised (the pickup is on "
        "hold for the municipal contact)"
    )
    assert _counts(sessions) == before

    # The contact's outcome: only the municipality records it, and only sensibly.
    contact = _ok(gql(MUNICIPALITY, INVENTORY, {"case": evicted}), "inventory")["contacts"][0]
    for partner, variables, code, message in (
        (
            STORAGE,
            {"outcome": "HELP_DECLINED", "attempts": 1, "on": _day(1)},
            "NOT_ALLOWED",
            "opslag-zaanstad may not record the outcome of this municipal contact",
        ),
        (
            "flanderijn",
            {"outcome": "HELP_DECLINED", "attempts": 1, "on": _day(1)},
            "NOT_FOUND",
            f"municipal contact {contact['id']} not found",
        ),
        (
            MUNICIPALITY,
            {"outcome": "NOT_REACHED", "attempts": 2, "on": _day(5)},
            "INVALID_INPUT",
            "a household counts as not reached after at least 3 attempts, not 2: try again first",
        ),
        (
            MUNICIPALITY,
            {"outcome": "HELP_OFFERED", "attempts": 0, "on": _day(5)},
            "INVALID_INPUT",
            "attempts must be between 1 and 50",
        ),
        (
            MUNICIPALITY,
            {"outcome": "HELP_OFFERED", "attempts": 1, "on": _day(-1)},
            "INVALID_INPUT",
            f"contactedOn {_day(-1)} is before the pickup request of {_day()} that opened this "
            "contact",
        ),
        (
            MUNICIPALITY,
            {"outcome": "HELP_OFFERED", "attempts": 1, "on": _day(101)},
            "INVALID_INPUT",
            f"contactedOn {_day(101)} lies in the future",
        ),
    ):
        body = gql(partner, OUTCOME, {"id": contact["id"], **variables})
        assert error_codes(body) == [code], body
        assert body["errors"][0]["message"] == message
    assert _counts(sessions) == before

    # Not reached after three attempts still lets the pickup go; recording twice does not.
    _ok(
        gql(
            MUNICIPALITY,
            OUTCOME,
            {"id": contact["id"], "outcome": "NOT_REACHED", "attempts": 3, "on": _day(4)},
        ),
        "recordMunicipalContact",
    )
    twice = gql(
        MUNICIPALITY,
        OUTCOME,
        {"id": contact["id"], "outcome": "HELP_OFFERED", "attempts": 1, "on": _day(4)},
    )
    assert error_codes(twice) == ["CONFLICT"]
    assert twice["errors"][0]["message"] == (
        f"the outcome of this contact was recorded already on {_day(100)} (not_reached)"
    )
    # The release is the municipality's alone.
    storage_release = gql(STORAGE, RELEASE, {"case": evicted})
    assert error_codes(storage_release) == ["NOT_ALLOWED"]
    assert storage_release["errors"][0]["message"] == (
        "opslag-zaanstad may not release this case's goods"
    )
    _ok(gql(MUNICIPALITY, RELEASE, {"case": evicted}), "releasePickup")
    # A released pickup nobody came for lapses when the goods are disposed of.
    gone = _ok(
        gql(
            MUNICIPALITY,
            DISPOSE,
            {"input": {"caseId": evicted, "disposition": "DESTROYED", "disposedOn": _day(100)}},
        ),
        "recordDisposal",
    )
    assert gone["pickups"][0]["status"] == "LAPSED"
    assert gone["releaseAuthorised"] is False
