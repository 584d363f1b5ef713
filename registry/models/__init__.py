"""The registry's tables, one module per aggregate. Importing this package registers them all
on ``registry.db.Base.metadata`` (Alembic and the tests rely on that)."""

from registry.models.accesslog import AccessLogRecord
from registry.models.case import (
    Case,
    CaseContact,
    EvictionOutcome,
    HouseholdComposition,
    Involvement,
    InvolvementRole,
    Phase,
    Reason,
)
from registry.models.partner import Municipality, Partner, PartnerKey, PartnerKind, UsedTokenId
from registry.models.policy import AccessPolicy, PolicyKind, PolicyState

__all__ = [
    "AccessLogRecord",
    "AccessPolicy",
    "Case",
    "CaseContact",
    "EvictionOutcome",
    "HouseholdComposition",
    "Involvement",
    "InvolvementRole",
    "Municipality",
    "Partner",
    "PartnerKey",
    "PartnerKind",
    "Phase",
    "PolicyKind",
    "PolicyState",
    "Reason",
    "UsedTokenId",
]
