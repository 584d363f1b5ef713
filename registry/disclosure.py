"""The one choke point through which case data leaves the registry.

Every channel (GraphQL, notifications, exports) builds its case views here, so no channel can
release what another withholds. Per request, a ``Disclosure`` asks ``policies`` which fields a
(partner, relation, municipality, owner) combination may read, once per distinct combination,
and remembers every case it released for the access log.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from policies import AccessKey, PolicyEngine, Relation
from registry.agreement_views import (
    AGREEMENT_FIELD_READERS,
    ALL_AGREEMENT_FIELDS,
    AgreementView,
    DueReviewView,
)
from registry.models import AgreementReview, Case, SecondChanceAgreement
from registry.principal import Principal
from registry.views import CASE_FIELD_READERS, CaseView

ALL_CASE_FIELDS = frozenset(CASE_FIELD_READERS)


@dataclass
class DisclosedCase:
    """What one request released of one case: becomes one access-log record."""

    case_id: uuid.UUID
    disclosed: set[str] = field(default_factory=set)
    withheld: set[str] = field(default_factory=set)


class Disclosure:
    """Per-request disclosure for one principal.

    ``enforce=False`` releases every field; it exists only so the benchmark can measure what
    enforcement costs, and no configuration of the service reaches it.
    """

    def __init__(self, engine: PolicyEngine, principal: Principal, *, enforce: bool = True) -> None:
        self.engine = engine
        self.principal = principal
        self._enforce = enforce
        self._readable: dict[tuple[Relation, str, str], frozenset[str]] = {}
        self.released: dict[uuid.UUID, DisclosedCase] = {}

    def readable(self, relation: Relation, municipality: str, owner: str) -> frozenset[str]:
        """The fields this principal may read of a case with these attributes."""
        combo = (relation, municipality, owner)
        fields = self._readable.get(combo)
        if fields is None:
            if not self._enforce:
                fields = ALL_CASE_FIELDS if relation is not Relation.NONE else frozenset()
            else:
                fields = self.engine.readable_fields(
                    AccessKey(
                        self.principal.partner_id,
                        self.principal.kind,
                        relation,
                        municipality,
                        owner,
                    )
                )
            self._readable[combo] = fields
        return fields

    def readable_of(self, case: Case, relation: Relation) -> frozenset[str]:
        """The fields this principal may read of ``case``."""
        return self.readable(relation, case.municipality_code, case.owner_id)

    def case_view(
        self, case: Case, relation: Relation, requested: frozenset[str] | None = None
    ) -> CaseView:
        """The case as this principal may see it; ``requested`` limits what is read and logged
        to the fields the caller asked for (None: all fields)."""
        readable = self.readable_of(case, relation)
        wanted = ALL_CASE_FIELDS if requested is None else requested & ALL_CASE_FIELDS
        released = wanted & readable
        view = CaseView(
            id=str(case.id),
            relation=str(relation),
            withheld=sorted(ALL_CASE_FIELDS - readable),
        )
        for name in released:
            attr, read = CASE_FIELD_READERS[name]
            setattr(view, attr, read(case))
        self._record(case.id, released, wanted - readable)
        return view

    def _record(
        self, case_id: uuid.UUID, disclosed: frozenset[str], withheld: frozenset[str]
    ) -> None:
        record = self.released.get(case_id)
        if record is None:
            record = self.released[case_id] = DisclosedCase(case_id)
        record.disclosed |= disclosed
        record.withheld |= withheld

    def agreement_view(
        self,
        agreement: SecondChanceAgreement,
        case: Case,
        relation: Relation,
        requested: frozenset[str] | None = None,
        *,
        log_indexes: Sequence[int] = (),
    ) -> AgreementView:
        """A case's agreement as this principal may see it. Agreement data is case data: what
        is released or withheld goes into the case's access-log record. ``requested`` names
        policy fields (None: all agreement fields)."""
        readable = self.readable_of(case, relation)
        wanted = ALL_AGREEMENT_FIELDS if requested is None else requested & ALL_AGREEMENT_FIELDS
        released = wanted & readable
        view = AgreementView(
            id=str(agreement.id),
            case_id=str(case.id),
            withheld=sorted(ALL_AGREEMENT_FIELDS - readable),
        )
        for name in released:
            for attr, value in AGREEMENT_FIELD_READERS[name](agreement, log_indexes).items():
                setattr(view, attr, value)
        self._record(case.id, released, wanted - readable)
        return view

    def due_review_view(
        self, review: AgreementReview, case: Case, relation: Relation, today: dt.date
    ) -> DueReviewView | None:
        """A due or overdue review, if this principal may read the agreement's reviews."""
        if "agreementReviews" not in self.readable_of(case, relation):
            return None
        self._record(case.id, frozenset({"agreementReviews"}), frozenset())
        return DueReviewView(
            agreement_id=str(review.agreement_id),
            case_id=str(case.id),
            review=review.number,
            due_on=review.due_on,
            overdue=review.due_on < today,
        )
