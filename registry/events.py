"""The registry's events: what can happen to a case or a policy, and what follows from it.

One member of ``Event`` per happening, carrying everything the rest of the registry needs to
know about it: whether partners are told (a webhook, and under which ``type``), which policy
field that tells them of (so that only partners who may read it are told), whether it goes into
the signed audit log (and under which ``type``), which fields a partner must be allowed to read
to be shown the logged event, and whether a periodic runner rather than a request announces it.
``registry.recording.record`` writes an event's outbox row and log entry from these; a test
checks that every member has what its channels need.

Two external formats name events, and neither may change: the ``type`` of a webhook, which
subscribers filter on (``WebhookEventType``), and the ``type`` of a logged event, which
verifiers read back years later (``LogEventType``). They mostly agree, but not always: a
pickup request *opens* a municipal contact in the log and *requests* it of the municipality in
its webhook. So a member names its wire values rather than being one.

Nothing here imports the rest of the registry: the audit log, notifications, disclosure and
every feature import this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from types import MappingProxyType


class WebhookEventType(StrEnum):
    """The ``type`` of a webhook, named ``<resource>.<what_happened>`` (Standard Webhooks event
    types). Subscribers filter on these values: add members, never rename one.

    Stored by value as a plain string in the outbox, so adding one needs no migration.
    """

    CASE_REGISTERED = "case.registered"
    CASE_PHASE_CHANGED = "case.phase_changed"
    CASE_CLOSED = "case.closed"
    CASE_PARTNER_INVOLVED = "case.partner_involved"
    EVICTION_SCHEDULED = "eviction.scheduled"
    EVICTION_CALLED_OFF = "eviction.called_off"
    EVICTION_CARRIED_OUT = "eviction.carried_out"
    ANNOTATION_ADDED = "annotation.added"
    ACTION_ITEM_OVERDUE = "action_item.overdue"
    # A case's stored inventory (art. 556 lid 3 Rv) and the municipal contact a pickup triggers.
    INVENTORY_STORED = "inventory.stored"
    INVENTORY_PICKUP_REQUESTED = "inventory.pickup_requested"
    INVENTORY_PICKUP_RELEASED = "inventory.pickup_released"
    INVENTORY_COLLECTED = "inventory.collected"
    INVENTORY_DISPOSED = "inventory.disposed"
    MUNICIPAL_CONTACT_REQUESTED = "municipal_contact.requested"
    MUNICIPAL_CONTACT_OVERDUE = "municipal_contact.overdue"
    # Early signals and their reply clocks.
    CASE_SIGNAL_REPEATED = "case.signal_repeated"
    SIGNAL_REPLY_OVERDUE = "signal.reply_overdue"
    # Who works on a case, and who coordinates it.
    PARTNER_INVOLVED = "partner.involved"
    PARTNER_RELEASED = "partner.released"
    COORDINATION_NAMED = "coordination.named"
    COORDINATION_TRANSFERRED = "coordination.transferred"
    # Case meetings: a case put on a meeting's agenda, and a decision's action item.
    MEETING_SCHEDULED = "meeting.scheduled"
    ACTION_ITEM_ASSIGNED = "action_item.assigned"
    # The municipality's shelter task when an eviction is scheduled, and its reservation.
    SHELTER_TASK_OPENED = "shelter_task.opened"
    SHELTER_TASK_OVERDUE = "shelter_task.overdue"
    SHELTER_RESERVED = "shelter.reserved"
    # Aftercare after the eviction: a follow-up assigned to a partner, and overdue.
    AFTERCARE_FOLLOW_UP_SCHEDULED = "aftercare.follow_up_scheduled"
    AFTERCARE_FOLLOW_UP_OVERDUE = "aftercare.follow_up_overdue"

    # Second-chance agreements, told to every party: proposed, in force, a review fallen due,
    # a condition found broken at a review, closed.
    AGREEMENT_PROPOSED = "agreement.proposed"
    AGREEMENT_ACTIVATED = "agreement.activated"
    AGREEMENT_REVIEW_DUE = "agreement.review_due"
    AGREEMENT_CONDITION_BROKEN = "agreement.condition_broken"
    AGREEMENT_CLOSED = "agreement.closed"


class LogEventType(StrEnum):
    """The ``type`` of an event in the signed audit log, named ``<aggregate>.<what_happened>``.

    Every value here is part of the log's format: an entry's ``type`` says which of these it is,
    and a verifier reads it back years later. Add members; never rename or reuse one.
    """

    # Access policies (DESIGN.md: every policy change is written to the signed audit log).
    POLICY_GRANT_ISSUED = "policy.grant_issued"
    POLICY_RESTRICTION_ISSUED = "policy.restriction_issued"
    POLICY_REVOKED = "policy.revoked"
    POLICY_GRANT_APPROVED = "policy.grant_approved"
    POLICY_FOUR_EYES_SET = "policy.four_eyes_set"
    # Second-chance agreements (woonkansovereenkomsten).
    AGREEMENT_PROPOSED = "agreement.proposed"
    AGREEMENT_SIGNED = "agreement.signed"
    AGREEMENT_CONSENT_RECORDED = "agreement.consent_recorded"
    AGREEMENT_ACTIVATED = "agreement.activated"
    AGREEMENT_REVIEW_RECORDED = "agreement.review_recorded"
    AGREEMENT_CLOSED = "agreement.closed"
    # Evictions (DESIGN.md: every eviction event goes into the signed audit log).
    EVICTION_SCHEDULED = "eviction.scheduled"
    EVICTION_CALLED_OFF = "eviction.called_off"
    EVICTION_CARRIED_OUT = "eviction.carried_out"
    # Stored inventory after an eviction (art. 556 lid 3 Rv) and the municipal contact a
    # pickup request triggers.
    INVENTORY_STORED = "inventory.stored"
    INVENTORY_PICKUP_REQUESTED = "inventory.pickup_requested"
    MUNICIPAL_CONTACT_OPENED = "municipal_contact.opened"
    MUNICIPAL_CONTACT_OUTCOME_RECORDED = "municipal_contact.outcome_recorded"
    INVENTORY_PICKUP_RELEASED = "inventory.pickup_released"
    INVENTORY_COLLECTED = "inventory.collected"
    INVENTORY_DISPOSED = "inventory.disposed"
    # Who works on a case and who coordinates it (ids and role codes only).
    INVOLVEMENT_PARTNER_INVOLVED = "involvement.partner_involved"
    INVOLVEMENT_PARTNER_RELEASED = "involvement.partner_released"
    COORDINATION_NAMED = "coordination.named"
    COORDINATION_TRANSFERRED = "coordination.transferred"
    # The covenant's rules of who may involve whom.
    POLICY_INVOLVEMENT_RULE_ISSUED = "policy.involvement_rule_issued"
    POLICY_INVOLVEMENT_RULE_REVOKED = "policy.involvement_rule_revoked"
    # Shelter reserved for a household before its eviction day.
    SHELTER_RESERVED = "shelter.reserved"
    # Aftercare: the household's consent to sharing its new contact details (how it was
    # given, never the details), and a follow-up's outcome code.
    AFTERCARE_CONTACT_RECORDED = "aftercare.contact_recorded"
    AFTERCARE_FOLLOW_UP_DONE = "aftercare.follow_up_done"
    # The household's personal data was erased (ids only: the log keeps no more of it).
    CASE_ERASED = "case.erased"


@dataclass(frozen=True)
class EventSpec:
    """What follows from one kind of event (the value of an ``Event`` member)."""

    #: The webhook partners are told of it by; None: no partner is told.
    notified_as: WebhookEventType | None = None
    #: The policy field a webhook makes known: only partners who may read it are told. None
    #: for a notified event only where the field depends on what was recorded (an annotation's
    #: kind), and the caller names it.
    reveals: str | None = None
    #: The type the signed audit log records it under; None: it is not logged.
    logged_as: LogEventType | None = None
    #: What the logged event reveals of its case: a partner must be allowed to read every one
    #: of these fields to be shown it (the entry's opening). Empty for policy changes, which
    #: are no case data and follow the covenant instead
    #: (``registry.access.disclosure.Disclosure.policy_log_opening``).
    opening_fields: frozenset[str] = frozenset()
    #: Announced by a periodic runner when a deadline passes, not by a request
    #: (``registry.notifications.announcers``).
    timed: bool = False


def _told(notified_as: WebhookEventType, reveals: str | None, *, timed: bool = False) -> EventSpec:
    return EventSpec(notified_as=notified_as, reveals=reveals, timed=timed)


def _logged(logged_as: LogEventType, *opening_fields: str) -> EventSpec:
    return EventSpec(logged_as=logged_as, opening_fields=frozenset(opening_fields))


def _told_and_logged(
    notified_as: WebhookEventType, reveals: str, logged_as: LogEventType, *opening_fields: str
) -> EventSpec:
    return EventSpec(notified_as, reveals, logged_as, frozenset(opening_fields))


# Short names for the wire values, so that each member reads as one line of a table.
_W, _L = WebhookEventType, LogEventType


class Event(Enum):
    """Everything the registry records as having happened, with what follows from it.

    Every member is notified, logged, or both (each spec names a distinct wire value, so no
    two members are one).
    """

    _value_: EventSpec

    # A new early signal: the municipality, which must offer help (Wet gemeentelijke
    # schuldhulpverlening), learns of it when it is registered instead of polling.
    CASE_REGISTERED = _told(_W.CASE_REGISTERED, "earlySignalledOn")
    # A partner brought into a case: addressed to that partner as well, which learns of its
    # new case whatever else it may read; others are told if they may read the involvements.
    CASE_PARTNER_INVOLVED = _told(_W.CASE_PARTNER_INVOLVED, "involvements")
    # A repeat signal (Zaanstad: a month after the first), told like the first.
    CASE_SIGNAL_REPEATED = _told(_W.CASE_SIGNAL_REPEATED, "signals")
    # A reply clock of a signal ran out unanswered (the district team's, or the offer of help).
    SIGNAL_REPLY_OVERDUE = _told(_W.SIGNAL_REPLY_OVERDUE, "signals", timed=True)
    # A partner joins or leaves a case: addressed to that partner and to the case's
    # coordinator as well; others are told if they may read the involvements. A partner
    # released no longer relates to the case, so it is not told (the channel fails closed).
    # Logged as ids and codes (the partner, its role, who involved it).
    PARTNER_INVOLVED = _told_and_logged(
        _W.PARTNER_INVOLVED, "involvements", _L.INVOLVEMENT_PARTNER_INVOLVED, "involvements"
    )
    PARTNER_RELEASED = _told_and_logged(
        _W.PARTNER_RELEASED, "involvements", _L.INVOLVEMENT_PARTNER_RELEASED, "involvements"
    )
    # Coordination (regie): addressed to the coordinator named, and on a transfer to the one
    # handing over as well.
    COORDINATION_NAMED = _told_and_logged(
        _W.COORDINATION_NAMED, "coordinator", _L.COORDINATION_NAMED, "coordinator"
    )
    COORDINATION_TRANSFERRED = _told_and_logged(
        _W.COORDINATION_TRANSFERRED, "coordinator", _L.COORDINATION_TRANSFERRED, "coordinator"
    )
    # A case put on the agenda of a case meeting (casusoverleg): told to whoever may read the
    # case's case-conference decisions.
    MEETING_SCHEDULED = _told(_W.MEETING_SCHEDULED, "annotationCaseConference")
    # A decision's action item: addressed to its assignee, to whom the item is released.
    ACTION_ITEM_ASSIGNED = _told(_W.ACTION_ITEM_ASSIGNED, "annotationCaseConference")
    # The case lifecycle.
    CASE_PHASE_CHANGED = _told(_W.CASE_PHASE_CHANGED, "phase")
    CASE_CLOSED = _told(_W.CASE_CLOSED, "closureOutcome")
    EVICTION_SCHEDULED = _told_and_logged(
        _W.EVICTION_SCHEDULED, "evictionDate", _L.EVICTION_SCHEDULED, "evictionDate", "bailiff"
    )
    # A call-off clears the date: those who may read the date learn that it no longer holds.
    EVICTION_CALLED_OFF = _told_and_logged(
        _W.EVICTION_CALLED_OFF, "evictionDate", _L.EVICTION_CALLED_OFF, "evictionOutcome"
    )
    EVICTION_CARRIED_OUT = _told_and_logged(
        _W.EVICTION_CARRIED_OUT, "evictionOutcome", _L.EVICTION_CARRIED_OUT, "evictionOutcome"
    )
    # Annotations: the field is the annotation's kind, named when one is recorded.
    ANNOTATION_ADDED = _told(_W.ANNOTATION_ADDED, None)
    # Addressed to the item's assignee as well, to whom the item itself is released.
    ACTION_ITEM_OVERDUE = _told(_W.ACTION_ITEM_OVERDUE, "annotationCaseConference", timed=True)
    # Stored inventory and the municipal contact a pickup triggers.
    INVENTORY_STORED = _told_and_logged(
        _W.INVENTORY_STORED,
        "inventoryStorage",
        _L.INVENTORY_STORED,
        "inventoryStorage",
        "inventoryDates",
    )
    INVENTORY_PICKUP_REQUESTED = _told_and_logged(
        _W.INVENTORY_PICKUP_REQUESTED,
        "inventoryPickup",
        _L.INVENTORY_PICKUP_REQUESTED,
        "inventoryPickup",
    )
    # The log says the contact was opened; the webhook, addressed to the municipality as well
    # (the task is its own), asks for it.
    MUNICIPAL_CONTACT_OPENED = _told_and_logged(
        _W.MUNICIPAL_CONTACT_REQUESTED,
        "municipalContact",
        _L.MUNICIPAL_CONTACT_OPENED,
        "municipalContact",
    )
    MUNICIPAL_CONTACT_OUTCOME_RECORDED = _logged(
        _L.MUNICIPAL_CONTACT_OUTCOME_RECORDED, "municipalContact"
    )
    # Addressed to the municipality as well, like the request.
    MUNICIPAL_CONTACT_OVERDUE = _told(_W.MUNICIPAL_CONTACT_OVERDUE, "municipalContact", timed=True)
    # The storage provider is told this and nothing else: all it may read is the release.
    INVENTORY_PICKUP_RELEASED = _told_and_logged(
        _W.INVENTORY_PICKUP_RELEASED,
        "inventoryReleaseAuthorised",
        _L.INVENTORY_PICKUP_RELEASED,
        "inventoryReleaseAuthorised",
    )
    INVENTORY_COLLECTED = _told_and_logged(
        _W.INVENTORY_COLLECTED, "inventoryPickup", _L.INVENTORY_COLLECTED, "inventoryPickup"
    )
    INVENTORY_DISPOSED = _told_and_logged(
        _W.INVENTORY_DISPOSED, "inventoryDisposal", _L.INVENTORY_DISPOSED, "inventoryDisposal"
    )
    # The shelter task: opened by a scheduled eviction, addressed to the municipality (the task
    # is its own), announced again when overdue, and fulfilled by a reservation.
    SHELTER_TASK_OPENED = _told(_W.SHELTER_TASK_OPENED, "shelterTask")
    SHELTER_TASK_OVERDUE = _told(_W.SHELTER_TASK_OVERDUE, "shelterTask", timed=True)
    SHELTER_RESERVED = _told_and_logged(
        _W.SHELTER_RESERVED, "shelterTask", _L.SHELTER_RESERVED, "shelterTask"
    )
    # Aftercare: the new contact details (logged as the consent's manner and ids only), and
    # follow-ups, told to their assignee, announced when overdue, logged when done.
    AFTERCARE_CONTACT_RECORDED = _logged(_L.AFTERCARE_CONTACT_RECORDED, "aftercareContactConsent")
    AFTERCARE_FOLLOW_UP_SCHEDULED = _told(_W.AFTERCARE_FOLLOW_UP_SCHEDULED, "aftercareFollowUps")
    AFTERCARE_FOLLOW_UP_OVERDUE = _told(
        _W.AFTERCARE_FOLLOW_UP_OVERDUE, "aftercareFollowUps", timed=True
    )
    AFTERCARE_FOLLOW_UP_DONE = _logged(_L.AFTERCARE_FOLLOW_UP_DONE, "aftercareFollowUps")
    # Second-chance agreements. Proposed, activated and closed are logged, and told to every
    # party organisation (addressed to each) and to whoever else may read the status; so are a
    # review fallen due (announced on its day) and a condition found broken at a review, to
    # those who may read the reviews. Their webhooks name the agreement (``agreementId``).
    AGREEMENT_PROPOSED = _told_and_logged(
        _W.AGREEMENT_PROPOSED,
        "agreementStatus",
        _L.AGREEMENT_PROPOSED,
        "agreementStatus",
        "agreementKind",
        "agreementParties",
        "agreementConditions",
        "agreementTerm",
    )
    AGREEMENT_SIGNED = _logged(_L.AGREEMENT_SIGNED, "agreementStatus", "agreementParties")
    AGREEMENT_CONSENT_RECORDED = _logged(
        _L.AGREEMENT_CONSENT_RECORDED, "agreementStatus", "agreementParties"
    )
    AGREEMENT_ACTIVATED = _told_and_logged(
        _W.AGREEMENT_ACTIVATED,
        "agreementStatus",
        _L.AGREEMENT_ACTIVATED,
        "agreementStatus",
        "agreementTerm",
    )
    AGREEMENT_REVIEW_DUE = _told(_W.AGREEMENT_REVIEW_DUE, "agreementReviews", timed=True)
    AGREEMENT_REVIEW_RECORDED = _logged(_L.AGREEMENT_REVIEW_RECORDED, "agreementReviews")
    AGREEMENT_CONDITION_BROKEN = _told(_W.AGREEMENT_CONDITION_BROKEN, "agreementReviews")
    AGREEMENT_CLOSED = _told_and_logged(
        _W.AGREEMENT_CLOSED, "agreementStatus", _L.AGREEMENT_CLOSED, "agreementStatus"
    )
    # Erasure of a household's personal data: logged with ids only. Its opening would be shown
    # to those who may read the case's phase; but an erased case is found by no one, so in
    # practice no one is shown it (the case's access report says it was erased).
    CASE_ERASED = _logged(_L.CASE_ERASED, "phase")
    # Access policies: logged, not notified, and no case data.
    POLICY_GRANT_ISSUED = _logged(_L.POLICY_GRANT_ISSUED)
    POLICY_RESTRICTION_ISSUED = _logged(_L.POLICY_RESTRICTION_ISSUED)
    POLICY_REVOKED = _logged(_L.POLICY_REVOKED)
    POLICY_GRANT_APPROVED = _logged(_L.POLICY_GRANT_APPROVED)
    POLICY_FOUR_EYES_SET = _logged(_L.POLICY_FOUR_EYES_SET)
    POLICY_INVOLVEMENT_RULE_ISSUED = _logged(_L.POLICY_INVOLVEMENT_RULE_ISSUED)
    POLICY_INVOLVEMENT_RULE_REVOKED = _logged(_L.POLICY_INVOLVEMENT_RULE_REVOKED)

    @property
    def notified_as(self) -> WebhookEventType | None:
        """The webhook partners are told of it by, if any."""
        return self._value_.notified_as

    @property
    def reveals(self) -> str | None:
        """The policy field its webhook makes known (None: named when recorded)."""
        return self._value_.reveals

    @property
    def logged_as(self) -> LogEventType | None:
        """The type the signed audit log records it under, if it is logged."""
        return self._value_.logged_as

    @property
    def opening_fields(self) -> frozenset[str]:
        """The fields a partner must be allowed to read, all of them, to be shown it."""
        return self._value_.opening_fields

    @property
    def timed(self) -> bool:
        """Whether a periodic runner announces it, rather than a request."""
        return self._value_.timed


#: What an event of the signed audit log reveals of its case, as the fields a partner must be
#: allowed to read, every one of them, to be shown the event (the entry's opening): a partner
#: that may not read ``municipalContact`` is not shown how the household answered the
#: municipality, whatever else it may read. Keys are the log's event types; an event type not
#: listed here is shown to nobody (default deny). Policy changes are no case data and follow
#: the covenant instead (``registry.access.disclosure.Disclosure.policy_log_opening``).
LOG_EVENT_FIELDS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        str(e.logged_as): e.opening_fields
        for e in Event
        if e.logged_as is not None and e.opening_fields
    }
)
