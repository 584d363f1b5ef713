"""The registry's tables, one module per aggregate. Importing this package registers them all
on ``registry.db.Base.metadata`` (Alembic and the tests rely on that)."""

from registry.models.accesslog import AccessLogRecord
from registry.models.aftercare import (
    AftercareContact,
    AftercareFollowUp,
    FollowUpKind,
    FollowUpOutcome,
)
from registry.models.agreement import (
    AgreementCondition,
    AgreementKind,
    AgreementParty,
    AgreementReview,
    AgreementStatus,
    ConditionCheck,
    ConditionType,
    ConsentManner,
    PartyKind,
    SecondChanceAgreement,
)
from registry.models.annotation import ActionItem, Annotation, AnnotationKind
from registry.models.auditlog import (
    AuditCheckpoint,
    AuditLogEntry,
    AuditLogNode,
    AuditLogOpening,
    AuditLogState,
)
from registry.models.case import (
    Case,
    CaseContact,
    ClosureOutcome,
    EvictionOutcome,
    HouseholdComposition,
    HouseholdDestination,
    Involvement,
    InvolvementRole,
    Phase,
    Reason,
)
from registry.models.coordination import CoordinationTerm, InvolvementRule
from registry.models.idempotency import IdempotentRequest
from registry.models.inventory import (
    ContactOutcome,
    Disposition,
    InventoryStatus,
    MunicipalContact,
    PickupRequest,
    PickupStatus,
    StoredInventory,
)
from registry.models.meeting import AgendaItem, Meeting, MeetingKind, MeetingParticipant
from registry.models.monitor import MonitorExportRecord
from registry.models.notification import (
    DeliveryStatus,
    EventType,
    OutboxAddressee,
    OutboxEvent,
    WebhookDelivery,
    WebhookSubscription,
)
from registry.models.partner import Municipality, Partner, PartnerKey, PartnerKind, UsedTokenId
from registry.models.policy import (
    AccessPolicy,
    PolicyKind,
    PolicySettings,
    PolicyState,
    ProcessingPurpose,
)
from registry.models.shelter import ShelterKind, ShelterTask
from registry.models.signal import (
    CaseSignal,
    CollectionPause,
    PauseReason,
    ReplyClock,
    SignalReplyTerms,
    SignalSource,
)
from registry.models.staff import StaffMember, StaffRole, StaffSession

__all__ = [
    "AccessLogRecord",
    "AccessPolicy",
    "ActionItem",
    "AftercareContact",
    "AftercareFollowUp",
    "AgendaItem",
    "AgreementCondition",
    "AgreementKind",
    "AgreementParty",
    "AgreementReview",
    "AgreementStatus",
    "Annotation",
    "AnnotationKind",
    "AuditCheckpoint",
    "AuditLogEntry",
    "AuditLogNode",
    "AuditLogOpening",
    "AuditLogState",
    "Case",
    "CaseContact",
    "CaseSignal",
    "ClosureOutcome",
    "CollectionPause",
    "ConditionCheck",
    "ConditionType",
    "ConsentManner",
    "ContactOutcome",
    "CoordinationTerm",
    "DeliveryStatus",
    "Disposition",
    "EventType",
    "EvictionOutcome",
    "FollowUpKind",
    "FollowUpOutcome",
    "HouseholdComposition",
    "HouseholdDestination",
    "IdempotentRequest",
    "InventoryStatus",
    "Involvement",
    "InvolvementRole",
    "InvolvementRule",
    "Meeting",
    "MeetingKind",
    "MeetingParticipant",
    "MonitorExportRecord",
    "MunicipalContact",
    "Municipality",
    "OutboxAddressee",
    "OutboxEvent",
    "Partner",
    "PartnerKey",
    "PartnerKind",
    "PartyKind",
    "PauseReason",
    "Phase",
    "PickupRequest",
    "PickupStatus",
    "PolicyKind",
    "PolicySettings",
    "PolicyState",
    "ProcessingPurpose",
    "Reason",
    "ReplyClock",
    "SecondChanceAgreement",
    "ShelterKind",
    "ShelterTask",
    "SignalReplyTerms",
    "SignalSource",
    "StaffMember",
    "StaffRole",
    "StaffSession",
    "StoredInventory",
    "UsedTokenId",
    "WebhookDelivery",
    "WebhookSubscription",
]
