"""GraphQL types of early signals, their reply clocks and collection pauses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import strawberry

from registry.models import PauseReason, ReplyClock, SignalSource

SignalSourceType = strawberry.enum(SignalSource, name="SignalSource")
ReplyClockType = strawberry.enum(ReplyClock, name="ReplyClock")
PauseReasonType = strawberry.enum(PauseReason, name="PauseReason")


@strawberry.type(description="One early signal of a case and the reply clocks it started.")
class Signal:
    signalled_on: dt.date
    arrears_months: Decimal = strawberry.field(description="Months of arrears then (halves).")
    arrears_amount: Decimal
    source: SignalSource
    repeat: bool
    district_team_due_on: dt.date
    district_team_replied_at: dt.datetime | None
    help_offer_due_on: dt.date
    help_offered_at: dt.datetime | None


@strawberry.type(description="Collection paused while help is accepted.")
class CollectionPause:
    paused_from: dt.date
    paused_until: dt.date | None
    reason: PauseReason
    recorded_by: str


@strawberry.type(description="A reply clock still running, in the work list.")
class ReplyClockEntry:
    case_id: strawberry.ID
    clock: ReplyClock
    signalled_on: dt.date
    repeat: bool
    due_on: dt.date
    overdue: bool


@strawberry.type(description="A municipality's covenant terms for answering a signal.")
class SignalReplyTerms:
    municipality: str
    district_team_days: int = strawberry.field(description="Working days for the district team.")
    help_offer_days: int = strawberry.field(description="Working days for the offer of help.")


@strawberry.input(description="A repeat signal (not before the last one).")
class SignalInput:
    signalled_on: dt.date
    arrears_months: Decimal = strawberry.field(description="Months of arrears now (halves).")
    arrears_amount: Decimal
    source: SignalSource = SignalSource.LANDLORD


@strawberry.input(description="Collection paused from a day (until a day, if known), and why.")
class PauseInput:
    paused_from: dt.date
    reason: PauseReason
    paused_until: dt.date | None = None
