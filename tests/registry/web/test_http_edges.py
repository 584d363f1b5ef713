"""What the HTTP edge answers to abuse, through the real app: a deeply nested body and a
partner over its rate are clear 4xx answers in JSON, never a 500 or a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from registry.app import create_app
from registry.config import Settings
from registry.web.request_body import MAX_BODY_DEPTH
from tests.conftest import AUDIENCE, AppClient, Clock
from tests.servers import serving


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 1000 + b"]" * 1000,
        b'{"query": "{ __typename }", "variables": ' + b'{"a": ' * 2000 + b"1" + b"}" * 2001,
        b'{"query": "{ __typename }", "variables": {"a": '
        + b"[" * MAX_BODY_DEPTH
        + b"]" * MAX_BODY_DEPTH
        + b"}}",
    ],
    ids=["array", "variables-past-the-parser", "variables-past-the-limit"],
)
def test_a_deeply_nested_body_is_a_bad_request_without_a_traceback(
    client: AppClient,
    token_for: Callable[..., str],
    caplog: pytest.LogCaptureFixture,
    body: bytes,
) -> None:
    for headers in ({}, {"Authorization": f"Bearer {token_for('zowonen')}"}):
        with caplog.at_level(logging.DEBUG):
            answer = client.post(
                "/graphql", content=body, headers={"Content-Type": "application/json", **headers}
            )
        assert answer.status_code == 400
        error = answer.json()["errors"][0]
        assert error["extensions"]["code"] == "BAD_REQUEST"
        assert error["message"] == f"request body nested deeper than {MAX_BODY_DEPTH} levels"
        assert "Traceback" not in caplog.text and not [r for r in caplog.records if r.exc_info]


def test_variables_nested_within_the_limit_still_work(
    client: AppClient, token_for: Callable[..., str]
) -> None:
    nested = '{"a": ' * 10 + "1" + "}" * 10
    answer = client.post(
        "/graphql",
        content=f'{{"query": "{{ __typename }}", "variables": {nested}}}',
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token_for('zowonen')}",
        },
    )
    assert answer.json() == {"data": {"__typename": "Query"}}


def test_a_partner_over_its_rate_gets_429_and_others_do_not(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: Clock,
    token_for: Callable[..., str],
) -> None:
    limited = settings.replace(rate_limit="5/minute")
    client = AppClient(create_app(limited, clock=clock, session_factory=sessions))

    def ask(partner: str) -> tuple[int, dict[str, str], dict[str, object]]:
        answer = client.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"Authorization": f"Bearer {token_for(partner)}"},
        )
        return answer.status_code, dict(answer.headers), answer.json()

    assert [ask("zowonen")[0] for _ in range(5)] == [200] * 5
    status, headers, body = ask("zowonen")
    assert status == 429
    assert 1 <= int(headers["retry-after"]) <= 60
    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"  # type: ignore[index]
    assert "5 per 1 minute" in body["errors"][0]["message"]  # type: ignore[index]
    assert ask("parteon")[0] == 200  # the limit is zowonen's alone
    # Refused before authentication now, and a token merely claiming to be zowonen's is
    # refused the same, while it cannot use up another partner's budget.
    assert ask("zowonen")[0] == 429
    for _ in range(10):
        forged = client.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"Authorization": "Bearer e30.eyJpc3MiOiJwYXJ0ZW9uIn0.c2ln"},  # iss parteon
        )
        assert forged.status_code == 401
    assert ask("parteon")[0] == 200


def test_the_http_layer_answers_its_own_refusals_in_json(
    database_url: str, tmp_path: Path, token_for: Callable[..., str]
) -> None:
    env = {"KETENREGISTER_AUDIENCE": AUDIENCE}
    with serving(database_url, tmp_path, processes=1, env=env) as (url,):
        huge = httpx.post(
            f"{url}/graphql",
            json={"query": "{ __typename }"},
            headers={"Authorization": "Bearer " + "x" * 1_000_000},
            timeout=10,
        )
        assert huge.status_code == 400
        assert huge.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
        big = httpx.post(
            f"{url}/graphql",
            json={"query": "{ __typename }"},
            headers={"Authorization": "Bearer " + "x" * 8_000},
            timeout=10,
        )
        assert big.status_code == 401  # within the HTTP limit: a token problem like any other
        assert big.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        fine = httpx.post(
            f"{url}/graphql",
            json={"query": "{ __typename }"},
            headers={"Authorization": f"Bearer {token_for('zowonen')}"},
            timeout=10,
        )
        assert fine.json() == {"data": {"__typename": "Query"}}
