"""Truth table for the signed audit log, against the real model and the demo's stored policy
rows: which partner (by kind and relation to a case) is shown the event of which kind of log
entry about that case. An entry's event is shown only to a partner that may read every field
it reveals (``registry.events.LOG_EVENT_FIELDS``)."""

from __future__ import annotations

import pytest

from policies import PolicyEngine, Relation
from registry.access.vocabulary import VOCABULARY
from registry.events import LOG_EVENT_FIELDS
from tests.helpers import access_key

FIELDS = VOCABULARY.names

AGREEMENT = frozenset(e for e in LOG_EVENT_FIELDS if e.startswith("agreement."))
EVICTION = frozenset(e for e in LOG_EVENT_FIELDS if e.startswith("eviction."))
CONTACT = frozenset(e for e in LOG_EVENT_FIELDS if e.startswith("municipal_contact."))
INVENTORY = frozenset(e for e in LOG_EVENT_FIELDS if e.startswith("inventory.")) | CONTACT
GOODS = frozenset({"inventory.stored", "inventory.pickup_requested", "inventory.collected"})
# Who works on a case, and who coordinates it (issue 14).
WHO = frozenset(e for e in LOG_EVENT_FIELDS if e.startswith("involvement."))
COORDINATION = frozenset(e for e in LOG_EVENT_FIELDS if e.startswith("coordination."))
CHAIN = WHO | COORDINATION
SHELTER = frozenset({"shelter.reserved"})
#: A household's erasure: shown to whoever may read the case's phase.
ERASED = frozenset({"case.erased"})
#: Aftercare: the household's consent to sharing its new contact details, and a follow-up's
#: outcome. The owner is shown the outcomes, not the consent (its own-case rule leaves the new
#: details out); the municipality both, by its covenant's aftercare grant.
CONSENT = frozenset({"aftercare.contact_recorded"})
FOLLOW_UP_DONE = frozenset({"aftercare.follow_up_done"})
AFTERCARE = CONSENT | FOLLOW_UP_DONE

TABLE = [
    # The owner is shown everything of its case but how the household answered the municipality.
    (
        "parteon",
        "corporation",
        Relation.OWNER,
        "zaanstad",
        "parteon",
        (AGREEMENT | EVICTION | CHAIN | INVENTORY | SHELTER | ERASED | FOLLOW_UP_DONE) - CONTACT,
    ),
    # The municipality is shown the inventory and the scheduled eviction by statute (art. 556
    # lid 3 Rv: the bailiff tells it when), not what came of the eviction; and who coordinates
    # the case (it names the coordinator), not who else works on it.
    (
        "gemeente-zaanstad",
        "municipality",
        Relation.MUNICIPALITY,
        "zaanstad",
        "parteon",
        INVENTORY | COORDINATION | AFTERCARE | {"eviction.scheduled"},
    ),
    # The bailiff: the goods it recorded and the pickups, not the release, contact or disposal,
    # and not the eviction events, which name the bailiff field it is not granted.
    ("kerckhoffs-lasonder", "bailiff", Relation.INVOLVED, "zaanstad", "parteon", GOODS),
    # The storage provider: that a release was authorised, nothing else.
    (
        "opslag-zaanstad",
        "storage",
        Relation.INVOLVED,
        "zaanstad",
        "parteon",
        frozenset({"inventory.pickup_released"}),
    ),
    (
        "wijkteam-zaandam-noord",
        "district_team",
        Relation.INVOLVED,
        "zaanstad",
        "parteon",
        CHAIN | ERASED,
    ),
    # Bureau Woonkans monitors agreements: every agreement event; and what came of an eviction
    # (its second-chance grant includes the outcome), not when or by whom it was scheduled.
    (
        "bureau-woonkans",
        "woonkans",
        Relation.INVOLVED,
        "groningen",
        "nijestee",
        AGREEMENT | CHAIN | ERASED | {"eviction.called_off", "eviction.carried_out"},
    ),
    # A credit bank reads an agreement's terms, not its reviews.
    (
        "ehbg-groningen",
        "credit_bank",
        Relation.INVOLVED,
        "groningen",
        "nijestee",
        CHAIN | (AGREEMENT | ERASED) - {"agreement.review_recorded"},
    ),
    (
        "meldpunt-overlast-en-zorg",
        "care",
        Relation.INVOLVED,
        "groningen",
        "nijestee",
        CHAIN | ERASED,
    ),
    # ZOwonen shares only the eviction date: not even the scheduling, which names the bailiff.
    ("partners-in-welzijn", "welfare", Relation.INVOLVED, "sittard-geleen", "zowonen", frozenset()),
    (
        "zowonen",
        "corporation",
        Relation.OWNER,
        "sittard-geleen",
        "zowonen",
        (AGREEMENT | EVICTION | CHAIN | INVENTORY | SHELTER | ERASED | FOLLOW_UP_DONE) - CONTACT,
    ),
    # No relation: nothing, whatever the rows say.
    ("flanderijn", "bailiff", Relation.NONE, "sittard-geleen", "zowonen", frozenset()),
    ("gemeente-zaanstad", "municipality", Relation.NONE, "groningen", "nijestee", frozenset()),
]


@pytest.mark.parametrize(
    ("partner", "kind", "relation", "municipality", "owner", "shown"),
    TABLE,
    ids=[f"{row[0]}-{row[2]}-{row[3]}" for row in TABLE],
)
def test_who_is_shown_which_log_events(
    engine: PolicyEngine,
    partner: str,
    kind: str,
    relation: Relation,
    municipality: str,
    owner: str,
    shown: frozenset[str],
) -> None:
    readable = engine.readable_fields(access_key(partner, kind, relation, municipality, owner))
    assert {event for event, fields in LOG_EVENT_FIELDS.items() if fields <= readable} == shown


def test_every_log_event_reveals_known_fields() -> None:
    for event, fields in LOG_EVENT_FIELDS.items():
        assert fields, event
        assert fields <= set(FIELDS), event
