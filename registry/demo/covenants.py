"""The demo's covenants as policy rows: the processing purposes each municipality registers,
what it grants the kinds of partner working in it (for which purposes, in which phases, until
the covenant's end), what it grants a municipality itself, and ZOwonen's data-minimising
restriction. They date from the start of the demo's history: the log's first entries.

As the report tells it: in Sittard-Geleen the area team visits at about two months of arrears
(early signal, collection) for *schuldhulpverlening*; ZOwonen shares only the eviction date
with everyone once an eviction is coming (from the court phase on). The statutory eviction
fields reach every municipality through a built-in rule (``policies.decisions``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from registry.access import policy_admin
from registry.access.policystore import bump_version
from registry.demo.partners import MUNICIPALITIES
from registry.models import AccessPolicy, PartnerKind, Phase, PolicyKind, ProcessingPurpose

#: The covenant's processing activity, registered in every municipality: what a request names
#: to be shown what the covenant releases.
EVICTION_PREVENTION = "eviction_prevention"
#: Debt help (Wet gemeentelijke schuldhulpverlening): what the area team's home visit is for.
DEBT_HELP = "schuldhulpverlening"

#: The processing purposes every demo municipality registers: (id, description).
PURPOSES: tuple[tuple[str, str], ...] = (
    (EVICTION_PREVENTION, "Voorkomen van huisuitzettingen: samenwerking volgens het convenant"),
    (DEBT_HELP, "Schuldhulpverlening (Wgs): vroegsignalering, huisbezoek en hulpaanbod"),
)

#: The covenants' last day: a grant of personal data has an end date (guard rails).
COVENANT_END = dt.date(2028, 12, 31)

#: The home visit is made early, at about two months of arrears.
HOME_VISIT_PHASES = (str(Phase.EARLY_SIGNAL), str(Phase.COLLECTION))

#: From the court phase on: when an eviction is coming.
FROM_COURT_ON = tuple(
    str(p) for p in (Phase.COURT, Phase.JUDGMENT_SERVED, Phase.EVICTION, Phase.AFTER_EVICTION)
)

#: The covenants, as grants per municipality: (municipality, partner kind, fields).
GRANTS: tuple[tuple[str, PartnerKind, tuple[str, ...]], ...] = (
    # Sittard-Geleen's area team (credit bank, welfare, district team) visits early, for debt
    # help: see HOME_VISITS below.
    ("sittard-geleen", PartnerKind.DISTRICT_TEAM, ("homeVisit",)),
    ("sittard-geleen", PartnerKind.CREDIT_BANK, ("homeVisit",)),
    ("sittard-geleen", PartnerKind.WELFARE, ("homeVisit",)),
    # Once an eviction is coming, every organisation of the chain knows its date.
    ("sittard-geleen", PartnerKind.BAILIFF, ("evictionDate",)),
    *(
        ("sittard-geleen", kind, ("evictionDate",))
        for kind in (PartnerKind.DISTRICT_TEAM, PartnerKind.CREDIT_BANK, PartnerKind.WELFARE)
    ),
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
MUNICIPALITY_GRANTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("zaanstad", ("annotations",)),
    # After an eviction the corporations' role ends and aftercare is the municipality's and the
    # support organisations' (the report's section 3.2.4): every municipality reads where the
    # household can be reached now, given with its consent, and the follow-ups.
    *(
        (municipality, ("aftercareContact", "aftercareFollowUps"))
        for municipality in MUNICIPALITIES
    ),
)

#: What the partners continuing aftercare read (whatever their kind: a district team, a
#: welfare organisation, a shelter), in every municipality: the subject is the involvement role
#: ``aftercare``, which naming a partner in a follow-up gives it (``registry.aftercare``). Not
#: the bailiff, whose contact with the former tenant is about the debt, nor the corporation.
AFTERCARE_ROLE_FIELDS = ("aftercareContact", "aftercare")


#: Grants made for debt help in the home-visit phases only: (municipality, partner kind).
HOME_VISITS = frozenset(
    ("sittard-geleen", kind)
    for kind in (PartnerKind.DISTRICT_TEAM, PartnerKind.CREDIT_BANK, PartnerKind.WELFARE)
)


def _grant(
    municipality: str,
    subject: str,
    relation: str,
    fields: tuple[str, ...],
    issued_at: dt.datetime,
    *,
    purposes: tuple[str, ...] = (EVICTION_PREVENTION,),
    phases: tuple[str, ...] = (),
) -> AccessPolicy:
    """A covenant's grant by the municipality to ``subject``, for its cases of any owner, from
    the covenant's first day to its last."""
    return AccessPolicy(
        kind=PolicyKind.GRANT,
        issuer_id=f"gemeente-{municipality}",
        subject=subject,
        relation=relation,
        municipality=municipality,
        owner="*",
        fields=list(fields),
        purpose="covenant eviction prevention",
        purposes=list(purposes),
        phases=list(phases),
        valid_from=issued_at.date(),
        valid_until=COVENANT_END,
        issued_at=issued_at,
    )


def _involved_grant(
    municipality: str, kind: PartnerKind, fields: tuple[str, ...], covenant_day: dt.datetime
) -> AccessPolicy:
    if (municipality, kind) in HOME_VISITS and fields == ("homeVisit",):
        return _grant(
            municipality,
            f"kind:{kind}",
            "involved",
            fields,
            covenant_day,
            purposes=(DEBT_HELP,),
            phases=HOME_VISIT_PHASES,
        )
    return _grant(municipality, f"kind:{kind}", "involved", fields, covenant_day)


def issue(session: Session, covenant_day: dt.datetime) -> None:
    """Register the purposes and add the covenants' policies, issued on ``covenant_day``, with
    their log entries."""
    session.add_all(
        ProcessingPurpose(
            municipality=code, id=purpose, description=description, registered_at=covenant_day
        )
        for code in MUNICIPALITIES
        for purpose, description in PURPOSES
    )
    policies = [
        _involved_grant(municipality, kind, fields, covenant_day)
        for municipality, kind, fields in GRANTS
    ]
    policies += [
        _grant(
            municipality, f"kind:{PartnerKind.MUNICIPALITY}", "municipality", fields, covenant_day
        )
        for municipality, fields in MUNICIPALITY_GRANTS
    ]
    policies += [
        _grant(municipality, "role:aftercare", "involved", AFTERCARE_ROLE_FIELDS, covenant_day)
        for municipality in MUNICIPALITIES
    ]
    # ZOwonen shares only the eviction date with the other organisations involved, once an
    # eviction is coming: earlier, the area team's home visit is what prevents it.
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
            phases=list(FROM_COURT_ON),
            issued_at=covenant_day,
        )
    )
    session.add_all(policies)
    session.flush()
    for policy in policies:
        policy_admin.log_issued(session, policy, covenant_day)
    bump_version(session)
