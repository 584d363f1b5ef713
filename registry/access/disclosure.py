"""The one choke point through which case data leaves the registry.

Every channel (GraphQL, notifications, exports) builds its case views here, so no channel can
release what another withholds. Per request, a ``Disclosure`` asks ``policies`` which fields a
(partner, relation, municipality, owner) combination may read, once per distinct combination,
and remembers every case it released for the access log. A case, its agreements and its
stored inventory are released by one routine over what their aggregates declare
(``registry.cases.fields``, ``registry.agreements.fields``, ``registry.inventory.fields``).

Annotations are released per kind: each kind is a policy field. Two things reach a partner
whatever the field policies say, because they are its own and release nothing of anyone
else's: the annotations it wrote itself, and the action items addressed to it.
Notifications ask ``may_be_told`` before a partner is told of an event.

A stored inventory is released per policy field like an agreement; a storage provider's
covenant releases ``inventoryReleaseAuthorised`` and nothing else, so that is all it learns.

The events of the signed audit log are case data too: an entry's opening is released like the
fields it reveals (``log_opening``), and access-logged like them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol

from policies import NO_PURPOSE, AccessKey, PolicyEngine, Relation
from registry.access.fields import Extra, Reader, ReleasedFields, Row
from registry.access.principal import Principal
from registry.aftercare.fields import AFTERCARE_CONTACT_FIELDS, FOLLOW_UPS
from registry.aftercare.views import (
    AftercareContactView,
    FollowUpView,
    follow_up_view,
)
from registry.agreements.fields import AGREEMENT_FIELDS
from registry.agreements.views import AgreementView, DueReviewView
from registry.cases.fields import ANNOTATION_KIND_FIELDS, CASE_FIELDS
from registry.cases.records import CaseLike
from registry.cases.views import ActionItemView, AnnotationView, CaseView
from registry.events import LOG_EVENT_FIELDS
from registry.inventory.fields import INVENTORY_FIELDS, MUNICIPAL_CONTACT, InventoryReading
from registry.inventory.views import InventoryView, MunicipalContactView, contact_view
from registry.models import (
    ActionItem,
    AftercareContact,
    AftercareFollowUp,
    AgreementReview,
    Annotation,
    AnnotationKind,
    Case,
    MunicipalContact,
    Phase,
    SecondChanceAgreement,
    ShelterTask,
    StoredInventory,
)
from registry.shelter.fields import SHELTER_TASK
from registry.shelter.views import ShelterTaskView, task_view


class RolesOf(Protocol):
    """The roles a partner holds in a case it is involved in (``registry.access.roles``)."""

    def __call__(self, case_id: uuid.UUID) -> tuple[str, ...]:
        """The roles in one case (sorted; empty when none)."""
        ...

    def prefetch(self, case_ids: Collection[uuid.UUID]) -> None:
        """Read the roles in these cases at once (a page of a list), before they are asked."""
        ...


ALL_CASE_FIELDS = CASE_FIELDS.names
CASE_CONFERENCE_FIELD = ANNOTATION_KIND_FIELDS[AnnotationKind.CASE_CONFERENCE]


def may_be_told(
    engine: PolicyEngine,
    partner_id: str,
    kind: str,
    relation: Relation,
    case: Case,
    reveals: str,
    addressee: str | None = None,
    *,
    today: dt.date,
) -> bool:
    """Whether a partner may be told that ``reveals`` changed on ``case``: only when it relates
    to the case and may read that field for some purpose on ``today`` (or the event is
    addressed to it, as an overdue action item is to its assignee). The notification channel's
    door: it asks nothing else.

    A thin webhook names no purpose and carries no case data: it tells the partner to fetch,
    and the fetch names its purpose and is decided by it. So a partner is told when some
    purpose would let it read the field."""
    if relation is Relation.NONE:
        return False  # fail closed: no relation, no event, whatever a row says
    if addressee is not None and addressee == partner_id:
        return True
    for purpose in (NO_PURPOSE, *sorted(engine.purposes)):
        key = AccessKey(
            partner_id,
            kind,
            relation,
            case.municipality_code,
            case.owner_id,
            str(case.phase),
            purpose,
            today.isoformat(),
        )
        if reveals in engine.readable_fields(key):
            return True
    return False


@dataclass
class DisclosedCase:
    """What one request released of one case: becomes one access-log record."""

    case_id: uuid.UUID
    disclosed: set[str] = field(default_factory=set)
    withheld: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Release(Generic[Row, Extra]):
    """What is released of every row of one aggregate, given what was asked for and what is
    readable: worked out once per request and combination, not per row (lists are long)."""

    released: frozenset[str]
    refused: frozenset[str]  # asked for but not readable: access-logged as withheld
    withheld: tuple[str, ...]  # the view's ``withheld``: every field not readable, sorted
    readers: tuple[tuple[str, Reader[Row, Extra]], ...]


#: The field that tells which partners are involved in a case, and so another partner's relation.
INVOLVEMENTS = "involvements"


class Disclosure:
    """Per-request disclosure for one principal, on the request's day ``today``, for the
    purpose the principal names. ``roles_of`` tells the principal's involvement roles in a
    case; it is asked only when some policy names a role.

    ``enforce=False`` releases every field; it exists only so the benchmark can measure what
    enforcement costs, and no configuration of the service reaches it.
    """

    def __init__(
        self,
        engine: PolicyEngine,
        principal: Principal,
        *,
        today: dt.date,
        roles_of: RolesOf | None = None,
        enforce: bool = True,
    ) -> None:
        self.engine = engine
        self.principal = principal
        self.day = today.isoformat()
        self._roles_of = roles_of
        self._enforce = enforce
        self._readable: dict[tuple[Relation, str, str, str, tuple[str, ...]], frozenset[str]] = {}
        self._any_phase: dict[tuple[Relation, str, str], frozenset[str]] = {}
        self._releases: dict[
            tuple[object, frozenset[str] | None, frozenset[str]], _Release[Any, Any]
        ] = {}
        self.released: dict[uuid.UUID, DisclosedCase] = {}

    def key(
        self, relation: Relation, municipality: str, owner: str, phase: str, role: str = ""
    ) -> AccessKey:
        """The access key of this principal's request for a case with these attributes."""
        me = self.principal
        return AccessKey(
            me.partner_id,
            me.kind,
            relation,
            municipality,
            owner,
            phase,
            me.purpose,
            self.day,
            role,
        )

    def _decided(
        self, relation: Relation, municipality: str, owner: str, phase: str, roles: tuple[str, ...]
    ) -> frozenset[str]:
        combo = (relation, municipality, owner, phase, roles)
        fields = self._readable.get(combo)
        if fields is None:
            if not self._enforce:
                fields = ALL_CASE_FIELDS if relation is not Relation.NONE else frozenset()
            else:
                # A partner in several roles reads what any of them releases.
                fields = frozenset().union(
                    *(
                        self.engine.readable_fields(
                            self.key(relation, municipality, owner, phase, role)
                        )
                        for role in roles or ("",)
                    )
                )
            self._readable[combo] = fields
        return fields

    def readable(self, relation: Relation, municipality: str, owner: str) -> frozenset[str]:
        """The fields this principal may read of a case with these attributes in some phase:
        what a list's SQL may narrow by (every case is decided again, by its own phase,
        before anything of it is released)."""
        combo = (relation, municipality, owner)
        fields = self._any_phase.get(combo)
        if fields is None:
            fields = self._any_phase[combo] = frozenset().union(
                *(self._decided(relation, municipality, owner, str(p), ()) for p in Phase)
            )
        return fields

    def expect(self, involved: Collection[uuid.UUID]) -> None:
        """Say which cases a list's page is about to decide that the principal is involved
        in, so that its roles in them are read in one query for the page (only when some
        policy names a role), not for its whole caseload."""
        if self._roles_of is not None and self.engine.uses_roles and involved:
            self._roles_of.prefetch(involved)

    def readable_of(self, case: CaseLike, relation: Relation) -> frozenset[str]:
        """The fields this principal may read of ``case``, in its phase."""
        roles: tuple[str, ...] = ()
        if relation is Relation.INVOLVED and self._roles_of and self.engine.uses_roles:
            roles = self._roles_of(case.id)
        # Called for every case of a list: the cached answer first, without building a key.
        # A ``Phase`` is a str: it hashes and compares as its value does.
        fields = self._readable.get(
            (relation, case.municipality_code, case.owner_id, case.phase, roles)
        )
        if fields is not None:
            return fields
        return self._decided(
            relation, case.municipality_code, case.owner_id, str(case.phase), roles
        )

    def case_view(
        self, case: CaseLike, relation: Relation, requested: frozenset[str] | None = None
    ) -> CaseView:
        """The case as this principal may see it; ``requested`` limits what is read and logged
        to the fields the caller asked for (None: all fields). ``case`` is an entity, or a
        list's plain record (``registry.cases.records``): both are read by the same readers."""
        withheld, values = self._release(CASE_FIELDS, case, None, case, relation, requested)
        return CaseView(str(case.id), str(relation), withheld, values)

    def _release(
        self,
        fields: ReleasedFields[Row, Extra],
        row: Row,
        extra: Extra,
        case: CaseLike,
        relation: Relation,
        requested: frozenset[str] | None,
    ) -> tuple[list[str], dict[str, Any]]:
        """The one release of a row of ``case`` (the case itself, its agreement, its
        inventory): of the ``requested`` fields (None: all of them), those this principal
        may read are read into the view's attributes, the others stay None; what was released
        and what withheld goes into the case's access-log record. Returns the view's
        ``withheld`` and its attributes."""
        readable = self.readable_of(case, relation)
        key = (fields, requested, readable)
        release: _Release[Row, Extra] | None = self._releases.get(key)
        if release is None:
            wanted = fields.names if requested is None else requested & fields.names
            released = wanted & readable
            release = self._releases[key] = _Release(
                released,
                wanted - readable,
                tuple(sorted(fields.names - readable)),
                fields.readers(released),
            )
        values = dict(fields.blank)
        for attr, read in release.readers:
            values[attr] = read(row, extra)
        record = self._record(case.id)
        record.disclosed |= release.released
        record.withheld |= release.refused
        return list(release.withheld), values

    def _record(self, case_id: uuid.UUID) -> DisclosedCase:
        record = self.released.get(case_id)
        if record is None:
            record = self.released[case_id] = DisclosedCase(case_id)
        return record

    def annotations(
        self,
        case: Case,
        relation: Relation,
        annotations: Sequence[Annotation],
        corrected_by: Mapping[uuid.UUID, uuid.UUID],
        today: dt.date,
    ) -> list[AnnotationView]:
        """The annotations of ``case`` this principal may read: kinds the policies release to
        it, and what it wrote itself. ``corrected_by`` maps an annotation to its correction;
        action items must be loaded."""
        readable = self.readable_of(case, relation)
        record = self._record(case.id)
        me = self.principal.partner_id
        views = []
        for annotation in annotations:
            kind_field = ANNOTATION_KIND_FIELDS[annotation.kind]
            if kind_field not in readable and annotation.author_id != me:
                record.withheld.add(kind_field)
                continue
            record.disclosed.add(kind_field)
            successor = corrected_by.get(annotation.id)
            views.append(
                AnnotationView(
                    id=str(annotation.id),
                    case_id=str(case.id),
                    kind=annotation.kind,
                    author=annotation.author_id,
                    actor=annotation.actor if annotation.author_id == me else None,
                    occurred_on=annotation.occurred_on,
                    note=annotation.note,
                    recorded_at=annotation.recorded_at,
                    corrects=str(annotation.corrects_id) if annotation.corrects_id else None,
                    corrected_by=str(successor) if successor else None,
                    action_items=[
                        action_item_view(item, today) for item in annotation.action_items
                    ],
                )
            )
        return views

    def action_items(
        self, rows: Iterable[tuple[Case, Relation, ActionItem, Annotation]], today: dt.date
    ) -> list[ActionItemView]:
        """The action items this principal may read: of case-conference decisions the policies
        release to it, of decisions it wrote, and those addressed to it."""
        me = self.principal.partner_id
        views = []
        for case, relation, item, annotation in rows:
            record = self._record(case.id)
            readable = CASE_CONFERENCE_FIELD in self.readable_of(case, relation)
            if not (readable or item.assignee_id == me or annotation.author_id == me):
                record.withheld.add(CASE_CONFERENCE_FIELD)
                continue
            record.disclosed.add(CASE_CONFERENCE_FIELD)
            views.append(action_item_view(item, today))
        return views

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
        withheld, values = self._release(
            AGREEMENT_FIELDS, agreement, log_indexes, case, relation, requested
        )
        return AgreementView(str(agreement.id), str(case.id), withheld, values)

    def due_review_view(
        self, review: AgreementReview, case: Case, relation: Relation, today: dt.date
    ) -> DueReviewView | None:
        """A due or overdue review, if this principal may read the agreement's reviews."""
        if "agreementReviews" not in self.readable_of(case, relation):
            return None
        self._record(case.id).disclosed.add("agreementReviews")
        return DueReviewView(
            agreement_id=str(review.agreement_id),
            case_id=str(case.id),
            review=review.number,
            due_on=review.due_on,
            overdue=review.due_on < today,
        )

    def inventory_view(
        self,
        inventory: StoredInventory,
        case: Case,
        relation: Relation,
        today: dt.date,
        requested: frozenset[str] | None = None,
        *,
        log_indexes: Sequence[int] = (),
    ) -> InventoryView:
        """A case's stored inventory as this principal may see it (pickups and their contacts
        loaded). Inventory data is case data: what is released or withheld goes into the
        case's access-log record. ``requested`` names policy fields (None: all of them)."""
        reading = InventoryReading(today, log_indexes)
        withheld, values = self._release(
            INVENTORY_FIELDS, inventory, reading, case, relation, requested
        )
        return InventoryView(str(inventory.id), str(case.id), withheld, values)

    def municipal_contact_view(
        self,
        contact: MunicipalContact,
        inventory_id: str,
        case: Case,
        relation: Relation,
        today: dt.date,
    ) -> MunicipalContactView | None:
        """A municipal contact, if this principal may read it: the policies release
        ``municipalContact`` (always to the case's municipality), or the task is addressed to
        it."""
        record = self._record(case.id)
        me = self.principal.partner_id
        if MUNICIPAL_CONTACT not in self.readable_of(case, relation) and contact.assignee_id != me:
            record.withheld.add(MUNICIPAL_CONTACT)
            return None
        record.disclosed.add(MUNICIPAL_CONTACT)
        return contact_view(contact, inventory_id, today)

    def shelter_task_view(
        self, task: ShelterTask, case: Case, relation: Relation, today: dt.date
    ) -> ShelterTaskView | None:
        """A shelter task, if this principal may read it: the policies release
        ``shelterTask``, or the task is its own (addressed to it, the municipality, or
        fulfilled by it, a shelter that reserved the place)."""
        record = self._record(case.id)
        me = self.principal.partner_id
        own = me in (task.assignee_id, task.reserved_by)
        if SHELTER_TASK not in self.readable_of(case, relation) and not own:
            record.withheld.add(SHELTER_TASK)
            return None
        record.disclosed.add(SHELTER_TASK)
        return task_view(task, today)

    def aftercare_contact_view(
        self,
        contact: AftercareContact,
        case: Case,
        relation: Relation,
        requested: frozenset[str] | None = None,
    ) -> AftercareContactView:
        """The household's new contact details as this principal may see them, per field;
        access-logged like the case's identity. ``requested`` names policy fields (None: all
        of them)."""
        withheld, values = self._release(
            AFTERCARE_CONTACT_FIELDS, contact, None, case, relation, requested
        )
        return AftercareContactView(str(case.id), withheld, values)

    def follow_up_view(
        self, item: AftercareFollowUp, case: Case, relation: Relation, today: dt.date
    ) -> FollowUpView | None:
        """An aftercare follow-up, if this principal may read it: the policies release
        ``aftercareFollowUps``, or it is its own (assigned to it, or scheduled by it)."""
        record = self._record(case.id)
        me = self.principal.partner_id
        own = me in (item.assignee_id, item.scheduled_by)
        if FOLLOW_UPS not in self.readable_of(case, relation) and not own:
            record.withheld.add(FOLLOW_UPS)
            return None
        record.disclosed.add(FOLLOW_UPS)
        return follow_up_view(item, today)

    def explanation(self, case: Case, relation: Relation, *, of_another: bool) -> None:
        """Record an explanation of access to ``case`` (``explainAccess``, ``dryRunGrant``):
        processing of the case, access-logged like a read. One of another partner's access
        tells that partner's relation to the case (involved or not): the record says
        ``involvements`` was disclosed, since it was, whatever the policies release to the
        caller (whether it should be is an open question of the policy officer's tools)."""
        record = self._record(case.id)
        if of_another:
            record.disclosed.add(INVOLVEMENTS)

    def found_by(self, case: Case, relation: Relation, reveals: frozenset[str]) -> bool:
        """Whether this principal is shown that ``case`` matches a value it looked the case
        up by (the front desk's exact address), which tells it the fields ``reveals``: only
        when it may read every one of them. A release goes into the case's access-log record
        as a disclosure of those fields. A refusal writes nothing: the caller reads its own
        records (``myDisclosures``), so a record would tell it that some case lives there,
        which is what answering like an address without a case keeps from it."""
        if relation is Relation.NONE or not reveals <= self.readable_of(case, relation):
            return False  # fail closed: no relation, or a field of the match withheld
        self._record(case.id).disclosed |= reveals
        return True

    def processed(self, case: Case | uuid.UUID) -> None:
        """Record that this request processed ``case`` (or the case of this id) without
        releasing a field of it (an access history read, for one): access-logged as
        ``identified``."""
        self._record(case if isinstance(case, uuid.UUID) else case.id)

    def log_opening(self, case: Case | None, relation: Relation, event_type: str) -> bool:
        """Whether this principal is shown the event of a signed-log entry about ``case``: only
        when it relates to the case and may read every field the event reveals
        (``registry.events.LOG_EVENT_FIELDS``). A release goes into the case's access-log record
        as a disclosure of those fields; a refusal to a partner that relates to the case, as
        withheld. A partner with no relation learns nothing, and its request is no processing
        of the case: no record, as for a case that does not exist."""
        reveals = LOG_EVENT_FIELDS.get(event_type, frozenset())
        # Fail closed: no case, no relation, or an event no policy field covers.
        if case is None or relation is Relation.NONE or not reveals:
            return False
        record = self._record(case.id)
        if reveals <= self.readable_of(case, relation):
            record.disclosed |= reveals
            return True
        record.withheld |= reveals
        return False

    def policy_log_opening(self, issuer: str, municipality: str) -> bool:
        """Whether this principal is shown the event of a policy change: its issuer is, and so
        is every partner working in the municipality of a grant (a covenant is known to its
        partners, as ``policy_admin.list_policies`` lists it); a corporation's restriction
        (municipality ``*``) is its issuer's alone. No case data: no access-log record."""
        me = self.principal
        return issuer == me.partner_id or (
            municipality != "*" and municipality in me.municipalities
        )


def action_item_view(item: ActionItem, today: dt.date) -> ActionItemView:
    """The view of an action item whose release was decided already."""
    return ActionItemView(
        id=str(item.id),
        case_id=str(item.case_id),
        annotation_id=str(item.annotation_id),
        description=item.description,
        assignee=item.assignee_id,
        due_on=item.due_on,
        done_at=item.done_at,
        done_by=item.done_by,
        overdue=item.done_at is None and item.due_on < today,
    )
