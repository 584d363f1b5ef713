"""The registry's tables, one module per aggregate. Importing this package registers them all
on ``registry.db.Base.metadata`` (Alembic and the tests rely on that)."""

from registry.models.accesslog import AccessLogRecord
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
from registry.models.notification import (
    DeliveryStatus,
    EventType,
    OutboxEvent,
    WebhookDelivery,
    WebhookSubscription,
)
from registry.models.partner import Municipality, Partner, PartnerKey, PartnerKind, UsedTokenId
from registry.models.policy import AccessPolicy, PolicyKind, PolicyState
from registry.models.shelter import ShelterKind, ShelterTask

__all__ = [
    "AccessLogRecord",
    "AccessPolicy",
    "ActionItem",
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
    "ClosureOutcome",
    "ConditionCheck",
    "ConditionType",
    "ConsentManner",
    "ContactOutcome",
    "DeliveryStatus",
    "Disposition",
    "EventType",
    "EvictionOutcome",
    "HouseholdComposition",
    "HouseholdDestination",
    "IdempotentRequest",
    "InventoryStatus",
    "Involvement",
    "InvolvementRole",
    "MunicipalContact",
    "Municipality",
    "OutboxEvent",
    "Partner",
    "PartnerKey",
    "PartnerKind",
    "PartyKind",
    "Phase",
    "PickupRequest",
    "PickupStatus",
    "PolicyKind",
    "PolicyState",
    "Reason",
    "SecondChanceAgreement",
    "ShelterKind",
    "ShelterTask",
    "StoredInventory",
    "UsedTokenId",
    "WebhookDelivery",
    "WebhookSubscription",
]
