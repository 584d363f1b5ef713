"""Early signals: repeat signals, reply clocks and their work list, collection pauses."""

from __future__ import annotations

from typing import cast

import strawberry

from registry.cases import signals
from registry.models import ReplyClock
from schema.context import Info, scope_of
from schema.types.case import Case
from schema.types.signal import PauseInput, ReplyClockEntry, SignalInput, SignalReplyTerms


@strawberry.type
class SignalQuery:
    @strawberry.field(
        description="Reply clocks still running on cases whose signals you may read (work list)."
    )
    def signal_reply_clocks(self, info: Info, overdue_only: bool = False) -> list[ReplyClockEntry]:
        return [
            ReplyClockEntry(
                case_id=strawberry.ID(v.case_id),
                clock=v.clock,
                signalled_on=v.signalled_on,
                repeat=v.repeat,
                due_on=v.due_on,
                overdue=v.overdue,
            )
            for v in signals.reply_clocks(scope_of(info), overdue_only=overdue_only)
        ]


@strawberry.type
class SignalMutation:
    @strawberry.mutation(description="Signal a case again (owner); not before the last signal.")
    def signal_again(self, info: Info, case_id: strawberry.ID, input: SignalInput) -> Case:
        new = signals.NewSignal(
            input.signalled_on, input.arrears_months, input.arrears_amount, input.source
        )
        return cast(Case, scope_of(info).mutate(signals.signal_again, case_id, new))

    @strawberry.mutation(
        description="Stop a reply clock: DISTRICT_TEAM replied, or the municipality offered help."
    )
    def answer_signal(self, info: Info, case_id: strawberry.ID, clock: ReplyClock) -> Case:
        return cast(Case, scope_of(info).mutate(signals.answer, case_id, clock))

    @strawberry.mutation(description="Pause collection while help is accepted (owner).")
    def pause_collection(self, info: Info, case_id: strawberry.ID, input: PauseInput) -> Case:
        new = signals.NewPause(input.paused_from, input.reason, input.paused_until)
        return cast(Case, scope_of(info).mutate(signals.pause_collection, case_id, new))

    @strawberry.mutation(description="Set your covenant's reply terms in working days.")
    def set_signal_reply_terms(
        self, info: Info, municipality: str, district_team_days: int, help_offer_days: int
    ) -> SignalReplyTerms:
        terms = scope_of(info).mutate(
            signals.set_terms, municipality, district_team_days, help_offer_days
        )
        return SignalReplyTerms(
            municipality=terms.municipality_code,
            district_team_days=terms.district_team_days,
            help_offer_days=terms.help_offer_days,
        )
