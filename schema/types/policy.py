"""GraphQL types of access policies, explanations and dry runs."""

from __future__ import annotations

import datetime as dt

import strawberry

from policies import Relation
from registry.models import PartnerKind


@strawberry.type(
    description="An issued access policy (a municipality grant or an owner restriction)."
)
class AccessPolicy:
    id: strawberry.ID
    kind: str
    issuer: str
    subject: str = strawberry.field(
        description="`*`, `kind:<kind>`, `partner:<id>` or `role:<involvement role>`."
    )
    relation: str
    municipality: str
    owner: str
    fields: list[str]
    purpose: str | None = strawberry.field(description="Why it was issued (free text).")
    phases: list[str] = strawberry.field(description="Case phases it applies in; empty: all.")
    purposes: list[str] = strawberry.field(
        description="Registered processing purposes it applies for; empty: any (restrictions)."
    )
    valid_from: dt.date | None
    valid_until: dt.date | None
    pending: bool = strawberry.field(
        description="Awaiting a second policy officer's approval (four eyes): not in force."
    )
    issued_at: dt.datetime
    revoked_at: dt.datetime | None


@strawberry.type(description="One field's decision and the policy that decided it.")
class FieldDecision:
    field: str
    allowed: bool
    decided_by: str = strawberry.field(
        description="`policy:<id>`, a `builtin:` rule, or `default:deny`."
    )


@strawberry.type
class AccessExplanation:
    case_id: strawberry.ID
    partner: str
    relation: Relation
    purpose: str = strawberry.field(description="The purpose the decisions are for.")
    phase: str = strawberry.field(description="The case's phase the decisions are for.")
    decisions: list[FieldDecision]


@strawberry.type(
    description="A processing activity a municipality registered: what a grant releases data "
    "for, and what a request names as its purpose (token claim `purpose`)."
)
class ProcessingPurpose:
    municipality: str
    id: str
    description: str


@strawberry.type(description="A field's decision now and with the draft grant in force.")
class DryRunField:
    field: str
    allowed_now: bool
    allowed_with_draft: bool
    decided_by: str


@strawberry.input(
    description=(
        "A grant: the partners (of a kind, or one named partner) that, with this relation to "
        "a case of the municipality, may read these fields or field groups."
    )
)
class GrantInput:
    municipality: str
    fields: list[str]
    purposes: list[str] = strawberry.field(
        default_factory=list,
        description="Registered processing purposes it releases for (at least one).",
    )
    partner_kind: PartnerKind | None = None
    partner: str | None = None
    involvement_role: str | None = strawberry.field(
        default=None, description="Instead of a kind or partner: whoever has this role."
    )
    relation: Relation = Relation.INVOLVED
    phases: list[str] = strawberry.field(
        default_factory=list, description="Case phases (e.g. `early_signal`); empty: all."
    )
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    purpose: str | None = strawberry.field(default=None, description="Why (free text).")


@strawberry.input(
    description="Of your own cases, share only these fields with the involved partners."
)
class RestrictionInput:
    shared_fields: list[str]
    partner_kind: PartnerKind | None = None
    partner: str | None = None
    involvement_role: str | None = None
    phases: list[str] = strawberry.field(
        default_factory=list, description="Case phases it narrows in; empty: all."
    )
    purposes: list[str] = strawberry.field(
        default_factory=list, description="Purposes it narrows for; empty: any."
    )
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    purpose: str | None = strawberry.field(default=None, description="Why (free text).")


@strawberry.type(description="One disclosure of case data (Logboek Dataverwerkingen).")
class AccessLogEntry:
    trace_id: str
    partner: str
    actor: str | None
    case_id: strawberry.ID
    purpose: str
    operation: str
    fields_disclosed: list[str]
    fields_withheld: list[str]
    occurred_at: dt.datetime
    outcome: str


@strawberry.type(description="A field policies may name: what it releases and its groups.")
class PolicyField:
    name: str
    description: str = strawberry.field(description="What the field releases, in English.")
    description_nl: str = strawberry.field(
        description="What the field releases, in Dutch (omschrijving)."
    )
    sensitive: bool = strawberry.field(
        description="Personal data released least: identity, contact details, the household's "
        "answers to the municipality."
    )
    groups: list[str] = strawberry.field(description="The groups that name this field.")


@strawberry.type(
    description="What a draft grant would change of one field over all of its municipality's "
    "cases: the cases and partners gaining it, or losing it."
)
class FieldImpact:
    field: str
    cases_gaining: int
    partners_gaining: int
    cases_losing: int
    partners_losing: int


@strawberry.type(
    description="One cell of a covenant matrix: a partner kind (or the municipality) in a "
    "relation, in a phase, and a field group: what is released, withheld, and by which rows."
)
class CovenantCell:
    subject: str
    relation: Relation
    phase: str
    group: str
    released: list[str]
    withheld: list[str]
    decided_by: list[str]
