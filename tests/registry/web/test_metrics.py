"""GET /metrics after real requests, read with Prometheus's own parser."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import AppClient


def _samples(client: AppClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def test_requests_refusals_and_state_are_counted(
    client: AppClient, token_for: Callable[..., str]
) -> None:
    def ask(query: str, token: str) -> None:
        client.post("/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"})

    ask("{ cases(first: 1) { nodes { id } } }", token_for("zowonen"))
    ask("{ cases(first: 1) { nodes { id } } }", token_for("zowonen"))
    ask('{ case(id: "not-a-uuid") { id } }', token_for("zowonen"))
    ask("{ mine: cases(first: 1) { nodes { id } } }", token_for("zowonen"))
    spent = token_for("parteon")
    ask("{ __typename }", spent)
    ask("{ __typename }", spent)  # replayed
    ask("{ __typename }", "not-a-token")

    samples = _samples(client)

    def value(name: str, **labels: str) -> float:
        return samples.get((name, tuple(sorted(labels.items()))), 0.0)

    assert value("ketenregister_requests_total", operation="cases", code="OK") == 2
    assert value("ketenregister_requests_total", operation="case", code="INVALID_INPUT") == 1
    assert value("ketenregister_requests_total", operation="aliased", code="OK") == 1
    assert value("ketenregister_requests_total", operation="none", code="UNAUTHENTICATED") == 2
    assert value("ketenregister_requests_total", operation="introspection", code="OK") == 1
    assert value("ketenregister_token_refusals_total", reason="replayed") == 1
    assert value("ketenregister_token_refusals_total", reason="malformed") == 1
    assert value("ketenregister_request_seconds_count", operation="cases") == 2
    assert value("ketenregister_audit_log_size") > 0  # the demo's log
    assert ("ketenregister_webhook_backlog", ()) in samples
    assert value("ketenregister_request_slots_in_use") == 1  # the scrape itself
    # No partner text becomes a label: the alias "mine" is nowhere.
    assert not [key for key in samples if "mine" in str(key)]
