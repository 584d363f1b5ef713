"""The eviction monitor's CSV over HTTP (``GET /monitor.csv``), read with the csv module through
the real app and real signed tokens: a municipality gets its own municipality's part, a
corporation its own cases' part, small cells suppressed as in the GraphQL monitor, checked
against counts made here from the rows; every export access-logged; refusals clear."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from registry.models import Case, MonitorExportRecord
from registry.monitor.figures import MEASURES, MIN_CELL
from tests.conftest import AppClient

YEARS = {"fromYear": "2021", "toYear": "2026"}
NO_EXPORT = (
    "does not export the eviction monitor: a municipality exports its own, a corporation that "
    "of its own cases"
)
#: Measures read straight from a case's own dates: what this test counts itself.
OWN_DATES = {
    "signals": "early_signalled_on",
    "judgments_requested": "judgment_requested_on",
    "judgments_granted": "judgment_granted_on",
}


def _get(
    client: AppClient, token: str | None, params: dict[str, str], **headers: str
) -> httpx.Response:
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return client.get("/monitor.csv", params=params, headers=headers)


def _rows(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.text)))


def _counted(sessions: sessionmaker[Session], key_of: str, **where: Any) -> Counter[Any]:
    """(year, key, measure) -> count of the cases matching ``where``, made in Python."""
    tally: Counter[tuple[int, str, str]] = Counter()
    with sessions() as session:
        stmt = select(Case).where(Case.erased_at.is_(None))
        for column, value in where.items():
            stmt = stmt.where(getattr(Case, column) == value)
        for case in session.scalars(stmt):
            key = case.owner_id if key_of == "corporation" else case.municipality_code
            for measure, attr in OWN_DATES.items():
                day = getattr(case, attr)
                if day is not None and 2021 <= day.year <= 2026:
                    tally[(day.year, key, measure)] += 1
    return tally


def _check_against(rows: list[dict[str, str]], key_of: str, tally: Counter[Any]) -> None:
    shown = {(int(r["year"]), r[key_of]): r for r in rows}
    for (year, key, measure), n in tally.items():
        cell = shown[(year, key)][measure]
        # A count of 1 to MIN_CELL - 1 is suppressed: an empty cell.
        assert cell == ("" if n < MIN_CELL else str(n)), (year, key, measure, n, cell)
    for row in rows:
        for measure in MEASURES:
            assert row[measure] == "" or row[measure] == "0" or int(row[measure]) >= MIN_CELL


def test_a_municipality_and_a_corporation_each_read_their_own_part(
    client: AppClient, sessions: sessionmaker[Session], token_for: Callable[..., str]
) -> None:
    # The municipality: its own municipality's cases, per corporation and per municipality.
    by_corporation = _rows(_get(client, token_for("gemeente-zaanstad"), YEARS))
    assert list(by_corporation[0]) == ["year", "corporation", *MEASURES]
    _check_against(
        by_corporation,
        "corporation",
        _counted(sessions, "corporation", municipality_code="zaanstad"),
    )
    by_municipality = _rows(
        _get(client, token_for("gemeente-zaanstad"), {**YEARS, "by": "municipality"})
    )
    assert {r["municipality"] for r in by_municipality} == {"zaanstad"}
    _check_against(
        by_municipality,
        "municipality",
        _counted(sessions, "municipality", municipality_code="zaanstad"),
    )
    # Small cells are there to suppress (so the check above tried it).
    small = _counted(sessions, "corporation", municipality_code="zaanstad").values()
    assert any(0 < n < MIN_CELL for n in small)

    # A corporation: its own cases only, whichever view, never another corporation's.
    own = _rows(_get(client, token_for("nijestee"), {**YEARS, "by": "corporation"}))
    assert own and {r["corporation"] for r in own} == {"nijestee"}
    _check_against(own, "corporation", _counted(sessions, "corporation", owner_id="nijestee"))
    where = _rows(_get(client, token_for("nijestee"), {**YEARS, "by": "municipality"}))
    _check_against(where, "municipality", _counted(sessions, "municipality", owner_id="nijestee"))

    # Every export is in the access log: who, for which purpose, what, how much was held back.
    with sessions() as session:
        records = session.scalars(
            select(MonitorExportRecord).order_by(MonitorExportRecord.occurred_at)
        ).all()
    assert [(r.partner_id, r.view, r.scope) for r in records] == [
        ("gemeente-zaanstad", "corporation", {"municipalities": ["zaanstad"]}),
        ("gemeente-zaanstad", "municipality", {"municipalities": ["zaanstad"]}),
        ("nijestee", "corporation", {"owners": ["nijestee"]}),
        ("nijestee", "municipality", {"owners": ["nijestee"]}),
    ]
    first = records[0]
    assert (first.purpose, first.operation, first.from_year, first.to_year) == (
        "eviction_prevention",
        "GET /monitor.csv",
        2021,
        2026,
    )
    assert first.rows == len(by_corporation)
    assert first.suppressed_cells == sum(1 for r in by_corporation for m in MEASURES if r[m] == "")


def test_refusals_say_what_is_wrong_and_export_nothing(
    client: AppClient, sessions: sessionmaker[Session], token_for: Callable[..., str]
) -> None:
    anonymous = _get(client, None, YEARS)
    assert anonymous.status_code == 401
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # A token is spent once, here as on /graphql.
    token = token_for("gemeente-groningen")
    assert _get(client, token, YEARS).status_code == 200
    assert _get(client, token, YEARS).status_code == 401

    cases = [
        (
            "gemeente-groningen",
            {"toYear": "2021"},
            400,
            "fromYear is required (a year, such as 2021)",
        ),
        (
            "gemeente-groningen",
            {"fromYear": "21"},
            400,
            "fromYear must be a year of four digits, not '21'",
        ),
        (
            "gemeente-groningen",
            {**YEARS, "by": "bailiff"},
            400,
            "by must be one of corporation, municipality, not 'bailiff'",
        ),
        (
            "gemeente-groningen",
            {"fromYear": "2026", "toYear": "2021"},
            400,
            "give from 1 to 25 years, the first not after the last",
        ),
        (
            "bureau-woonkans",
            YEARS,
            403,
            f"bureau-woonkans {NO_EXPORT}",
        ),
        (
            "flanderijn",
            YEARS,
            403,
            f"flanderijn {NO_EXPORT}",
        ),
    ]
    for partner, params, status, message in cases:
        refused = _get(client, token_for(partner), params)
        assert refused.status_code == status, (partner, params, refused.text)
        error = refused.json()["errors"][0]
        assert error["message"] == message
        assert error["extensions"]["code"] == ("INVALID_INPUT" if status == 400 else "NOT_ALLOWED")
    with sessions() as session:
        logged = session.scalars(select(MonitorExportRecord.partner_id)).all()
    assert logged == ["gemeente-groningen"]  # the one export that was made
