"""The demo's covenants as policy rows: what each municipality grants the kinds of partner
working in it, what it grants a municipality itself, and ZOwonen's data-minimising
restriction. They date from the start of the demo's history: the log's first entries."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from registry.access import policy_admin
from registry.access.policystore import bump_version
from registry.models import AccessPolicy, PartnerKind, PolicyKind

#: The covenants, as grants per municipality: (municipality, partner kind, fields).
GRANTS: tuple[tuple[str, PartnerKind, tuple[str, ...]], ...] = (
    # Sittard-Geleen's area team (credit bank, welfare, district team): what a home visit needs.
    ("sittard-geleen", PartnerKind.DISTRICT_TEAM, ("homeVisit",)),
    ("sittard-geleen", PartnerKind.CREDIT_BANK, ("homeVisit",)),
    ("sittard-geleen", PartnerKind.WELFARE, ("homeVisit",)),
    ("sittard-geleen", PartnerKind.BAILIFF, ("evictionDate",)),
    # Groningen lets Bureau Woonkans see what a second-chance decision needs, and its
    # agreements; the district team and credit bank see the agreements they are party to.
    ("groningen", PartnerKind.WOONKANS, ("secondChance", "agreement")),
    ("groningen", PartnerKind.DISTRICT_TEAM, ("homeVisit", "agreementTerms")),
    ("groningen", PartnerKind.CREDIT_BANK, ("homeVisit", "agreementTerms")),
    ("groningen", PartnerKind.CARE, ("homeVisit", "reasons")),
    ("groningen", PartnerKind.BAILIFF, ("evictionDate", "contactName", "contactAddress")),
    ("zaanstad", PartnerKind.DISTRICT_TEAM, ("homeVisit", "reasons")),
    # The bailiff records the goods it removed and asks for their pickup: it reads that much
    # of the inventory, not the municipal contact.
    (
        "zaanstad",
        PartnerKind.BAILIFF,
        (
            "evictionDate",
            "contactName",
            "contactAddress",
            "inventoryStorage",
            "inventoryDates",
            "inventoryPickup",
        ),
    ),
    # The storage provider learns whether a release is authorised, and nothing else.
    ("zaanstad", PartnerKind.STORAGE, ("inventoryReleaseAuthorised",)),
    ("deventer", PartnerKind.CARE, ("homeVisit", "reasons")),
    ("deventer", PartnerKind.CREDIT_BANK, ("homeVisit",)),
    ("deventer", PartnerKind.BAILIFF, ("evictionDate", "contactName", "contactAddress")),
)
# Annotation kinds are policy fields: the homeVisit group carries them all, so the covenants
# above let district teams, credit banks and care read what partners did; secondChance
# carries help, arrangements and case conferences for Bureau Woonkans.

#: Grants to a municipality itself, beyond the statutory early-signal fields it always reads:
#: (municipality, fields). Zaanstad's Stedelijke Toegang coordinates the chain and reads what
#: the partners did.
MUNICIPALITY_GRANTS: tuple[tuple[str, tuple[str, ...]], ...] = (("zaanstad", ("annotations",)),)


def _grant(
    municipality: str,
    subject: str,
    relation: str,
    fields: tuple[str, ...],
    issued_at: dt.datetime,
) -> AccessPolicy:
    """A covenant's grant by the municipality to ``subject``, for its cases of any owner."""
    return AccessPolicy(
        kind=PolicyKind.GRANT,
        issuer_id=f"gemeente-{municipality}",
        subject=subject,
        relation=relation,
        municipality=municipality,
        owner="*",
        fields=list(fields),
        purpose="covenant eviction prevention",
        issued_at=issued_at,
    )


def issue(session: Session, covenant_day: dt.datetime) -> None:
    """Add the covenants' policies, issued on ``covenant_day``, with their log entries."""
    policies = [
        _grant(municipality, f"kind:{kind}", "involved", fields, covenant_day)
        for municipality, kind, fields in GRANTS
    ]
    policies += [
        _grant(
            municipality, f"kind:{PartnerKind.MUNICIPALITY}", "municipality", fields, covenant_day
        )
        for municipality, fields in MUNICIPALITY_GRANTS
    ]
    # ZOwonen shares only the eviction date with the other organisations involved.
    policies.append(
        AccessPolicy(
            kind=PolicyKind.RESTRICTION,
            issuer_id="zowonen",
            subject="*",
            relation="involved",
            municipality="*",
            owner="zowonen",
            fields=["evictionDate"],
            purpose="data minimisation",
            issued_at=covenant_day,
        )
    )
    session.add_all(policies)
    session.flush()
    for policy in policies:
        policy_admin.log_issued(session, policy, covenant_day)
    bump_version(session)
