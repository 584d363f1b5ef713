"""GraphQL defaults: limits (depth, cost, size), no batching, introspection off unless configured,
and then no suggestion or type name in messages; errors masked; bad text refused."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from graphql import get_introspection_query
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from registry.app import create_app
from registry.config import Settings
from registry.models import AccessLogRecord, Case
from schema.build import build_schema
from schema.errors import own_type_names
from tests.conftest import AppClient, Clock, GraphQL
from tests.helpers import error_codes


def test_introspection_is_off_by_default(gql: GraphQL) -> None:
    body = gql("zowonen", "{ __schema { types { name } } }")
    assert set(error_codes(body)) == {"BAD_REQUEST"}
    assert body["data"] is None
    assert "introspection" in body["errors"][0]["message"].lower()


def test_introspection_and_graphiql_when_configured(
    settings: Settings, sessions: sessionmaker[Session], clock: Clock, token_for: Callable[..., str]
) -> None:
    demo = AppClient(
        create_app(
            settings.replace(introspection=True, graphiql=True),
            clock=clock,
            session_factory=sessions,
        )
    )
    response = demo.post(
        "/graphql",
        json={"query": "{ __schema { queryType { name } } }"},
        headers={"Authorization": f"Bearer {token_for('zowonen')}"},
    )
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"
    assert "graphiql" in demo.get("/graphql").text.lower()


def test_no_graphiql_page_by_default(client: AppClient) -> None:
    assert client.get("/graphql").status_code == 405


def test_depth_limit(
    settings: Settings, sessions: sessionmaker[Session], clock: Clock, token_for: Callable[..., str]
) -> None:
    shallow = AppClient(
        create_app(settings.replace(max_query_depth=2), clock=clock, session_factory=sessions)
    )
    auth = {"Authorization": f"Bearer {token_for('zowonen')}"}
    ok = shallow.post("/graphql", json={"query": "{ cases { nodes { id } } }"}, headers=auth)
    assert "errors" not in ok.json()
    auth = {"Authorization": f"Bearer {token_for('zowonen')}"}
    deep = shallow.post(
        "/graphql", json={"query": "{ cases { nodes { involvements { partner } } } }"}, headers=auth
    ).json()
    assert error_codes(deep) == ["BAD_REQUEST"]
    assert "exceeds maximum operation depth" in deep["errors"][0]["message"]


def test_alias_limit(gql: GraphQL) -> None:
    many = "{ " + " ".join(f"a{i}: cases(first: 1) {{ nodes {{ id }} }}" for i in range(40)) + " }"
    body = gql("zowonen", many)
    assert error_codes(body) == ["BAD_REQUEST"]
    assert "aliases" in body["errors"][0]["message"]


def test_token_limit(gql: GraphQL) -> None:
    huge = "{ cases { nodes { " + " ".join(["id"] * 3000) + " } } }"
    body = gql("zowonen", huge)
    assert error_codes(body) == ["BAD_REQUEST"]


def test_batching_is_off(client: AppClient, token_for: Callable[..., str]) -> None:
    response = client.post(
        "/graphql",
        json=[{"query": "{ cases { nodes { id } } }"}] * 2,
        headers={"Authorization": f"Bearer {token_for('zowonen')}"},
    )
    assert response.status_code == 400
    assert "batched requests are not supported" in response.json()["errors"][0]["message"]


def test_body_size_limit(client: AppClient, token_for: Callable[..., str]) -> None:
    response = client.post(
        "/graphql",
        content=b'{"query": "' + b" " * 70_000 + b'{ cases { nodes { id } } }"}',
        headers={
            "Authorization": f"Bearer {token_for('zowonen')}",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 413


def test_not_json(client: AppClient) -> None:
    response = client.post(
        "/graphql", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_no_field_suggestions(gql: GraphQL) -> None:
    body = gql("zowonen", "{ cases { nodes { contactNam } } }")
    assert error_codes(body) == ["BAD_REQUEST"]
    assert "Did you mean" not in body["errors"][0]["message"]


def test_unexpected_errors_are_masked(gql: GraphQL, monkeypatch: Any) -> None:
    from registry.cases import lists

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("SELECT secret FROM case_record -- /srv/registry/cases/service.py")

    monkeypatch.setattr(lists, "list_cases", broken)
    body = gql("zowonen", "{ cases { nodes { id } } }")
    assert error_codes(body) == ["INTERNAL_ERROR"]
    assert body["errors"][0]["message"] == "Internal server error"
    assert "SELECT" not in str(body) and "/srv" not in str(body)


def test_the_response_carries_our_span_in_the_callers_trace(
    client: AppClient, token_for: Callable[..., str]
) -> None:
    incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    response = client.post(
        "/graphql",
        json={"query": "{ cases(first: 1) { nodes { id } } }"},
        headers={"Authorization": f"Bearer {token_for('zowonen')}", "traceparent": incoming},
    )
    trace_id = response.headers["traceparent"].split("-")[1]
    assert trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert response.headers["traceparent"] != incoming


def _app(
    settings: Settings, sessions: sessionmaker[Session], clock: Clock, **changes: Any
) -> AppClient:
    return AppClient(create_app(settings.replace(**changes), clock=clock, session_factory=sessions))


def _post(app: AppClient, token: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    response = app.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    return response.json()


def test_the_depth_limit_counts_introspection_fields(
    settings: Settings, sessions: sessionmaker[Session], clock: Clock, token_for: Callable[..., str]
) -> None:
    shallow = _app(settings, sessions, clock, introspection=True, max_query_depth=2)
    ok = _post(shallow, token_for("zowonen"), "{ __schema { types { name } } }")
    assert "errors" not in ok
    deep = _post(shallow, token_for("zowonen"), "{ __schema { types { fields { name } } } }")
    assert error_codes(deep) == ["BAD_REQUEST"]
    assert (
        "nests fields 3 deep: it exceeds maximum operation depth of 2"
        in deep["errors"][0]["message"]
    )
    # At the default depth, an IDE's schema query (GraphiQL in the demo) still passes.
    demo = _app(settings, sessions, clock, introspection=True)
    schema = _post(demo, token_for("zowonen"), get_introspection_query(descriptions=True))
    assert "errors" not in schema and schema["data"]["__schema"]["queryType"]["name"] == "Query"


def _access_records(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(AccessLogRecord)) or 0


def test_a_too_costly_document_is_refused_before_it_runs(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    before = _access_records(sessions)
    aliased = " ".join(
        f"a{i}: cases(first: 500) {{ nodes {{ id contactName }} }}" for i in range(30)
    )
    body = gql("zowonen", "{ " + aliased + " }")
    assert error_codes(body) == ["BAD_REQUEST"] and body["data"] is None
    assert body["errors"][0]["message"].startswith(
        "'anonymous' costs 15,030, over the maximum cost of 3,000: "
    )
    # The page size may come from a variable, as any Int execution accepts.
    aliased = " ".join(f"a{i}: cases(first: $n) {{ nodes {{ id }} }}" for i in range(30))
    for n in (500, 500.0):
        body = gql("zowonen", "query Pages($n: Int!) { " + aliased + " }", {"n": n})
        assert error_codes(body) == ["BAD_REQUEST"]
        assert "'Pages' costs 15,030" in body["errors"][0]["message"]
    # A fragment spread twice at every level: counted once per fragment, refused at once.
    fragments = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(20))
    fan_out = "{ ...F0 } " + fragments + " fragment F20 on Query { cases { nodes { id } } }"
    body = gql("zowonen", fan_out)
    assert error_codes(body) == ["BAD_REQUEST"]
    assert f"costs {2**20 * 51:,}, over the maximum cost" in body["errors"][0]["message"]
    assert _access_records(sessions) == before  # nothing ran, nothing was disclosed


def test_a_full_page_of_every_case_field_is_within_the_cost_limit(gql: GraphQL) -> None:
    every_field = """{ cases(first: 500) { nodes { id relation withheld municipality owner phase
      reasons householdComposition childrenInvolved arrearsAmount arrearsMonths
      earlySignalChecks { contactAttempted debtHelpReferred reminderSent tenantDidNotObject }
      earlySignalledOn judgmentRequestedOn judgmentGrantedOn evictionDate evictionOutcome
      shelterArranged housingBlockUntil housingBlockUntilDebtSettled bailiff
      householdDestination destinationArrangedBy closedOn closureOutcome
      involvements { partner role since } registeredAt contactName contactAddress
      contactPostalCode contactPhone contactEmail } pageInfo { endCursor hasNextPage } } }"""
    body = gql("zowonen", every_field)
    assert "errors" not in body and body["data"]["cases"]["nodes"]


#: Bad documents whose messages, as graphql-core writes them, suggest names or name types.
BAD_DOCUMENTS: list[tuple[str, dict[str, Any] | None, str, str]] = [
    (
        "{ cases(frist: 1) { nodes { id } } }",
        None,
        "BAD_REQUEST",
        "Unknown argument 'frist' on field 'cases'.",
    ),
    ("{ cases { nodes { contactNam } } }", None, "BAD_REQUEST", "Cannot query field 'contactNam'"),
    (
        '{ cases(filter: { municipalty: "x" }) { nodes { id } } }',
        None,
        "INVALID_INPUT",
        "not to include unknown field 'municipalty'",
    ),
    (
        "{ cases(filter: { phase: EARLY }) { nodes { id } } }",
        None,
        "INVALID_INPUT",
        "Value 'EARLY' does not exist in (hidden) enum.",
    ),
    (
        "query($f: CaseFilterInput) { cases(filter: $f) { nodes { id } } }",
        {"f": {"phase": "EARLY"}},
        "INVALID_INPUT",
        "Value 'EARLY' does not exist in (hidden) enum.",
    ),
    (
        "query($f: CaseFilterInput) { cases(filter: $f) { nodes { id } } }",
        {"f": {"municipalty": "x"}},
        "INVALID_INPUT",
        "not to include unknown field 'municipalty'",
    ),
    (
        "query($f: CaseFiltrInput) { cases(filter: $f) { nodes { id } } }",
        None,
        "BAD_REQUEST",
        "Unknown type 'CaseFiltrInput'.",
    ),
    (
        "query($p: String) { cases(filter: { phase: $p }) { nodes { id } } }",
        None,
        "BAD_REQUEST",
        "Variable '$p' of type 'String' used in position expecting type (hidden).",
    ),
    (
        "{ cases { nodes { earlySignalChecks } } }",
        None,
        "BAD_REQUEST",
        "Field 'earlySignalChecks' of type (hidden) must have a selection of subfields.",
    ),
    (
        "{ case { id } }",
        None,
        "BAD_REQUEST",
        "Argument 'case(id:)' of type 'ID!' is required, but it was not provided.",
    ),
    (
        'mutation { moveCase(id: "x", to: EARLY) { id } }',
        None,
        "INVALID_INPUT",
        "Value 'EARLY' does not exist in (hidden) enum.",
    ),
]


@pytest.mark.parametrize(("query", "variables", "code", "text"), BAD_DOCUMENTS)
def test_without_introspection_no_message_suggests_a_name_or_names_a_type(
    gql: GraphQL, query: str, variables: dict[str, Any] | None, code: str, text: str
) -> None:
    body = gql("zowonen", query, variables)
    assert error_codes(body)[0] == code
    messages = [e["message"] for e in body["errors"]]
    assert any(text in m for m in messages), messages
    names = own_type_names(build_schema(introspection=False)._schema)
    for message in messages:
        assert "Did you mean" not in message and "did you mean" not in message.lower()
        for quoted in re.findall(r"'([^'\s]*)'", message):
            assert quoted.strip("[]!") not in names and quoted.partition(".")[0] not in names, (
                message
            )


def test_with_introspection_on_the_messages_still_help(
    settings: Settings, sessions: sessionmaker[Session], clock: Clock, token_for: Callable[..., str]
) -> None:
    demo = _app(settings, sessions, clock, introspection=True)
    body = _post(demo, token_for("zowonen"), "{ cases(frist: 1) { nodes { id } } }")
    assert body["errors"][0]["message"] == (
        "Unknown argument 'frist' on field 'Query.cases'. Did you mean 'first'?"
    )


def test_an_unknown_fragment_is_named(gql: GraphQL) -> None:
    body = gql("zowonen", "{ ...Missing }")
    assert error_codes(body) == ["BAD_REQUEST"]
    assert body["errors"][0]["message"] == "Unknown fragment 'Missing'."


def test_an_input_object_with_more_fields_than_any_input_type_is_refused_at_once(
    gql: GraphQL,
) -> None:
    fields = " ".join(f"municipalit{i}: 1" for i in range(600))
    body = gql("zowonen", "{ cases(filter: { " + fields + " }) { nodes { id } } }")
    assert error_codes(body) == ["BAD_REQUEST"]
    assert body["errors"] == [
        {
            "message": "an input object with 600 fields: no input type has that many",
            "extensions": {"code": "BAD_REQUEST"},
            "locations": [{"line": 1, "column": 17}],
        }
    ]


def test_text_no_database_stores_is_invalid_input_and_changes_nothing(
    gql: GraphQL, client: AppClient, token_for: Callable[..., str], sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        before = session.scalar(select(func.count()).select_from(Case))
    listed = gql("zowonen", '{ cases(filter: { owner: "zowonen\\u0000" }) { nodes { id } } }')
    assert error_codes(listed) == ["INVALID_INPUT"]
    assert "NUL character or a lone surrogate" in listed["errors"][0]["message"]
    register = "mutation($input: RegisterCaseInput!) { registerCase(input: $input) { id } }"
    new = {
        "municipality": "sittard-geleen",
        "householdComposition": "SINGLE",
        "childrenInvolved": False,
        "arrearsAmount": "100.00",
        "arrearsMonths": 2,
        "reasons": ["RENT_ARREARS"],
        "contactAttempted": True,
        "debtHelpReferred": True,
        "reminderSent": True,
        "tenantDidNotObject": True,
    }
    for name in ("Test\x00Huishouden", "Test \ud800"):
        contact = {"name": name, "address": "Proefweg 1", "postalCode": "6131 AA"}
        variables = {"input": {**new, "contact": contact}}
        # Encoded as JSON escapes: a lone surrogate is valid JSON text, not valid UTF-8.
        response = client.post(
            "/graphql",
            content=json.dumps({"query": register, "variables": variables}).encode(),
            headers={
                "Authorization": f"Bearer {token_for('zowonen')}",
                "Content-Type": "application/json",
            },
        )
        assert error_codes(response.json()) == ["INVALID_INPUT"], name
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == before


def test_a_document_too_repetitive_to_check_is_refused_with_a_reason(gql: GraphQL) -> None:
    body = gql("zowonen", "{ cases { nodes { " + " ".join(["id"] * 400) + " } } }")
    assert error_codes(body) == ["BAD_REQUEST"]
    assert body["errors"][0]["message"].startswith(
        "Validation aborted: the document repeats fields or fragments too often"
    )
