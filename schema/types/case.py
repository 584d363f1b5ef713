"""GraphQL types of the shared case record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import strawberry

from policies import Relation
from registry.models import (
    ClosureOutcome,
    EvictionOutcome,
    HouseholdComposition,
    HouseholdDestination,
    InvolvementRole,
    PartnerKind,
    Phase,
    Reason,
    SignalSource,
)
from schema.types.signal import CollectionPause, Signal

# strawberry.enum decorates the registry's enum itself and returns it, and strawberry would
# register an undecorated enum under its class name on first use anyway: fields are annotated
# with the registry's enums. The names below are those same classes, for resolvers' imports.
PhaseType = strawberry.enum(Phase, name="Phase")
ReasonType = strawberry.enum(Reason, name="Reason")
HouseholdCompositionType = strawberry.enum(HouseholdComposition, name="HouseholdComposition")
EvictionOutcomeType = strawberry.enum(EvictionOutcome, name="EvictionOutcome")
ClosureOutcomeType = strawberry.enum(ClosureOutcome, name="ClosureOutcome")
HouseholdDestinationType = strawberry.enum(HouseholdDestination, name="HouseholdDestination")
InvolvementRoleType = strawberry.enum(InvolvementRole, name="InvolvementRole")
PartnerKindType = strawberry.enum(PartnerKind, name="PartnerKind")
RelationType = strawberry.enum(Relation, name="Relation")


@strawberry.type(description="A partner working on the case.")
class Involvement:
    partner: str
    role: InvolvementRole
    since: dt.datetime


@strawberry.type(description="The fixed contact person of an organisation involved.")
class InvolvementContact:
    partner: str
    role: InvolvementRole
    name: str | None
    phone: str | None = strawberry.field(description="Work phone.")
    email: str | None = strawberry.field(description="Work e-mail.")


@strawberry.type(description="The statutory preconditions met before the early signal.")
class EarlySignalChecks:
    contact_attempted: bool
    debt_help_referred: bool
    reminder_sent: bool
    tenant_did_not_object: bool


@strawberry.type(
    description=(
        "A case as released to you. Fields the access policies withhold are null and named "
        "in `withheld`."
    )
)
class Case:
    id: strawberry.ID
    relation: str = strawberry.field(description="Your relation to the case.")
    withheld: list[str] = strawberry.field(
        description="The fields the policies do not release to you."
    )
    municipality: str | None
    owner: str | None
    phase: Phase | None
    reasons: list[str] | None
    household_composition: HouseholdComposition | None
    children_involved: bool | None
    arrears_amount: Decimal | None
    arrears_months: int | None
    early_signal_checks: EarlySignalChecks | None
    early_signalled_on: dt.date | None
    signals: list[Signal] | None
    collection_pauses: list[CollectionPause] | None
    coordinator: str | None
    involvement_contacts: list[InvolvementContact] | None
    judgment_requested_on: dt.date | None
    judgment_granted_on: dt.date | None
    eviction_date: dt.date | None
    eviction_outcome: EvictionOutcome | None
    shelter_arranged: bool | None
    housing_block_until: dt.date | None
    housing_block_until_debt_settled: bool | None
    bailiff: str | None
    household_destination: HouseholdDestination | None
    destination_arranged_by: str | None
    closed_on: dt.date | None
    closure_outcome: ClosureOutcome | None
    involvements: list[Involvement] | None
    registered_at: dt.datetime | None
    contact_name: str | None
    contact_address: str | None
    contact_postal_code: str | None
    contact_phone: str | None
    contact_email: str | None


@strawberry.type
class PageInfo:
    end_cursor: str | None
    has_next_page: bool


@strawberry.type(description="A page of cases, in registration order.")
class CaseConnection:
    nodes: list[Case]
    page_info: PageInfo


@strawberry.input
class CaseFilterInput:
    municipality: str | None = None
    phase: Phase | None = None
    owner: str | None = None
    eviction_from: dt.date | None = None
    eviction_to: dt.date | None = None


@strawberry.input(description="Identity and contact details of the household.")
class ContactInput:
    name: str
    address: str
    postal_code: str
    phone: str | None = None
    email: str | None = None


@strawberry.input(
    description=(
        "A new case. With rent arrears among its reasons it is the statutory early signal: "
        "the four preconditions must all be true (Wet gemeentelijke schuldhulpverlening). "
        "A case of nuisance or fraud starts in phase INTERVENTION, without arrears."
    )
)
class RegisterCaseInput:
    municipality: str
    household_composition: HouseholdComposition
    children_involved: bool
    reasons: list[Reason]
    contact: ContactInput
    arrears_amount: Decimal | None = strawberry.field(
        default=None, description="Required for rent arrears; none for nuisance or fraud."
    )
    arrears_months: int | None = strawberry.field(
        default=None, description="Required for rent arrears; none for nuisance or fraud."
    )
    contact_attempted: bool = False
    debt_help_referred: bool = False
    reminder_sent: bool = False
    tenant_did_not_object: bool = False
    early_signalled_on: dt.date | None = None
    signal_arrears_months: Decimal | None = strawberry.field(
        default=None,
        description="Months of arrears at the signal, in halves (default: arrearsMonths).",
    )
    signal_source: SignalSource = SignalSource.LANDLORD


@strawberry.input(description="Corrections to a case; omitted fields stay as they are.")
class UpdateCaseInput:
    reasons: list[Reason] | None = None
    household_composition: HouseholdComposition | None = None
    children_involved: bool | None = None
    arrears_amount: Decimal | None = None
    arrears_months: int | None = None
    contact: ContactInput | None = None
