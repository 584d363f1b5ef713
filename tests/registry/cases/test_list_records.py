"""A list's plain rows (``registry.cases.records``) are released exactly as a case read on its
own (an ORM entity, ``case(id:)``) is: the same answer for every case of every list, and the
same access-log record, for partners of every relation, for selections with and without
contact details, involvements, signals and collection pauses, and for a partner whose roles
in its cases decide what it reads (a ``role:aftercare`` covenant)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from registry.app import create_app
from registry.config import Settings
from registry.models import AccessLogRecord, Case, Involvement, InvolvementRole
from tests.conftest import AppClient, Clock

#: Municipality, owners, involved partners with little released, and the bailiff.
PARTNERS = ("gemeente-zaanstad", "parteon", "zowonen", "wij-groningen", "flanderijn")

SELECTIONS = {
    "record": """id relation withheld municipality owner phase reasons householdComposition
      childrenInvolved arrearsAmount arrearsMonths
      earlySignalChecks { contactAttempted debtHelpReferred reminderSent tenantDidNotObject }
      earlySignalledOn judgmentRequestedOn judgmentGrantedOn evictionDate evictionOutcome
      shelterArranged housingBlockUntil housingBlockUntilDebtSettled bailiff
      householdDestination destinationArrangedBy closedOn closureOutcome coordinator
      registeredAt""",
    "related": """id relation withheld involvements { partner role since }
      involvementContacts { partner role name phone email }
      signals { signalledOn arrearsMonths arrearsAmount source repeat districtTeamDueOn
        districtTeamRepliedAt helpOfferDueOn helpOfferedAt }
      collectionPauses { pausedFrom pausedUntil reason recordedBy }""",
    "contact": """id withheld phase contactName contactAddress contactPostalCode
      contactPhone contactEmail""",
    "bare": "id",
}

LIST = """query($after: String) { cases(first: 100, after: $after) {
  nodes { %s } pageInfo { endCursor hasNextPage } } }"""


@pytest.fixture
def wide(settings: Settings, sessions: sessionmaker[Session], clock: Clock) -> AppClient:
    """The real app, with room for one document that reads dozens of cases by id."""
    roomy = settings.replace(max_aliases=100, max_tokens=20_000, max_cost=10**6)
    return AppClient(create_app(roomy, clock=clock, session_factory=sessions))


def _post(client: AppClient, token: str, query: str, variables: dict[str, Any]) -> Any:
    response = client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    body = response.json()
    assert response.status_code == 200 and not body.get("errors"), body
    return body["data"]


def _logged(sessions: sessionmaker[Session], partner: str, seen: set[uuid.UUID]) -> dict[str, Any]:
    """The access-log records written for ``partner`` since ``seen``: per case, what was
    disclosed and withheld, and the outcome."""
    with sessions() as session:
        rows = session.scalars(
            select(AccessLogRecord).where(
                AccessLogRecord.partner_id == partner, AccessLogRecord.id.not_in(seen)
            )
        ).all()
    seen |= {r.id for r in rows}
    return {
        str(r.case_id): (sorted(r.fields_disclosed), sorted(r.fields_withheld), r.outcome)
        for r in rows
    }


def _aftercare_roles(sessions: sessionmaker[Session], partner: str) -> tuple[str, str, str]:
    """``partner`` does aftercare in three cases: one it works on already (a second role), one
    it had nothing to do with, and one whose aftercare it stopped (released: no role). Returns
    their ids, in that order."""
    with sessions.begin() as session:
        mine = select(Involvement.case_id).where(Involvement.partner_id == partner)
        cases = session.scalars(
            select(Case.id).where(Case.id.not_in(mine)).order_by(Case.registered_at).limit(2)
        ).all()
        own = session.scalars(mine.limit(1)).one()
        for case_id, stopped in ((own, False), (cases[0], False), (cases[1], True)):
            session.add(
                Involvement(
                    case_id=case_id,
                    partner_id=partner,
                    role=InvolvementRole.AFTERCARE,
                    since=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
                    involved_by="gemeente-zaanstad",
                    released_at=dt.datetime(2026, 2, 5, tzinfo=dt.UTC) if stopped else None,
                )
            )
    return str(own), str(cases[0]), str(cases[1])


@pytest.mark.parametrize("selection", sorted(SELECTIONS))
@pytest.mark.parametrize("partner", PARTNERS)
def test_a_listed_case_is_released_as_the_case_read_on_its_own(
    wide: AppClient,
    sessions: sessionmaker[Session],
    token_for: Callable[..., str],
    partner: str,
    selection: str,
) -> None:
    _aftercare_roles(sessions, "wij-groningen")
    fields = SELECTIONS[selection]
    seen: set[uuid.UUID] = set()
    _logged(sessions, partner, seen)
    listed, after = [], None
    while True:
        page = _post(wide, token_for(partner), LIST % fields, {"after": after})["cases"]
        listed += page["nodes"]
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
    assert len(listed) > 5, f"{partner} relates to few cases in the demo: a weak comparison"
    list_log = _logged(sessions, partner, seen)

    alone: list[dict[str, Any]] = []
    for start in range(0, len(listed), 50):
        batch = [n["id"] for n in listed[start : start + 50]]
        reads = " ".join(f'c{i}: case(id: "{c}") {{ ...F }}' for i, c in enumerate(batch))
        query = f"fragment F on Case {{ {fields} }}\nquery {{ {reads} }}"
        data = _post(wide, token_for(partner), query, {})
        alone += [data[f"c{i}"] for i in range(len(batch))]
    assert listed == alone
    assert list_log == _logged(sessions, partner, seen)
    assert set(list_log) == {n["id"] for n in listed}


def test_the_aftercare_role_releases_its_fields_in_a_list(
    wide: AppClient, sessions: sessionmaker[Session], token_for: Callable[..., str]
) -> None:
    """The roles of a page are read for the page: in a case where the partner does aftercare
    it reads what the covenant releases to that role, which it reads in no other case; a
    case whose aftercare it stopped is not in its list at all (it has no other relation)."""
    own, new, stopped = _aftercare_roles(sessions, "wij-groningen")
    listed, after = {}, None
    while True:
        data = _post(wide, token_for("wij-groningen"), LIST % "id withheld", {"after": after})
        listed |= {n["id"]: n["withheld"] for n in data["cases"]["nodes"]}
        after = data["cases"]["pageInfo"]["endCursor"]
        if not data["cases"]["pageInfo"]["hasNextPage"]:
            break
    assert own in listed and new in listed and stopped not in listed
    assert "shelterArranged" not in listed[own]
    others = [withheld for case_id, withheld in listed.items() if case_id != own]
    assert len(others) > 5 and all("shelterArranged" in withheld for withheld in others)
