"""Who may take which action: permissions as data (``permissions.conf`` + ``permissions.csv``).

Field access is ``policies.decisions``; this module answers the other question: may a partner
of this kind, with this relation to a case, register a case, issue a grant, read an access
history, ... No caller writes ``if partner.kind == ...``: it asks ``permits``.
"""

from __future__ import annotations

import threading
from enum import StrEnum
from functools import cache
from pathlib import Path

import casbin

_HERE = Path(__file__).parent


class Permission(StrEnum):
    """Actions, named ``<scope>:<resource>:<action>``."""

    CASE_REGISTER = "case:case:register"
    CASE_UPDATE = "case:case:update"
    LIFECYCLE_MANAGE = "case:lifecycle:manage"
    EVICTION_CARRY_OUT = "case:eviction:carry_out"
    ANNOTATION_ADD = "case:annotation:add"
    INVOLVEMENT_MANAGE = "case:involvement:manage"
    ACCESS_LOG_READ = "case:accesslog:read"
    #: Erase the household's personal data (AVG art. 17): the owner or the municipality.
    CASE_ERASE = "case:case:erase"
    EXPLAIN_FOR_OTHER = "case:access:explain_other"
    #: Find a case by its home's exact address (the front desk): the municipality, and an
    #: involved partner; either only when the covenant releases it the address as well.
    CASE_ADDRESS_LOOKUP = "case:address:lookup"
    GRANT_ISSUE = "policy:grant:issue"
    GRANT_DRY_RUN = "policy:grant:dryrun"
    RESTRICTION_ISSUE = "policy:restriction:issue"
    AGREEMENT_PROPOSE = "agreement:agreement:propose"
    AGREEMENT_SIGN = "agreement:agreement:sign"
    AGREEMENT_CONSENT_RECORD = "agreement:consent:record"
    AGREEMENT_REVIEW_RECORD = "agreement:review:record"
    AGREEMENT_REVIEWS_DUE = "agreement:review:list_due"
    AGREEMENT_CLOSE = "agreement:agreement:close"
    AGREEMENT_FIGURES_READ = "agreement:figures:read"
    INVENTORY_RECORD = "inventory:inventory:record"
    #: Not an action on a case: whether a partner of this kind keeps stored goods at all.
    INVENTORY_KEEP = "inventory:goods:keep"
    PICKUP_REQUEST = "inventory:pickup:request"
    MUNICIPAL_CONTACT_RECORD = "inventory:contact:record"
    PICKUP_RELEASE = "inventory:pickup:release"
    COLLECTION_RECORD = "inventory:pickup:record_collection"
    DISPOSAL_RECORD = "inventory:disposal:record"
    INVENTORY_CLOCKS_READ = "inventory:clocks:read"
    # Early signals and their reply clocks (registry.cases.signals).
    SIGNAL_REPEAT = "case:signal:repeat"
    SIGNAL_REPLY = "case:signal:reply"
    SIGNAL_OFFER_HELP = "case:signal:offer_help"
    SIGNAL_TERMS_SET = "policy:signal_terms:set"
    COLLECTION_PAUSE = "case:collection:pause"
    # Coordination and who may involve whom (registry.cases.coordination, involvement_rules).
    COORDINATION_NAME = "case:coordination:name"
    COORDINATION_TRANSFER = "case:coordination:transfer"
    INVOLVEMENT_RULE_ISSUE = "policy:involvement_rule:issue"
    #: Not an action on a case: whether a partner of this kind schedules case meetings.
    MEETING_SCHEDULE = "meeting:meeting:schedule"
    SHELTER_RESERVE = "shelter:reservation:record"
    PICKUP_CODE_VERIFY = "inventory:pickup:verify_code"
    MONITOR_READ = "monitor:figures:read"
    #: The monitor's CSV over HTTP, of the caller's own municipalities' cases ...
    MONITOR_EXPORT_MUNICIPALITY = "monitor:csv:export_municipality"
    #: ... or of its own cases, as the corporation that owns them.
    MONITOR_EXPORT_OWN_CASES = "monitor:csv:export_own_cases"
    # Aftercare after the eviction (registry.aftercare): the household's new contact details,
    # recorded with its consent, and the follow-ups of the partners that continue.
    AFTERCARE_CONTACT_RECORD = "aftercare:contact:record"
    AFTERCARE_FOLLOW_UP_SCHEDULE = "aftercare:follow_up:schedule"
    #: Record another partner's follow-up as done (the assignee records its own anyway).
    AFTERCARE_FOLLOW_UP_RECORD = "aftercare:follow_up:record"


@cache
def _enforcer() -> casbin.Enforcer:
    return casbin.Enforcer(str(_HERE / "permissions.conf"), str(_HERE / "permissions.csv"))


#: Casbin's enforcer is not made to be called from several threads at once. One of five
#: concurrent approvals of a grant was once refused as "only a municipality approves grants",
#: which only a failure inside the enforcer, read below as a refusal, explains.
_DECIDING = threading.Lock()


@cache
def permits(kind: str, relation: str, permission: Permission) -> bool:
    """Whether a partner of ``kind`` with ``relation`` to the case (or ``"none"``) may act.
    Decided once per question (the permissions file does not change while running), one
    question at a time."""
    with _DECIDING:
        try:
            return bool(_enforcer().enforce(kind, relation, str(permission)))
        except Exception:
            return False
