"""The SDK against an httpx.MockTransport standing in for the remote registry.

The stand-in does what the registry's contract says it does with a request: it verifies
the Bearer token with the partner's public key, refuses a replayed jti with 401, and
answers with canned GraphQL responses.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey
from joserfc.jwt import JWTClaimsRegistry

from clients import (
    BadRequestError,
    ConflictError,
    InvalidInputError,
    NotAllowedError,
    NotFoundError,
    RegistryClient,
    RegistryClientError,
    ServerError,
    UnauthenticatedError,
)
from clients.keyfile import KeyFile, write_key_file
from clients.tokens import generate_key_pair

REGISTRY_URL = "http://registry.test"
TRACEPARENT = re.compile(r"00-[0-9a-f]{32}-[0-9a-f]{16}-01")
CASE: dict[str, Any] = {
    "id": "case-1",
    "municipality": "0363",
    "owner": "zowonen",
    "phase": "signal",
    "evictionDate": None,
    "withheld": [],
}


def _unauthenticated() -> httpx.Response:
    return httpx.Response(
        401,
        json={
            "data": None,
            "errors": [{"message": "not authenticated", "extensions": {"code": "UNAUTHENTICATED"}}],
        },
    )


@dataclass
class FakeRegistry:
    """The remote end: checks tokens like the registry, records requests, replies."""

    public_pem: str
    reply: Callable[[], httpx.Response] = lambda: httpx.Response(200, json={"data": {}})
    requests: list[httpx.Request] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    seen_jtis: set[str] = field(default_factory=set)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer":
            return _unauthenticated()
        try:
            decoded = jwt.decode(token, OKPKey.import_key(self.public_pem), ["Ed25519"])
            JWTClaimsRegistry(
                iss={"essential": True, "value": "zowonen"},
                sub={"essential": True, "value": "zowonen"},
                aud={"essential": True, "value": "ketenregister"},
                exp={"essential": True},
                jti={"essential": True},
            ).validate(decoded.claims)
        except JoseError:
            return _unauthenticated()
        if decoded.header.get("kid") != "zowonen-2025" or decoded.claims["jti"] in self.seen_jtis:
            return _unauthenticated()
        self.seen_jtis.add(decoded.claims["jti"])
        self.claims.append(decoded.claims)
        return self.reply()


def _errors(*codes: str) -> Callable[[], httpx.Response]:
    errors = [
        {"message": f"{code.lower()} happened", "extensions": {"code": code}} for code in codes
    ]
    return lambda: httpx.Response(200, json={"data": None, "errors": errors})


def _registry_and_client(
    reply: Callable[[], httpx.Response] | None = None, **options: Any
) -> tuple[FakeRegistry, RegistryClient]:
    private_pem, public_pem = generate_key_pair()
    registry = FakeRegistry(public_pem) if reply is None else FakeRegistry(public_pem, reply)
    client = RegistryClient(
        url=REGISTRY_URL,
        partner_id="zowonen",
        key_id="zowonen-2025",
        private_key=private_pem,
        audience="ketenregister",
        transport=httpx.MockTransport(registry),
        **options,
    )
    return registry, client


def test_execute_posts_the_query_with_a_verifying_token_and_a_traceparent() -> None:
    registry, client = _registry_and_client(
        lambda: httpx.Response(200, json={"data": {"case": CASE}}),
        act="j.jansen",
        purpose="eviction_prevention",
    )

    data = client.execute("query($id: ID!) { case(id: $id) { id } }", {"id": "case-1"})

    assert data == {"case": CASE}
    [request] = registry.requests
    assert request.method == "POST"
    assert str(request.url) == "http://registry.test/graphql"
    assert TRACEPARENT.fullmatch(request.headers["traceparent"])
    assert json.loads(request.content) == {
        "query": "query($id: ID!) { case(id: $id) { id } }",
        "variables": {"id": "case-1"},
    }
    [claims] = registry.claims
    assert claims["act"] == {"sub": "j.jansen"}
    assert claims["purpose"] == "eviction_prevention"
    assert claims["exp"] - claims["iat"] == 120


def test_every_request_carries_a_fresh_token_and_trace() -> None:
    registry, client = _registry_and_client()

    client.execute("{ __typename }")
    client.execute("{ __typename }")

    assert len(registry.seen_jtis) == 2
    assert len({r.headers["traceparent"] for r in registry.requests}) == 2


def test_a_given_traceparent_is_sent_as_is() -> None:
    registry, client = _registry_and_client()
    traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    client.execute("{ __typename }", traceparent=traceparent)

    assert registry.requests[0].headers["traceparent"] == traceparent


def test_a_malformed_traceparent_is_refused_before_sending() -> None:
    registry, client = _registry_and_client()

    with pytest.raises(ValueError, match="not a W3C traceparent"):
        client.execute("{ __typename }", traceparent="trace-me")

    assert registry.requests == []


@pytest.mark.parametrize(
    ("code", "error_class"),
    [
        ("NOT_FOUND", NotFoundError),
        ("NOT_ALLOWED", NotAllowedError),
        ("INVALID_INPUT", InvalidInputError),
        ("CONFLICT", ConflictError),
        ("UNAUTHENTICATED", UnauthenticatedError),
        ("BAD_REQUEST", BadRequestError),
        ("INTERNAL_ERROR", ServerError),
    ],
)
def test_each_error_code_raises_its_typed_error_with_the_message(
    code: str, error_class: type[RegistryClientError]
) -> None:
    _, client = _registry_and_client(_errors(code))

    with pytest.raises(error_class, match=f"^{code.lower()} happened$") as caught:
        client.execute("{ __typename }")

    assert caught.value.code == code
    assert caught.value.message == f"{code.lower()} happened"
    assert caught.value.errors == [
        {"message": f"{code.lower()} happened", "extensions": {"code": code}}
    ]


def test_an_unknown_code_raises_the_base_error_keeping_the_code() -> None:
    _, client = _registry_and_client(_errors("QUOTA_EXCEEDED"))

    with pytest.raises(RegistryClientError, match="quota_exceeded happened") as caught:
        client.execute("{ __typename }")

    assert type(caught.value) is RegistryClientError
    assert caught.value.code == "QUOTA_EXCEEDED"


def test_an_error_without_extensions_raises_the_base_error() -> None:
    _, client = _registry_and_client(
        lambda: httpx.Response(200, json={"data": None, "errors": [{"message": "odd"}]})
    )

    with pytest.raises(RegistryClientError, match="odd") as caught:
        client.execute("{ __typename }")

    assert caught.value.code is None


def test_the_first_error_decides_the_type() -> None:
    _, client = _registry_and_client(_errors("NOT_ALLOWED", "NOT_FOUND"))

    with pytest.raises(NotAllowedError, match="not_allowed happened") as caught:
        client.execute("{ __typename }")

    assert [e["extensions"]["code"] for e in caught.value.errors] == ["NOT_ALLOWED", "NOT_FOUND"]


def test_partial_data_with_errors_raises() -> None:
    _, client = _registry_and_client(
        lambda: httpx.Response(
            200,
            json={
                "data": {"case": CASE},
                "errors": [{"message": "field hidden", "extensions": {"code": "NOT_ALLOWED"}}],
            },
        )
    )

    with pytest.raises(NotAllowedError, match="field hidden"):
        client.execute("{ __typename }")


def test_a_token_the_registry_cannot_verify_raises_unauthenticated() -> None:
    registry, client = _registry_and_client()
    _, registry.public_pem = generate_key_pair()  # the registry holds another key

    with pytest.raises(UnauthenticatedError, match="not authenticated"):
        client.execute("{ __typename }")


def test_a_bare_401_raises_unauthenticated() -> None:
    _, client = _registry_and_client(lambda: httpx.Response(401))

    with pytest.raises(UnauthenticatedError, match=r"refused the token \(HTTP 401 Unauthorized\)"):
        client.execute("{ __typename }")


def test_a_proxy_error_page_raises_server_error() -> None:
    _, client = _registry_and_client(lambda: httpx.Response(502, text="<html>Bad Gateway</html>"))

    with pytest.raises(ServerError, match=r"the registry failed \(HTTP 502 Bad Gateway\)"):
        client.execute("{ __typename }")


def test_a_response_without_data_or_errors_raises() -> None:
    _, client = _registry_and_client(lambda: httpx.Response(200, json={"hello": "world"}))

    with pytest.raises(RegistryClientError, match=r"unexpected response .*HTTP 200 OK"):
        client.execute("{ __typename }")


def test_case_runs_the_case_query_and_returns_the_record() -> None:
    registry, client = _registry_and_client(
        lambda: httpx.Response(200, json={"data": {"case": CASE}})
    )

    assert client.case("case-1") == CASE
    body = json.loads(registry.requests[0].content)
    assert body["variables"] == {"id": "case-1"}
    assert body["query"] == (
        "query($id: ID!) { case(id: $id) { id municipality owner phase evictionDate withheld } }"
    )


@pytest.mark.parametrize(
    "reply",
    [
        lambda: httpx.Response(200, json={"data": {"case": None}}),
        _errors("NOT_FOUND"),
    ],
    ids=["null", "NOT_FOUND"],
)
def test_case_returns_none_for_a_missing_or_invisible_case(
    reply: Callable[[], httpx.Response],
) -> None:
    _, client = _registry_and_client(reply)

    assert client.case("case-404") is None


def test_case_still_raises_other_errors() -> None:
    _, client = _registry_and_client(_errors("NOT_ALLOWED"))

    with pytest.raises(NotAllowedError, match="not_allowed happened"):
        client.case("case-1")


def test_from_key_file_uses_the_files_identity_and_closes_as_a_context_manager(
    tmp_path: Path,
) -> None:
    private_pem, public_pem = generate_key_pair()
    write_key_file(
        tmp_path / "zowonen.json",
        KeyFile(
            partner="zowonen",
            kid="zowonen-2025",
            private_key=private_pem,
            registry=REGISTRY_URL,
            audience="ketenregister",
        ),
    )
    registry = FakeRegistry(public_pem)

    with RegistryClient.from_key_file(
        tmp_path / "zowonen.json",
        purpose="eviction_prevention",
        transport=httpx.MockTransport(registry),
    ) as client:
        assert client.execute("{ __typename }") == {}

    assert registry.claims[0]["purpose"] == "eviction_prevention"
    assert client._http.is_closed


def test_a_bad_private_key_fails_when_the_client_is_made() -> None:
    with pytest.raises(ValueError, match="not an unencrypted PEM"):
        RegistryClient(
            url=REGISTRY_URL,
            partner_id="zowonen",
            key_id="zowonen-2025",
            private_key="not a key",
            audience="ketenregister",
        )
