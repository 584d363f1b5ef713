"""Claiming due deliveries on the real database: a fair share per subscription, counted over
every worker's live leases, and never a delivery another worker holds."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from registry.access.policystore import PolicyCache
from registry.events import Event
from registry.models import DeliveryStatus, Phase, WebhookDelivery, WebhookSubscription
from registry.notifications import claims, outbox
from registry.notifications.signing import new_secret
from tests.arrange import case_in
from tests.conftest import Clock

LEASE = dt.timedelta(seconds=60)


def _arrange(sessions: sessionmaker[Session], clock: Clock, events: int) -> dict[str, uuid.UUID]:
    """``events`` deliveries each to a busy and a quiet subscription; the busy one's are due
    first. Returns the subscription ids by name."""
    case_id = case_in(
        sessions,
        "zowonen",
        Phase.EVICTION,
        clock.now.date(),
        involved=("partners-in-welzijn", "gebiedsteam-sittard-geleen"),
    )
    ids = {}
    with sessions.begin() as session:
        for name, partner in (
            ("busy", "partners-in-welzijn"),
            ("quiet", "gebiedsteam-sittard-geleen"),
        ):
            ids[name] = uuid.uuid4()
            session.add(
                WebhookSubscription(
                    id=ids[name],
                    partner_id=partner,
                    url=f"https://{name}.example/hook",
                    event_types=["eviction.scheduled"],
                    secret=new_secret(),
                    created_at=clock.now,
                )
            )
        for _ in range(events):
            outbox.emit(session, Event.EVICTION_SCHEDULED, uuid.UUID(case_id), clock.now)
    with sessions.begin() as session:
        outbox.fan_out(session, PolicyCache().engine(session), clock.now)
        # The busy subscription's deliveries have waited longest.
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.subscription_id == ids["busy"])
            .values(next_attempt_at=clock.now - dt.timedelta(minutes=5))
        )
    return ids


def _claim(
    sessions: sessionmaker[Session], clock: Clock, worker: str, limit: int
) -> list[claims.ClaimedDelivery]:
    with sessions.begin() as session:
        return claims.claim(
            session, clock.now, worker_id=worker, lease=LEASE, limit=limit, per_subscription=2
        )


def test_a_subscription_with_a_backlog_takes_no_more_than_its_share(
    sessions: sessionmaker[Session], clock: Clock
) -> None:
    ids = _arrange(sessions, clock, events=5)
    first = _claim(sessions, clock, "w1", limit=3)
    # Oldest first, but at most two for the busy one: the quiet one's delivery gets the third.
    assert sorted(c.subscription_id == ids["busy"] for c in first) == [False, True, True]
    # The share counts every worker's live leases: another worker gets none of the busy ones,
    # and one more of the quiet one's.
    second = _claim(sessions, clock, "w2", limit=10)
    assert [c.subscription_id for c in second] == [ids["quiet"]]
    assert not {c.delivery_id for c in first} & {c.delivery_id for c in second}
    # Once a lease runs out its delivery, and the busy one's share, are free again.
    clock.advance(seconds=61)
    third = _claim(sessions, clock, "w3", limit=10)
    assert sorted(c.subscription_id == ids["busy"] for c in third) == [False, False, True, True]


def test_a_disabled_subscription_or_a_finished_delivery_is_not_claimed(
    sessions: sessionmaker[Session], clock: Clock
) -> None:
    ids = _arrange(sessions, clock, events=2)
    with sessions.begin() as session:
        session.execute(
            update(WebhookSubscription)
            .where(WebhookSubscription.id == ids["busy"])
            .values(disabled_at=clock.now, disabled_reason="test")
        )
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.subscription_id == ids["quiet"])
            .values(status=DeliveryStatus.DELIVERED)
        )
    assert _claim(sessions, clock, "w1", limit=10) == []
