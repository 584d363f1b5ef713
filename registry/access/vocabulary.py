"""The registry's one policy vocabulary, assembled from what each aggregate declares.

Every field comes from its aggregate's declaration (``registry.cases.fields``,
``registry.agreements.fields``, ``registry.inventory.fields``), in that order: the order
decisions and explanations list fields in. A group is what the declarations put in it,
composed here with the groups that follow from the aggregates themselves. The policy engine
is built with this vocabulary (``registry.access.policystore``), and a policy may name nothing
else (``registry.access.policy_admin``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from policies import FieldTerm, Vocabulary
from registry.access.fields import FieldGroup, ReleasedField, in_group
from registry.aftercare.fields import AFTERCARE_CONTACT, AFTERCARE_CONTACT_FIELDS, FOLLOW_UP_FIELDS
from registry.agreements.fields import AGREEMENT_FIELDS
from registry.cases.fields import ANNOTATION_FIELDS, CASE_FIELDS
from registry.inventory.fields import INVENTORY_FIELDS, MUNICIPAL_CONTACT
from registry.shelter.fields import SHELTER_FIELDS

#: Every released field of every aggregate, in the vocabulary's order.
DECLARATIONS: tuple[ReleasedField[Any, Any], ...] = (
    *CASE_FIELDS,
    *ANNOTATION_FIELDS.values(),
    *AGREEMENT_FIELDS,
    *INVENTORY_FIELDS,
    *SHELTER_FIELDS,
    *AFTERCARE_CONTACT_FIELDS,
    *FOLLOW_UP_FIELDS,
)


def _groups() -> dict[str, frozenset[str]]:
    every = frozenset(d.name for d in DECLARATIONS)
    identity = in_group(DECLARATIONS, FieldGroup.IDENTITY)
    annotations = frozenset(d.name for d in ANNOTATION_FIELDS.values())

    def declared(group: FieldGroup) -> frozenset[str]:
        return in_group(DECLARATIONS, group)

    return {
        "all": every,
        # What the corporation reads of its own case (a built-in rule): everything but how the
        # household answered the municipality's offer of help, which is the municipality's
        # social-domain business and no landlord's; nor where the household can be reached
        # after its eviction, given for aftercare (``registry.aftercare.fields``).
        "ownCase": every - {MUNICIPAL_CONTACT} - AFTERCARE_CONTACT,
        "identity": identity,
        "annotations": annotations,
        "eviction": declared(FieldGroup.EVICTION),
        "aftercare": declared(FieldGroup.AFTERCARE),
        # Where the household can be reached after its eviction, and its consent: what the
        # partners that continue aftercare are granted (``registry.aftercare.fields``).
        "aftercareContact": AFTERCARE_CONTACT,
        # What the landlord must pass to the municipality in the statutory early signal
        # (Wet gemeentelijke schuldhulpverlening, art. 3 lid 4 and the Besluit): who, where,
        # how much. Every identity field, whatever else the declarations add.
        "earlySignal": identity | declared(FieldGroup.EARLY_SIGNAL),
        # What a district team, welfare organisation or credit bank needs for a home visit:
        # who tried to reach the tenant, who visited, what was agreed (every annotation kind)
        # is what the next visitor needs to know before knocking.
        "homeVisit": declared(FieldGroup.HOME_VISIT) | annotations,
        # Everything about a case's second-chance agreements (no contact details).
        "agreement": AGREEMENT_FIELDS.names,
        "agreementTerms": declared(FieldGroup.AGREEMENT_TERMS),
        # Everything about a case's stored inventory, its pickups and the municipal contact
        # (no contact details: whoever reaches out to the household needs a grant for those).
        "inventory": INVENTORY_FIELDS.names,
        # What Bureau Woonkans needs to decide on a second chance (no contact details).
        "secondChance": declared(FieldGroup.SECOND_CHANCE),
    }


#: Fields released only under the guard rails of sensitive data (a grant with a purpose and
#: an end date) besides those their aggregates declare sensitive (identity and contact
#: details, the household's answers to the municipality): how much the household owes, why
#: it may lose its home (nuisance, care needs), and whether children are involved.
GUARDED = frozenset({"arrearsAmount", "reasons", "childrenInvolved"})

#: The vocabulary every policy of this registry speaks.
VOCABULARY = Vocabulary(
    (
        FieldTerm(d.name, d.description, d.description_nl, d.sensitive or d.name in GUARDED)
        for d in DECLARATIONS
    ),
    _groups(),
)


@dataclass(frozen=True)
class CatalogueEntry:
    """One field as a policy officer looks it up: what it releases (in English and in Dutch),
    whether it is sensitive personal data, and the groups that name it."""

    name: str
    description: str
    description_nl: str
    sensitive: bool
    groups: tuple[str, ...]


def catalogue() -> list[CatalogueEntry]:
    """Every field policies may name, in the vocabulary's order, with the groups it is in."""
    return [
        CatalogueEntry(
            term.name,
            term.description,
            term.description_nl,
            term.sensitive,
            tuple(sorted(g for g, members in VOCABULARY.groups.items() if term.name in members)),
        )
        for term in VOCABULARY.fields.values()
    ]
