"""GraphQL defaults: limits, no batching, introspection off unless configured, errors masked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from registry.app import create_app
from registry.config import Settings
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
            replace(settings, introspection=True, graphiql=True),
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
        create_app(replace(settings, max_query_depth=2), clock=clock, session_factory=sessions)
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
    from registry import cases

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("SELECT secret FROM case_record -- /srv/registry/cases.py")

    monkeypatch.setattr(cases, "list_cases", broken)
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
