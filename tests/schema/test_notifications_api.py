"""Webhook subscriptions through the real app: refusals with their code and message, and a
partner seeing only its own subscriptions."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from registry.models import WebhookSubscription
from tests.conftest import GraphQL
from tests.helpers import error_codes

SUBSCRIBE = """mutation($url: String!, $types: [String!]!) {
  subscribeWebhook(url: $url, eventTypes: $types) { secret subscription { id url eventTypes
  active } } }"""
KNOWN = (
    "action_item.assigned, action_item.overdue, aftercare.follow_up_overdue, "
    "aftercare.follow_up_scheduled, agreement.activated, agreement.closed, "
    "agreement.condition_broken, agreement.proposed, agreement.review_due, annotation.added, "
    "case.closed, "
    "case.partner_involved, case.phase_changed, case.registered, case.signal_repeated, "
    "coordination.named, coordination.transferred, eviction.called_off, "
    "eviction.carried_out, eviction.scheduled, inventory.collected, inventory.disposed, "
    "inventory.pickup_released, inventory.pickup_requested, inventory.stored, "
    "meeting.scheduled, municipal_contact.overdue, municipal_contact.requested, "
    "partner.involved, partner.released, shelter.reserved, shelter_task.opened, "
    "shelter_task.overdue, signal.reply_overdue"
)


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"url": "ftp://partner.example/hook", "types": ["eviction.scheduled"]},
            "a webhook URL must be http or https, not 'ftp://partner.example/hook'",
        ),
        (
            {"url": "javascript:alert(1)", "types": ["eviction.scheduled"]},
            "a webhook URL must be http or https, not 'javascript:alert(1)'",
        ),
        (
            {"url": "https://user:pw@partner.example/hook", "types": ["eviction.scheduled"]},
            "a webhook URL carries no user name or password",
        ),
        (
            {"url": "https://partner.example/hook", "types": ["eviction.postponed"]},
            f"unknown event type: eviction.postponed; known: {KNOWN}",
        ),
        (
            {"url": "https://partner.example/hook", "types": []},
            "subscribe to at least one event type",
        ),
    ],
)
def test_bad_subscriptions_are_refused_and_change_nothing(
    gql: GraphQL, sessions: sessionmaker[Session], variables: dict[str, Any], message: str
) -> None:
    body = gql("partners-in-welzijn", SUBSCRIBE, variables)
    assert error_codes(body) == ["INVALID_INPUT"]
    assert body["errors"][0]["message"] == message
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(WebhookSubscription)) == 0


def test_a_partner_manages_only_its_own_subscriptions(gql: GraphQL) -> None:
    body = gql(
        "partners-in-welzijn",
        SUBSCRIBE,
        {
            "url": "https://welzijn.example/hooks",
            "types": ["eviction.scheduled", "eviction.scheduled"],
        },
    )
    created = body["data"]["subscribeWebhook"]
    assert created["secret"].startswith("whsec_")
    assert created["subscription"]["eventTypes"] == ["eviction.scheduled"]
    subscription_id = created["subscription"]["id"]
    assert (
        gql("gkb-sittard-geleen", "{ webhookSubscriptions { id } }")["data"]["webhookSubscriptions"]
        == []
    )
    unsubscribe = """mutation($id: ID!) { unsubscribeWebhook(id: $id) { active
        disabledReason } }"""
    stranger = gql("gkb-sittard-geleen", unsubscribe, {"id": subscription_id})
    assert error_codes(stranger) == ["NOT_FOUND"]
    assert stranger["errors"][0]["message"] == (
        f"subscription {subscription_id} not found among yours"
    )
    done = gql("partners-in-welzijn", unsubscribe, {"id": subscription_id})
    assert done["data"]["unsubscribeWebhook"] == {"active": False, "disabledReason": "unsubscribed"}
    again = gql("partners-in-welzijn", unsubscribe, {"id": subscription_id})
    assert error_codes(again) == ["CONFLICT"]
    types = gql("partners-in-welzijn", "{ webhookEventTypes }")["data"]["webhookEventTypes"]
    assert ", ".join(sorted(types)) == KNOWN
