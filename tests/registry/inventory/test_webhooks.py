"""The municipal contact pushed to the municipality's system: a real webhook receiver on
127.0.0.1 checks the signatures, the real delivery worker posts, and the policies decide who is
told: the municipality of its task (and once more when it is overdue, on the injected clock),
the storage provider of the release and of nothing else."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from registry.notifications.delivery import DeliveryWorker
from tests.arrange import evicted_case
from tests.conftest import DEMO_TODAY, Clock, GraphQL
from tests.receiver import Receiver

THURSDAY = dt.datetime.combine(DEMO_TODAY + dt.timedelta(days=3), dt.time(10), dt.UTC)
MUNICIPALITY = "gemeente-zaanstad"
BAILIFF = "kerckhoffs-lasonder"
STORAGE = "opslag-zaanstad"
SUBSCRIBE = """mutation($url: String!, $types: [String!]!) {
  subscribeWebhook(url: $url, eventTypes: $types) { secret } }"""
ALL_TYPES = [
    "inventory.stored",
    "inventory.pickup_requested",
    "inventory.pickup_released",
    "inventory.collected",
    "inventory.disposed",
    "municipal_contact.requested",
    "municipal_contact.overdue",
]


def _ok(body: dict[str, Any], field: str) -> Any:
    assert "errors" not in body, body
    return body["data"][field]


def _received(receiver: Receiver, partner: str) -> list[tuple[str, str]]:
    """(event type, case id) of every verified webhook the partner's endpoint received."""
    return [
        (r.document["type"], r.document["data"]["caseId"])
        for r in receiver.at(partner)
        if r.verified
    ]


def test_the_municipal_contact_is_pushed_to_the_municipality_and_the_release_to_storage(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    clock: Clock,
    receiver: Receiver,
    worker: DeliveryWorker,
) -> None:
    clock.now = THURSDAY
    case_id = evicted_case(sessions, "parteon", THURSDAY.date(), bailiff=BAILIFF)
    for partner in (MUNICIPALITY, STORAGE, BAILIFF, "wijkteam-zaandam-noord"):
        body = gql(partner, SUBSCRIBE, {"url": receiver.url(partner), "types": ALL_TYPES})
        receiver.secrets[partner] = _ok(body, "subscribeWebhook")["secret"]

    _ok(
        gql(
            BAILIFF,
            """mutation($case: ID!, $day: Date!) { recordInventory(input: {
        caseId: $case, storageProvider: "opslag-zaanstad", locationCode: "ZD-H12-04",
        description: "huisraad, 9 verhuisdozen", removedOn: $day,
        recordCopyHandedOverOn: $day}) { id } }""",
            {"case": case_id, "day": THURSDAY.date().isoformat()},
        ),
        "recordInventory",
    )
    _ok(
        gql(
            STORAGE,
            "mutation($case: ID!) { requestPickup(caseId: $case) { id } }",
            {"case": case_id},
        ),
        "requestPickup",
    )
    report = worker.run_once()
    assert report.fanned_out == 3  # stored, pickup requested, contact requested
    receiver.wait_for(5)
    # The municipality is pushed its task; the bailiff reads the storage and the pickup, not
    # the contact; the storage provider reads only the release, so it is told nothing yet.
    assert sorted(_received(receiver, MUNICIPALITY)) == [
        ("inventory.pickup_requested", case_id),
        ("inventory.stored", case_id),
        ("municipal_contact.requested", case_id),
    ]
    assert sorted(_received(receiver, BAILIFF)) == [
        ("inventory.pickup_requested", case_id),
        ("inventory.stored", case_id),
    ]
    assert _received(receiver, STORAGE) == []
    assert _received(receiver, "wijkteam-zaandam-noord") == []  # no relation to the case
    task = next(
        r for r in receiver.at(MUNICIPALITY) if r.document["type"] == "municipal_contact.requested"
    )
    # Thin: an event id and the case id, no personal data; the system fetches the task.
    assert set(task.document) == {"type", "timestamp", "data"}
    assert set(task.document["data"]) == {"eventId", "caseId"}

    # Past its due date (Thursday + 5 working days) the task is announced once more, once.
    clock.advance(days=8)
    assert worker.run_once().announced == 1
    receiver.wait_for(6)
    assert ("municipal_contact.overdue", case_id) in _received(receiver, MUNICIPALITY)
    assert worker.run_once().announced == 0

    contacts = _ok(gql(MUNICIPALITY, "{ municipalContacts { id caseId } }"), "municipalContacts")
    contact = next(c["id"] for c in contacts if c["caseId"] == case_id)
    _ok(
        gql(
            MUNICIPALITY,
            """mutation($id: ID!, $on: Date!) { recordMunicipalContact(id: $id,
        outcome: HELP_DECLINED, attempts: 1, contactedOn: $on) { id } }""",
            {"id": contact, "on": clock.now.date().isoformat()},
        ),
        "recordMunicipalContact",
    )
    _ok(
        gql(
            MUNICIPALITY,
            "mutation($case: ID!) { releasePickup(caseId: $case) { id } }",
            {"case": case_id},
        ),
        "releasePickup",
    )
    worker.run_once()
    receiver.wait_for(8)  # the storage provider and the municipality
    # The storage provider is told of the release, the one thing it may read.
    assert _received(receiver, STORAGE) == [("inventory.pickup_released", case_id)]
    assert ("inventory.pickup_released", case_id) in _received(receiver, MUNICIPALITY)
    assert all(r.verified for r in receiver.requests)
