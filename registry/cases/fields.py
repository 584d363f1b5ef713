"""The fields of a case a policy can release, each declared once: the shared case record
(domain.md, "The minimal shared case record"), the household's identity and contact details,
and the annotations partners add, one field per kind.

A case field fills the view attribute of its own name (``arrearsAmount``: ``arrears_amount``),
and the GraphQL ``Case`` type has one field per attribute (a test checks both).
"""

from __future__ import annotations

from typing import Any

from registry.access.fields import (
    FieldGroup,
    Reader,
    ReleasedField,
    ReleasedFields,
    attribute,
    in_group,
)
from registry.cases.records import CaseLike
from registry.cases.views import (
    CollectionPauseView,
    EarlySignalChecksView,
    InvolvementContactView,
    InvolvementView,
    SignalView,
)
from registry.models import Annotation, AnnotationKind

# Short names for the groups, so that each declaration below stays readable on a few lines.
IDENTITY = FieldGroup.IDENTITY
EARLY_SIGNAL = FieldGroup.EARLY_SIGNAL
HOME_VISIT = FieldGroup.HOME_VISIT
EVICTION = FieldGroup.EVICTION
AFTERCARE = FieldGroup.AFTERCARE
SECOND_CHANCE = FieldGroup.SECOND_CHANCE


def _contact(attr: str) -> Reader[CaseLike, None]:
    def read(case: CaseLike, _: None) -> Any:
        return getattr(case.contact, attr) if case.contact is not None else None

    return read


def _involvements(case: CaseLike, _: None) -> list[InvolvementView]:
    return [
        InvolvementView(i.partner_id, i.role, i.since)
        for i in case.involvements
        if i.released_at is None
    ]


def _contacts(case: CaseLike, _: None) -> list[InvolvementContactView]:
    return [
        InvolvementContactView(
            i.partner_id, i.role, i.contact_name, i.contact_phone, i.contact_email
        )
        for i in case.involvements
        if i.released_at is None
    ]


def _signals(case: CaseLike, _: None) -> list[SignalView]:
    return [
        SignalView(
            s.signalled_on,
            s.arrears_months,
            s.arrears_amount,
            s.source,
            s.repeat,
            s.district_team_due_on,
            s.district_team_replied_at,
            s.help_offer_due_on,
            s.help_offered_at,
        )
        for s in case.signals
    ]


def _pauses(case: CaseLike, _: None) -> list[CollectionPauseView]:
    return [
        CollectionPauseView(p.paused_from, p.paused_until, p.reason, p.recorded_by)
        for p in case.collection_pauses
    ]


def _checks(case: CaseLike, _: None) -> EarlySignalChecksView:
    return EarlySignalChecksView(
        case.contact_attempted,
        case.debt_help_referred,
        case.reminder_sent,
        case.tenant_did_not_object,
    )


#: The shared case record, then identity and contact details (kept apart: the contact row is
#: loaded only when one of them may be released).
CASE_FIELDS: ReleasedFields[CaseLike, None] = ReleasedFields(
    attribute(
        "municipality",
        "the municipality the case belongs to",
        lambda c, _: c.municipality_code,
        groups={EARLY_SIGNAL, HOME_VISIT, SECOND_CHANCE},
        description_nl="de gemeente waartoe de casus behoort",
    ),
    attribute(
        "owner",
        "the corporation that registered the case (the data owner)",
        lambda c, _: c.owner_id,
        groups={EARLY_SIGNAL, SECOND_CHANCE},
        description_nl=(
            "de corporatie die de casus heeft geregistreerd (de eigenaar van de gegevens)"
        ),
    ),
    attribute(
        "phase",
        "the BZK phase, 0 (arrears) to 6 (after the eviction)",
        lambda c, _: c.phase,
        groups={HOME_VISIT, SECOND_CHANCE},
        description_nl="de BZK-fase, van 0 (huurachterstand) tot 6 (na de ontruiming)",
    ),
    attribute(
        "reasons",
        "why eviction threatens: rent arrears, nuisance, housing fraud, ...",
        lambda c, _: list(c.reasons),
        groups={SECOND_CHANCE},
        description_nl="waarom ontruiming dreigt: huurachterstand, overlast, woonfraude, ...",
    ),
    attribute(
        "householdComposition",
        "single, couple, single parent, family, other",
        lambda c, _: c.household_composition,
        groups={HOME_VISIT, SECOND_CHANCE},
        description_nl="alleenstaand, stel, eenoudergezin, gezin, anders",
    ),
    attribute(
        "childrenInvolved",
        "whether minor children live in the household",
        lambda c, _: c.children_involved,
        groups={HOME_VISIT, AFTERCARE, SECOND_CHANCE},
        description_nl="of er minderjarige kinderen in het huishouden wonen",
    ),
    attribute(
        "arrearsAmount",
        "rent arrears in euros",
        lambda c, _: c.arrears_amount,
        groups={EARLY_SIGNAL, HOME_VISIT, SECOND_CHANCE},
        description_nl="de huurachterstand in euro's",
    ),
    attribute(
        "arrearsMonths",
        "months of rent in arrears",
        lambda c, _: c.arrears_months,
        groups={EARLY_SIGNAL, HOME_VISIT, SECOND_CHANCE},
        description_nl="het aantal maanden huurachterstand",
    ),
    attribute(
        "earlySignalChecks",
        "the statutory preconditions met before the early signal",
        _checks,
        groups={EARLY_SIGNAL},
        description_nl="de wettelijke voorwaarden waaraan vóór de vroegsignalering is voldaan",
    ),
    attribute(
        "earlySignalledOn",
        "the date of the statutory early signal to the municipality",
        lambda c, _: c.early_signalled_on,
        groups={EARLY_SIGNAL},
        description_nl=(
            "datum waarop de huurachterstand aan de gemeente is gesignaleerd (vroegsignalering)"
        ),
    ),
    attribute(
        "judgmentRequestedOn",
        "the date the corporation asked the court for dissolution",
        lambda c, _: c.judgment_requested_on,
        groups={EVICTION},
        description_nl="datum waarop de corporatie de rechter om ontbinding heeft gevraagd",
    ),
    attribute(
        "judgmentGrantedOn",
        "the date the court granted it",
        lambda c, _: c.judgment_granted_on,
        groups={EVICTION, SECOND_CHANCE},
        description_nl="datum waarop de rechter de ontbinding heeft toegewezen",
    ),
    attribute(
        "evictionDate",
        "the scheduled eviction date",
        lambda c, _: c.eviction_date,
        groups={EVICTION, HOME_VISIT, SECOND_CHANCE},
        description_nl="de geplande ontruimingsdatum",
    ),
    attribute(
        "evictionOutcome",
        "executed, called off, or household already gone",
        lambda c, _: c.eviction_outcome,
        groups={EVICTION, AFTERCARE, SECOND_CHANCE},
        description_nl="uitgevoerd, afgeblazen, of huishouden al vertrokken",
    ),
    attribute(
        "shelterArranged",
        "whether shelter was arranged after the eviction",
        lambda c, _: c.shelter_arranged,
        groups={AFTERCARE},
        description_nl="of er na de ontruiming opvang is geregeld",
    ),
    attribute(
        "housingBlockUntil",
        "until when the corporation blocks the household from renting",
        lambda c, _: c.housing_block_until,
        groups={AFTERCARE, SECOND_CHANCE},
        description_nl="tot wanneer de corporatie het huishouden uitsluit van huren",
    ),
    attribute(
        "housingBlockUntilDebtSettled",
        "whether the housing block lasts until the debt is settled",
        lambda c, _: c.housing_block_until_debt_settled,
        groups={AFTERCARE, SECOND_CHANCE},
        description_nl="of de uitsluiting duurt tot de schuld is voldaan",
    ),
    attribute(
        "bailiff",
        "the bailiff who is to carry out the scheduled eviction",
        lambda c, _: c.bailiff_id,
        groups={EVICTION},
        description_nl="de deurwaarder die de geplande ontruiming uitvoert",
    ),
    attribute(
        "householdDestination",
        "where the household went after the eviction, as far as known",
        lambda c, _: c.household_destination,
        groups={AFTERCARE, SECOND_CHANCE},
        description_nl="waar het huishouden na de ontruiming naartoe is gegaan, voor zover bekend",
    ),
    attribute(
        "destinationArrangedBy",
        "the partner who arranged where the household went",
        lambda c, _: c.destination_arranged_by,
        groups={AFTERCARE},
        description_nl="de partner die heeft geregeld waar het huishouden naartoe ging",
    ),
    attribute(
        "closedOn",
        "the date the case was closed",
        lambda c, _: c.closed_on,
        description_nl="datum waarop de casus is afgesloten",
    ),
    attribute(
        "closureOutcome",
        "how the case ended: prevented (and how), evicted, or household gone",
        lambda c, _: c.closure_outcome,
        groups={SECOND_CHANCE},
        description_nl=(
            "hoe de casus is geëindigd: voorkomen (en hoe), ontruimd, of huishouden vertrokken"
        ),
    ),
    attribute(
        "involvements",
        "which partners are involved, and in what role",
        _involvements,
        groups={HOME_VISIT, SECOND_CHANCE},
        description_nl="welke partners betrokken zijn, en in welke rol",
    ),
    attribute(
        "registeredAt",
        "when the case was registered",
        lambda c, _: c.registered_at,
        description_nl="wanneer de casus is geregistreerd",
    ),
    # Identity and contact details: personal data, released least.
    attribute(
        "contactName",
        "the tenant's name",
        _contact("name"),
        groups={IDENTITY, HOME_VISIT},
        sensitive=True,
        description_nl="de naam van de huurder",
    ),
    attribute(
        "contactAddress",
        "the address of the home",
        _contact("address"),
        groups={IDENTITY, HOME_VISIT},
        sensitive=True,
        description_nl="het adres van de woning",
    ),
    attribute(
        "contactPostalCode",
        "the postal code of the home",
        _contact("postal_code"),
        groups={IDENTITY, HOME_VISIT},
        sensitive=True,
        description_nl="de postcode van de woning",
    ),
    attribute(
        "contactPhone",
        "the tenant's phone number",
        _contact("phone"),
        groups={IDENTITY, HOME_VISIT},
        sensitive=True,
        description_nl="het telefoonnummer van de huurder",
    ),
    attribute(
        "contactEmail",
        "the tenant's e-mail address",
        _contact("email"),
        groups={IDENTITY},
        sensitive=True,
        description_nl="het e-mailadres van de huurder",
    ),
    # The chain's working rhythm (issue 14): signals, collection pauses, coordination.
    attribute(
        "signals",
        "every early signal: date, arrears then, source, and its reply clocks",
        _signals,
        # The district team answers signals: what a home visit needs includes them.
        groups={EARLY_SIGNAL, HOME_VISIT},
        description_nl=(
            "elke vroegsignalering: datum, achterstand op dat moment, bron en de reactietermijnen"
        ),
    ),
    attribute(
        "collectionPauses",
        "when collection was paused while help is accepted, until when, and why",
        _pauses,
        groups={EARLY_SIGNAL, HOME_VISIT},
        description_nl=(
            "wanneer de incasso is gepauzeerd omdat hulp is aanvaard, tot wanneer, en waarom"
        ),
    ),
    attribute(
        "coordinator",
        "the partner that coordinates the case (regie), named by the municipality",
        lambda c, _: c.coordinator_id,
        # The municipality names the coordinator, so it reads it with its statutory fields.
        groups={EARLY_SIGNAL, HOME_VISIT, SECOND_CHANCE},
        description_nl="de partner die de regie over de casus voert, aangewezen door de gemeente",
    ),
    attribute(
        "involvementContacts",
        "the fixed contact person of each organisation involved: name, work phone, e-mail",
        _contacts,
        groups={HOME_VISIT, SECOND_CHANCE},
        description_nl=(
            "de vaste contactpersoon van elke betrokken organisatie: naam, werktelefoon, e-mail"
        ),
    ),
)

#: Fields whose data lives in related rows: load them only when they may be disclosed.
CONTACT_FIELDS = in_group(CASE_FIELDS, IDENTITY)
SIGNAL_FIELD = "signals"
#: Fields read from the case's involvements (loaded when one of them is asked for).
INVOLVEMENT_FIELDS = frozenset({"involvements", "involvementContacts"})
PAUSE_FIELD = "collectionPauses"


def _annotation(
    name: str, description: str, *groups: FieldGroup, description_nl: str
) -> ReleasedField[Annotation, None]:
    # An annotation kind fills no attribute of the case view: annotations are released by a
    # rule of their own (per kind, and always to their author; ``Disclosure.annotations``).
    return ReleasedField(name, description, {}, frozenset(groups), description_nl=description_nl)


#: Annotations partners add to a case, one policy field per kind: a policy releases a kind of
#: annotation like any other field.
ANNOTATION_FIELDS: dict[AnnotationKind, ReleasedField[Annotation, None]] = {
    AnnotationKind.CONTACT_ATTEMPT: _annotation(
        "annotationContactAttempt",
        "partners' attempts to reach the tenant",
        description_nl="pogingen van partners om de huurder te bereiken",
    ),
    AnnotationKind.HOME_VISIT: _annotation(
        "annotationHomeVisit", "home visits made", description_nl="afgelegde huisbezoeken"
    ),
    # Whether help was accepted and arrangements kept weighs in a second chance.
    AnnotationKind.HELP_ACCEPTED: _annotation(
        "annotationHelpAccepted",
        "the tenant accepted help",
        SECOND_CHANCE,
        description_nl="de huurder heeft hulp aanvaard",
    ),
    AnnotationKind.HELP_REFUSED: _annotation(
        "annotationHelpRefused",
        "the tenant refused help",
        SECOND_CHANCE,
        description_nl="de huurder heeft hulp geweigerd",
    ),
    AnnotationKind.PAYMENT_ARRANGEMENT: _annotation(
        "annotationPaymentArrangement",
        "payment arrangements made",
        SECOND_CHANCE,
        description_nl="getroffen betalingsregelingen",
    ),
    AnnotationKind.CASE_CONFERENCE: _annotation(
        "annotationCaseConference",
        "case-conference decisions and their action items",
        SECOND_CHANCE,
        description_nl="besluiten uit het casusoverleg en de bijbehorende actiepunten",
    ),
    # The nuisance and fraud routes: whether the household kept to a behaviour agreement
    # weighs in a second chance, as a payment arrangement does.
    AnnotationKind.WARNING: _annotation(
        "annotationWarning",
        "warnings given",
        SECOND_CHANCE,
        description_nl="gegeven waarschuwingen",
    ),
    AnnotationKind.MEDIATION: _annotation(
        "annotationMediation", "mediation between neighbours", description_nl="buurtbemiddeling"
    ),
    AnnotationKind.BEHAVIOUR_AGREEMENT: _annotation(
        "annotationBehaviourAgreement",
        "behaviour agreements made",
        SECOND_CHANCE,
        description_nl="gemaakte gedragsafspraken",
    ),
}

#: The policy field that releases each kind of annotation.
ANNOTATION_KIND_FIELDS: dict[AnnotationKind, str] = {
    kind: declared.name for kind, declared in ANNOTATION_FIELDS.items()
}
