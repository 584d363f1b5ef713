"""A housing block with both a period and a debt condition (Ieder1's rule: an evicted tenant
may not rent in the region for three years, and after that only once the debt is settled),
through the real app: recorded and read back, where it used to be refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from tests.arrange import evicted_case
from tests.conftest import Clock, GraphQL
from tests.helpers import error_codes

AFTERCARE = """mutation($id: ID!, $input: AftercareInput!) { recordAftercare(id: $id,
  input: $input) { housingBlockUntil housingBlockUntilDebtSettled } }"""


def _aftercare(gql: GraphQL, case_id: str, **input: Any) -> dict[str, Any]:
    return gql("ieder1", AFTERCARE, {"id": case_id, "input": input})


def test_three_years_and_until_the_debt_is_settled(
    gql: GraphQL, sessions: sessionmaker[Session], clock: Clock
) -> None:
    today = clock.now.date()
    case_id = evicted_case(sessions, "ieder1", today, bailiff="flanderijn")
    three_years = (today + dt.timedelta(days=3 * 365)).isoformat()
    both = _aftercare(
        gql, case_id, housingBlockUntil=three_years, housingBlockUntilDebtSettled=True
    )
    assert "errors" not in both, both
    assert both["data"]["recordAftercare"] == {
        "housingBlockUntil": three_years,
        "housingBlockUntilDebtSettled": True,
    }
    # Omitted fields stay as they are: the block holds both conditions still.
    read = _aftercare(gql, case_id, childrenInvolved=False)
    assert read["data"]["recordAftercare"]["housingBlockUntilDebtSettled"] is True
    assert read["data"]["recordAftercare"]["housingBlockUntil"] == three_years
    # A block that would end before the eviction is still refused.
    past = _aftercare(gql, case_id, housingBlockUntil=(today - dt.timedelta(days=1)).isoformat())
    assert error_codes(past) == ["INVALID_INPUT"]
    assert past["errors"][0]["message"].startswith("a housing block until")
